/**
 * Loop guards, the runtime half. JavaScript has one thread: a `while (true) {}` in the chain's code
 * would hold it for good, no frame, no key, no signal handler would run again.
 *
 * Every call the runtime makes into the chain's code (setup, update and the cook that reads its
 * bindings, a build's first frame, a timer's callback, a dispose callback) runs under JavaScriptCore's
 * watchdog, through node:vm's `timeout` (`call`): past the limit the engine ends the call with an
 * exception the chain's code cannot catch, from any loop, even one in node_modules. The project's
 * modules are instrumented as they load (instrument.ts, through the Bun plugin registered here): every
 * loop body and function entry records its place in `site`, so the error names the loop (or the
 * function) the call was in, at its line and column in the file on disk. That costs one store; the
 * watchdog costs nothing per iteration (bench/loop-guard.ts measures both).
 *
 * Code the runtime does not call (a module's top level, the code after an `await` in an async setup,
 * which runs from the event loop) is not under the watchdog; sites there count towards a clock check
 * instead (`check`), measured from the last time the runtime had the thread: the module's own start,
 * the end of the runtime's last call, or its 50 ms tick.
 *
 * The watchdog counts wall-clock time, and a thread can lose wall-clock time without running: a
 * machine whose cores are taken by other processes, a GPU driver call that blocks, a long garbage
 * collection. So when it fires, the thread's own CPU time over the call is read too: a loop alone on
 * a core burns the CPU the whole time; a call that had less than half the limit of CPU ends with a
 * LoopStarvedError, located as any other, whose message says the machine may be too busy, and a
 * build's first update and first frame are then each run once more. (A real loop on a machine that
 * busy is starved too: it is still located, and the second run stops it again.)
 */
import { openSync, readSync, realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import { LocatedError } from "../reload/errors.ts";
import { forgetInsertions, recordInsertions } from "./columns.ts";
import { GUARD_GLOBAL, instrument, type GuardSite } from "./instrument.ts";

/** Sites per file: file n marks its sites n * SITES_PER_FILE + i. */
const SITES_PER_FILE = 1 << 16;

/** Counts between two looks at the clock: a tight numeric loop pays one increment and one compare. */
export const CHECK_EVERY = 1024;

export interface LoopLimits {
  /** Module evaluation, setup, dispose, timers and other callbacks (ms). */
  setupMs: number;
  /** One frame's update and cook, bindings included (ms). */
  updateMs: number;
}

export const DEFAULT_LOOP_LIMITS: LoopLimits = { setupMs: 1000, updateMs: 250 };

/** Which flag raises the limit a call ran under (said in the error). */
const FLAG: Record<keyof LoopLimits, string> = { setupMs: "--setup-loop-limit", updateMs: "--update-loop-limit" };

/** A loop (or a recursion) of the chain's that ran past its limit. */
export class LoopTimeoutError extends LocatedError {
  constructor(message: string, location: { file: string; line: number; column: number } | undefined) {
    super(message, location);
    this.name = "LoopTimeoutError";
  }
}

/**
 * A call stopped at its limit that had less than half of it on the CPU: the machine (or a blocking
 * driver call) may have held the thread rather than a loop of the chain's.
 */
export class LoopStarvedError extends LoopTimeoutError {
  constructor(message: string, location: { file: string; line: number; column: number } | undefined) {
    super(message, location);
    this.name = "LoopStarvedError";
  }
}

/**
 * CPU time of the thread that loads this module (the JS thread) in ms, from the kernel's scheduler
 * statistics (/proc/thread-self/schedstat: nanoseconds on the CPU), read through one descriptor kept
 * open (~1 µs a read). NaN where there is no such file: every timeout is then taken for a loop.
 */
const threadCpuMs: () => number = (() => {
  let fd: number;
  try {
    fd = openSync("/proc/thread-self/schedstat", "r");
  } catch {
    return () => Number.NaN;
  }
  const bytes = new Uint8Array(64);
  return () => {
    let n: number;
    try {
      n = readSync(fd, bytes, 0, bytes.length, 0);
    } catch {
      return Number.NaN;
    }
    let ns = 0;
    for (let i = 0; i < n; i++) {
      const digit = bytes[i]! - 48;
      if (digit < 0 || digit > 9) break;
      ns = ns * 10 + digit;
    }
    return ns / 1e6;
  };
})();

const KIND_NAMES: Record<GuardSite["kind"], string> = {
  while: "while loop",
  "do-while": "do…while loop",
  for: "for loop",
  "for-in": "for…in loop",
  "for-of": "for…of loop",
  function: "function",
};

/** The one script every guarded call runs: it calls back into the guard (no code is compiled per call). */
const INVOKE = new Script(`globalThis[Symbol.for(${JSON.stringify(GUARD_GLOBAL)})].invoke()`, { filename: "vivid loop guard" });

export class LoopGuard {
  /** The place the chain's code is running now: the last loop body or function entered. */
  site = -1;
  /** The count the counted sites increment, and the count at which they call `check`. */
  n = 0;
  at = CHECK_EVERY;
  limits: LoopLimits = { ...DEFAULT_LOOP_LIMITS };
  /** Times a loop was stopped, for the stats. */
  tripped = 0;
  private depth = 0;
  private deadline = Infinity;
  private what = "";
  private limit: keyof LoopLimits = "setupMs";
  // The outer calls' state while an inner one runs (preallocated: a frame allocates nothing here).
  private readonly saved: Array<{ deadline: number; cpuStart: number; what: string; limit: keyof LoopLimits; fn: (arg: any) => unknown; arg: unknown }> = [];
  /** The thread's CPU time (ms) when the current call began. */
  private cpuStart = Number.NaN;
  private fn: (arg: any) => unknown = () => undefined;
  private arg: unknown;
  /** node:vm's options per limit, made once per value. */
  private readonly watchdog = new Map<number, { timeout: number }>();
  /** When the runtime last had the thread, for counted code run outside `call` (see the header). */
  private mark = performance.now();
  private markWhat = "a callback or after an await";
  /** Each instrumented file's slot and its sites as last loaded. */
  private readonly slots = new Map<string, number>();
  private readonly files: Array<{ file: string; sites: GuardSite[] }> = [];

  /** The first site id for `file`'s sites, as now loaded (its slot stays the same across reloads). */
  register(file: string, sites: GuardSite[]): number {
    let slot = this.slots.get(file);
    if (slot === undefined) {
      slot = this.files.length;
      this.slots.set(file, slot);
    }
    this.files[slot] = { file, sites: sites.slice(0, SITES_PER_FILE) };
    return slot * SITES_PER_FILE;
  }

  /** Called by each instrumented module as its top level starts: its evaluation is measured from here. */
  evaluating(): void {
    this.mark = performance.now();
    this.markWhat = "the module's top level";
  }

  /** The runtime has the thread: counted code run outside `call` is measured from now. */
  touch(): void {
    this.mark = performance.now();
    this.markWhat = "a callback or after an await";
  }

  /**
   * `fn(arg)` as a call into the chain's code, under the watchdog: `what` ("update") may run for the
   * `limit` it names, then it is ended with a LoopTimeoutError at the place it was running. Anything
   * `fn` throws comes out as it was thrown.
   */
  call<A, T>(what: string, limit: keyof LoopLimits, fn: (arg: A) => T, arg: A): T {
    let slot = this.saved[this.depth];
    if (!slot) slot = this.saved[this.depth] = { deadline: 0, cpuStart: Number.NaN, what: "", limit: "setupMs", fn: this.fn, arg: undefined };
    slot.deadline = this.deadline;
    slot.cpuStart = this.cpuStart;
    slot.what = this.what;
    slot.limit = this.limit;
    slot.fn = this.fn;
    slot.arg = this.arg;
    this.depth++;
    const ms = Math.max(1, Math.ceil(this.limits[limit]));
    this.deadline = performance.now() + ms;
    this.cpuStart = threadCpuMs();
    this.what = what;
    this.limit = limit;
    this.fn = fn as (arg: any) => unknown;
    this.arg = arg;
    this.site = -1;
    let options = this.watchdog.get(ms);
    if (!options) this.watchdog.set(ms, (options = { timeout: ms }));
    try {
      return INVOKE.runInThisContext(options) as T;
    } catch (error) {
      if ((error as { code?: unknown })?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
        const cpuMs = threadCpuMs() - this.cpuStart;
        throw this.timeout(limit, what, cpuMs < ms / 2 ? cpuMs : undefined);
      }
      throw error;
    } finally {
      this.depth--;
      this.deadline = slot.deadline;
      this.cpuStart = slot.cpuStart;
      this.what = slot.what;
      this.limit = slot.limit;
      this.fn = slot.fn;
      this.arg = slot.arg;
      slot.fn = noop;
      slot.arg = undefined;
      if (this.depth === 0) this.touch();
    }
  }

  /** @internal What INVOKE runs. */
  invoke(): unknown {
    return this.fn(this.arg);
  }

  /** Called by counted sites every CHECK_EVERY counts (see the header). */
  check(): void {
    this.at = this.n + CHECK_EVERY;
    // Inside a call the watchdog ends a loop; out of one, the clock since the runtime last had the thread.
    if (this.depth > 0 || performance.now() <= this.mark + this.limits.setupMs) return;
    throw this.timeout("setupMs", this.markWhat);
  }

  /**
   * The error for a call stopped at its limit, at the place it was running. `starvedCpuMs`: the call
   * had only that much CPU (under half the limit), so it may not be a loop at all (see the header).
   */
  private timeout(limit: keyof LoopLimits, what: string, starvedCpuMs?: number): LoopTimeoutError {
    this.tripped++;
    const site = this.site >= 0 ? this.files[Math.floor(this.site / SITES_PER_FILE)] : undefined;
    const place = site?.sites[this.site % SITES_PER_FILE];
    const ran = place ? `this ${KIND_NAMES[place.kind]} ran` : "the chain's code ran";
    const location = place && site ? { file: site.file, line: place.line, column: place.column } : undefined;
    const head = `${ran} past the ${this.limits[limit]} ms limit for ${what}`;
    if (starvedCpuMs === undefined) return new LoopTimeoutError(`${head}: an endless loop? (${FLAG[limit]} <ms> sets the limit)`, location);
    return new LoopStarvedError(
      `${head} but had only ${Math.round(starvedCpuMs)} ms of CPU in that time: the machine may be too busy (or a driver call blocked the thread) rather than an endless loop (${FLAG[limit]} <ms> sets the limit)`,
      location,
    );
  }
}

const noop = () => undefined;

/** The process's one guard, where the instrumented code finds it. */
export const loopGuard: LoopGuard = ((globalThis as Record<symbol, unknown>)[Symbol.for(GUARD_GLOBAL)] ??= new LoopGuard()) as LoopGuard;

function realPath(path: string): string {
  try {
    return realpathSync(resolve(path));
  } catch {
    return resolve(path);
  }
}

/** The runtime's own code (this package's runtime/ and operators/), never instrumented. */
const RUNTIME_FOLDERS = ["runtime", "operators"].map((folder) => realPath(resolve(dirname(fileURLToPath(import.meta.url)), "../..", folder)));

const guardedFolders = new Set<string>();
let ticking: ReturnType<typeof setInterval> | undefined;

const LOADERS: Record<string, "ts" | "tsx" | "js" | "jsx"> = { ts: "ts", mts: "ts", cts: "ts", tsx: "tsx", js: "js", mjs: "js", cjs: "js", jsx: "jsx" };

/**
 * Instruments every script module Bun loads from `projectDir` (outside node_modules) from now on.
 * Registered once per folder and process: the plugin stays for the process's life, as Bun's plugins do.
 */
export function guardProjectModules(projectDir: string): void {
  const dir = realPath(projectDir);
  if (guardedFolders.has(dir)) return;
  guardedFolders.add(dir);
  // The runtime's tick: code run outside `enter` is measured from the last one.
  ticking ??= setInterval(() => loopGuard.touch(), 50);
  ticking.unref?.();
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // Never the runtime's own code, also where the project folder holds it (a project at the repository's root).
  const runtimeOwn = RUNTIME_FOLDERS.filter((folder) => folder.startsWith(`${dir}/`)).map((folder) => `(?!${escape(folder.slice(dir.length + 1))}/)`);
  const filter = new RegExp(`^${escape(dir)}/(?!(?:.*/)?node_modules/)${runtimeOwn.join("")}.*\\.(?:${Object.keys(LOADERS).join("|")})$`);
  Bun.plugin({
    name: `vivid loop guards ${dir}`,
    setup(build) {
      build.onLoad({ filter }, async ({ path }) => {
        const text = await Bun.file(path).text();
        const loader = LOADERS[path.slice(path.lastIndexOf(".") + 1)] ?? "ts";
        const instrumented = instrument(path, text, loopGuard.register(path, []));
        if (!instrumented) {
          forgetInsertions(path);
          return { contents: text, loader };
        }
        loopGuard.register(path, instrumented.sites);
        recordInsertions(path, instrumented.insertions);
        return { contents: instrumented.code, loader };
      });
    },
  });
}
