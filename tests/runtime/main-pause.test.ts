/**
 * `p` in the terminal dashboard of a real `bun vivid` process (a real pseudo-terminal, through
 * util-linux `script`): the header says PAUSED, the window title too, the paused loop is idle (its
 * CPU time from /proc/<pid>/stat) and draws nothing (0 fps in the `--stats` file), and `p` again
 * resumes. The chain's `ctx.debug("x", 1.5)` shows in the dashboard's Debug panel.
 */
import { afterEach, describe, expect, test } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../helpers/render.ts";
import { startXvfb } from "./window/xvfb.ts";

const CHAIN = `import { Noise } from "vivid";
export function setup(ctx) { ctx.chain.add(Noise, "noise").resolution(32, 32); ctx.chain.output("noise"); }
export function update(ctx) { ctx.debug("x", 1.5); }
`;

type Json = Record<string, unknown>;
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

function events(stats: string): Json[] {
  if (!existsSync(stats)) return [];
  return readFileSync(stats, "utf8")
    .split("\n")
    .filter((line) => line.endsWith("}"))
    .map((line) => JSON.parse(line) as Json);
}

async function waitFor<T>(what: string, get: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

/** utime + stime of a process in seconds (fields 14 and 15 of /proc/<pid>/stat, in 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The `bun vivid` process somewhere under `script`'s process. */
function findVivid(pid: number): number | undefined {
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(" ").filter(Boolean).map(Number)) {
      if (readFileSync(`/proc/${child}/cmdline`, "utf8").startsWith("bun\0vivid")) return child;
      const deeper = findVivid(child);
      if (deeper) return deeper;
    }
  }
  return undefined;
}

/** `bun vivid <temp project> …flags` with its dashboard on a pseudo-terminal. */
function start(flags: string, env: Record<string, string | undefined> = process.env) {
  const dir = mkdtempSync(join(tmpdir(), "vivid-pause-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "chain.ts"), CHAIN);
  const stats = join(dir, "stats.jsonl");
  const child = Bun.spawn(["script", "-qfec", `bun vivid ${dir} ${flags} --stats ${stats}`, "/dev/null"], { cwd: REPO, stdin: "pipe", stdout: "pipe", stderr: "pipe", env: { ...env, TERM: "xterm-256color", COLUMNS: "120" } });
  cleanup.push(() => {
    if (child.exitCode === null) child.kill();
    return child.exited;
  });
  const output = { screen: "" };
  void (async () => {
    for await (const chunk of child.stdout as ReadableStream<Uint8Array>) output.screen += new TextDecoder().decode(chunk);
  })();
  const type = (key: string) => {
    child.stdin.write(key);
    child.stdin.flush();
  };
  /** What the terminal showed since the last call. */
  let seen = 0;
  const shownSince = () => {
    const text = output.screen.slice(seen);
    seen = output.screen.length;
    return text;
  };
  return { child, stats, type, output, shownSince };
}

describe("p in the dashboard", () => {
  test("pauses: PAUSED in the header, no frames drawn, the process idle; p again resumes", async () => {
    const { child, stats, type, output, shownSince } = start("--headless --size 64x64");
    await waitFor("the dashboard", () => (output.screen.includes("p pause") ? true : undefined));
    await waitFor("two frames events", () => (events(stats).filter((e) => e.type === "frames").length >= 2 ? true : undefined));
    // The Debug panel shows what the chain's update() passed to ctx.debug.
    await waitFor("the Debug panel", () => (/Debug[^]*\n {2}x +1\.5 /.test(output.screen) ? true : undefined));
    expect(output.screen).not.toContain("PAUSED");
    const pid = findVivid(child.pid)!;
    expect(pid).toBeGreaterThan(0);

    type("p");
    await waitFor("PAUSED in the header", () => (output.screen.includes("PAUSED") ? true : undefined), 5_000);
    await Bun.sleep(1500);
    const pausedFrom = events(stats).length;
    const cpuBefore = cpuSeconds(pid);
    const wallBefore = performance.now();
    await Bun.sleep(4000);
    const cpuPerSecond = (cpuSeconds(pid) - cpuBefore) / ((performance.now() - wallBefore) / 1000);
    const pausedFrames = events(stats).slice(pausedFrom).filter((e) => e.type === "frames");
    // Paused, the loop sleeps between looks at the stats: measured ~0.02 CPU s/s here, against ~0.5
    // (a core busy-spinning on a 2-core machine shared with other work) before it waited.
    expect(cpuPerSecond).toBeLessThan(0.1);
    expect(pausedFrames.length).toBeGreaterThanOrEqual(3);
    for (const frames of pausedFrames) expect(frames.fps).toBe(0);
    // While paused the chain's values are still reported.
    expect(events(stats).slice(pausedFrom).some((e) => e.type === "debug" && e.name === "x" && e.value === 1.5)).toBe(true);

    type("p");
    const resumedFrom = events(stats).length;
    await waitFor("frames drawn again", () => events(stats).slice(resumedFrom).find((e) => e.type === "frames" && (e.fps as number) > 1));
    shownSince();
    await Bun.sleep(1500);
    const redrawn = shownSince();
    expect(redrawn).toContain("p pause");
    expect(redrawn).not.toContain("PAUSED");

    type("q");
    expect(await child.exited).toBe(0);
  }, 90_000);

  test("the window title says PAUSED while paused", async () => {
    const xvfb = await startXvfb(320, 240);
    cleanup.push(() => xvfb.stop());
    const env: Record<string, string | undefined> = { ...process.env, DISPLAY: xvfb.display, WAYLAND_DISPLAY: undefined };
    const { child, stats, type, output } = start("--size 64x64", env);
    await waitFor("the dashboard", () => (output.screen.includes("p pause") ? true : undefined));
    await waitFor("the first frames event", () => events(stats).find((e) => e.type === "frames"));
    const title = () => Bun.spawnSync(["xwininfo", "-root", "-tree"], { env: { ...process.env, DISPLAY: xvfb.display } }).stdout.toString();
    await waitFor("an fps title", () => (/vivid-pause-\w+ — \d+ fps/.test(title()) ? true : undefined), 10_000);

    type("p");
    await waitFor("PAUSED in the title", () => (/vivid-pause-\w+ — PAUSED/.test(title()) ? true : undefined), 5_000);
    type("p");
    await waitFor("the fps title again", () => (/vivid-pause-\w+ — \d+ fps/.test(title()) ? true : undefined), 5_000);

    type("q");
    expect(await child.exited).toBe(0);
  }, 90_000);
});
