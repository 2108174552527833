#!/usr/bin/env bun
/**
 * `bun bench/pause-cpu.ts [seconds=5]`: how much CPU a paused headless run uses. Runs
 * `bun vivid <32×32 noise chain> --headless --window 64x64` with its terminal dashboard in a real
 * pseudo-terminal (util-linux `script`), presses `p` and reads the vivid process's utime + stime from
 * /proc/<pid>/stat over the next `seconds`, then presses `p` again and measures running the same way.
 * Prints CPU seconds per wall second (1.00 = one core busy).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const seconds = Number(process.argv[2] ?? 5);
const root = resolve(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "vivid-pause-cpu-"));
writeFileSync(
  join(dir, "chain.ts"),
  `import { Noise } from "vivid";
export function setup(ctx) { ctx.chain.add(Noise, "noise").resolution(32, 32); ctx.chain.output("noise"); }
`,
);
const ticksPerSecond = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** The bun process under `script` (script → shell → bun, or script → bun when the shell execs). */
function findVivid(pid: number): number | undefined {
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(" ").filter(Boolean).map(Number)) {
      const cmdline = readFileSync(`/proc/${child}/cmdline`, "utf8");
      if (cmdline.includes("cli.ts") || cmdline.startsWith("bun\0vivid")) return child;
      const deeper = findVivid(child);
      if (deeper) return deeper;
    }
  }
  return undefined;
}

const command = `bun ${join(root, "runtime/cli.ts")} ${dir} --headless --window 64x64`;
const child = Bun.spawn(["script", "-qfec", command, "/dev/null"], { cwd: root, stdin: "pipe", stdout: "pipe", stderr: "pipe", env: { ...process.env, TERM: "xterm-256color" } });
let screen = "";
void (async () => {
  for await (const chunk of child.stdout as ReadableStream<Uint8Array>) screen += new TextDecoder().decode(chunk);
})();
const press = (key: string) => {
  child.stdin.write(key);
  child.stdin.flush();
};

async function measure(pid: number): Promise<number> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await Bun.sleep(seconds * 1000);
  return (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
}

try {
  for (let waited = 0; !screen.includes("p pause"); waited += 100) {
    if (waited > 60_000) throw new Error("the dashboard did not show within 60 s");
    await Bun.sleep(100);
  }
  const pid = findVivid(child.pid);
  if (!pid) throw new Error("could not find the vivid process under script");
  await Bun.sleep(2000);
  press("p");
  await Bun.sleep(1000);
  const paused = await measure(pid);
  press("p");
  await Bun.sleep(1000);
  const running = await measure(pid);
  press("q");
  await child.exited;
  console.log(`paused:  ${paused.toFixed(3)} CPU s per s over ${seconds} s`);
  console.log(`running: ${running.toFixed(3)} CPU s per s over ${seconds} s`);
  console.log(`dashboard said PAUSED: ${screen.includes("PAUSED")}`);
} finally {
  if (child.exitCode === null) child.kill();
  rmSync(dir, { recursive: true, force: true });
}
