/**
 * A soak runs in a child process whose JavaScriptCore tiers code up early, so that the JIT's one-off
 * memory is spent in the warm-up instead of over the soak's first hour.
 *
 * Why: JavaScriptCore compiles a function to its faster tiers (Baseline, DFG, FTL) by execution
 * counts, and every tier-up keeps memory (the code and what the compiler records about it, mostly in
 * Bun's allocator arena). Code that runs once a frame gets there within the frame warm-up, but the
 * CLI also runs code once a second or once every ten (the stats hub, the dashboard's redraws, the
 * memory sample), and that code was still tiering up 30 minutes in: a soak of audio-reactive with
 * the default thresholds compiled 6.1 s of code by the end of its warm-up and 9.3 s by its end,
 * and RSS rose +6.00 MB/h (FAIL); beside it, the same soak with these thresholds compiled most of
 * its code in the first four minutes, and RSS stayed flat (floors 240.3 … 240.5 MB; docs/memory.md,
 * "The JIT's warm-up"). The memory is bounded (a program has so much code), so it is not a leak, but
 * in a 30-minute soak it reads as one and hides one.
 *
 * The thresholds are JavaScriptCore options, read once when the process starts (`BUN_JSC_<name>` in
 * the environment), hence the child. `--jit-defaults` keeps the defaults (and no child).
 */
import { constants } from "node:os";

/** JavaScriptCore's tier-up thresholds for a soak (defaults in the comments, Bun 1.4.5). */
export const SOAK_JIT_THRESHOLDS: Readonly<Record<string, string>> = {
  thresholdForJITAfterWarmUp: "10", // 500
  thresholdForJITSoon: "10", // 100
  thresholdForOptimizeAfterWarmUp: "20", // 1000
  thresholdForOptimizeAfterLongWarmUp: "20", // 1000
  thresholdForOptimizeSoon: "20", // 1000
  thresholdForFTLOptimizeAfterWarmUp: "100", // 64000
  thresholdForFTLOptimizeSoon: "100", // 1000
};

/** The thresholds as `BUN_JSC_<name>` environment variables, which JavaScriptCore reads at start. */
export function soakJitEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(SOAK_JIT_THRESHOLDS).map(([name, value]) => [`BUN_JSC_${name}`, value]));
}

/** Set in the soak's child: it runs the soak itself. */
const CHILD_MARK = "VIVID_SOAK_CHILD";

/** Whether this process should start the soak's child rather than soak itself. */
export function soakNeedsChild(jitDefaults: boolean): boolean {
  return !jitDefaults && process.env[CHILD_MARK] === undefined;
}

/** Whether this process runs with the soak's thresholds (what the soak's record says). */
export function soakJitMode(): "fast tier-up" | "defaults" {
  const set = Object.entries(soakJitEnv()).every(([name, value]) => process.env[name] === value);
  return set ? "fast tier-up" : "defaults";
}

/**
 * Runs `bun <cli> <argv>` with the soak's thresholds, on this process's terminal (so the dashboard
 * and its keys work as in one process), and returns its exit code. SIGINT, SIGTERM and SIGHUP are
 * passed on: the child ends the soak with its verdict, as it would alone. (A Ctrl+C on a terminal
 * reaches both processes; the child takes a second one as the same request.)
 */
export async function runSoakChild(cli: string, argv: string[]): Promise<number> {
  const env = { ...process.env, ...soakJitEnv(), [CHILD_MARK]: "1" };
  const child = Bun.spawn([process.execPath, cli, ...argv], { env, stdio: ["inherit", "inherit", "inherit"] });
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const forward = signals.map((signal) => {
    const handler = () => child.kill(signal);
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  const code = await child.exited;
  for (const off of forward) off();
  if (child.signalCode) return 128 + (constants.signals[child.signalCode as keyof typeof constants.signals] ?? 0);
  return code;
}
