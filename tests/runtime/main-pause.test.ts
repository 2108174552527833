/**
 * `p` in the terminal dashboard of a real `bun vivid` process (a real pseudo-terminal, through
 * util-linux `script`): the header says PAUSED, the window title too, the paused loop is idle (its
 * CPU time from /proc/<pid>/stat) and draws nothing (0 fps in the `--stats` file), and `p` again
 * resumes. The chain's `ctx.debug("x", 1.5)` shows in the dashboard's Debug panel.
 */
import { describe, expect, test } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { cleanup, events, startInTerminal, tempProject, waitFor } from "../helpers/live-run.ts";
import { startXvfb } from "./window/xvfb.ts";

const CHAIN = `import { Noise } from "vivid";
export function setup(ctx) { ctx.chain.add(Noise, "noise").resolution(32, 32); ctx.chain.output("noise"); }
export function update(ctx) { ctx.debug("x", 1.5); }
`;

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

/** `bun vivid <temp project> …flags` with its dashboard on a pseudo-terminal, 120 columns wide. */
function start(flags: string, env: Record<string, string | undefined> = process.env) {
  const { dir, stats } = tempProject("vivid-pause-", CHAIN);
  const { child, type, screen } = startInTerminal(`bun vivid ${dir} ${flags} --stats ${stats}`, { ...env, COLUMNS: "120" });
  /** What the terminal showed since the last call. */
  let seen = 0;
  const shownSince = () => {
    const shown = screen();
    const text = shown.slice(seen);
    seen = shown.length;
    return text;
  };
  return { child, stats, type, screen, shownSince };
}

describe("p in the dashboard", () => {
  test("pauses: PAUSED in the header, no frames drawn, the process idle; p again resumes", async () => {
    const { child, stats, type, screen, shownSince } = start("--headless --size 64x64");
    await waitFor("the dashboard", () => (screen().includes("p pause") ? true : undefined));
    await waitFor("two frames events", () => (events(stats).filter((e) => e.type === "frames").length >= 2 ? true : undefined));
    // The Debug panel shows what the chain's update() passed to ctx.debug.
    await waitFor("the Debug panel", () => (/Debug[^]*\n {2}x +1\.5 /.test(screen()) ? true : undefined));
    expect(screen()).not.toContain("PAUSED");
    const pid = findVivid(child.pid)!;
    expect(pid).toBeGreaterThan(0);

    type("p");
    await waitFor("PAUSED in the header", () => (screen().includes("PAUSED") ? true : undefined), 5_000);
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
    const { child, stats, type, screen } = start("--size 64x64", env);
    await waitFor("the dashboard", () => (screen().includes("p pause") ? true : undefined));
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
