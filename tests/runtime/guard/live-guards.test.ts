/**
 * Issue #17's "must show", on a live `bun vivid` of a copy of examples/02-hello-noise (headless, its
 * own process, the chain saved the way editors save): an endless loop saved into update, setup or a
 * module's top level fails that reload with the loop's file:line:col while the running chain keeps
 * drawing, and the fix save recovers; a slow async setup builds while frames keep coming, and one
 * that never settles fails the reload at its timeout.
 */
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, events, tempProject, waitFor, type Json } from "../../helpers/live-run.ts";
import { REPO } from "../../helpers/render.ts";

const HELLO = readFileSync(join(REPO, "examples/02-hello-noise/chain.ts"), "utf8");

/** A live headless run of `dir` writing `--stats` to `stats`. */
function start(dir: string, stats: string, flags: string[] = []) {
  const child = Bun.spawn(["bun", "runtime/cli.ts", dir, "--headless", "--no-dashboard", "--stats", stats, ...flags], { cwd: REPO, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  cleanup.push(() => {
    child.kill("SIGKILL");
    return child.exited;
  });
  return child;
}

/** 1-based line and column of the first `needle` in `text`. */
function placeOf(text: string, needle: string): { line: number; column: number } {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(needle));
  return { line: line + 1, column: lines[line]!.indexOf(needle) + 1 };
}

/** The chain's own frame counter as its `ctx.debug("frame", …)` reports it to --stats (once a second). */
const frameReports = (stats: string) => events(stats).filter((e) => e.type === "debug" && e.name === "frame") as Array<Json & { t: number; value: number }>;
const reloads = (stats: string) => events(stats).filter((e) => e.type === "reload") as Array<Json & { ok: boolean; t: number; swapMs: number; error?: Json }>;

/**
 * Waits until the running chain's frame counter passes `beyond` (and returns it). Generous: a 1080p
 * noise on lavapipe, on a busy 2-core machine, can draw one frame a second.
 */
const framesPast = (stats: string, beyond: number, what: string) => waitFor(what, () => frameReports(stats).find((e) => e.value > beyond)?.value, 60_000);

/**
 * Saves `text` and waits for the ledger entry it gives; returns it with the ms from the save to it,
 * and the frame counter reports that arrived meanwhile with when they arrived (ms after the save).
 */
async function saveAndWaitForEntry(stats: string, save: (text: string) => void, text: string) {
  const seen = reloads(stats).length;
  let reportsSeen = frameReports(stats).length;
  const arrivals: Array<{ atMs: number; value: number }> = [];
  const savedAt = performance.now();
  save(text);
  for (;;) {
    const now = performance.now() - savedAt;
    const reports = frameReports(stats);
    for (const report of reports.slice(reportsSeen)) arrivals.push({ atMs: now, value: report.value });
    reportsSeen = reports.length;
    const entry = reloads(stats)[seen];
    if (entry) return { entry, ms: now, arrivals };
    if (now > 30_000) throw new Error("no ledger entry 30 s after the save");
    await Bun.sleep(10);
  }
}

describe("an endless loop saved into a live hello-noise", () => {
  test("in update: ok:false located at the while within 1 s, frames keep coming, the fix save recovers; the same in setup and at the top level", async () => {
    const { dir, file, stats, save } = tempProject("vivid-loop-guard-", HELLO);
    const child = start(dir, stats);
    await framesPast(stats, 3, "the first frames");

    const cases = [
      { where: "update", text: HELLO.replace("export function update(ctx: Context) {\n", "export function update(ctx: Context) {\n  while (true) {}\n"), limitMs: 250, withinMs: 1000 },
      { where: "setup", text: HELLO.replace("export function setup(ctx: Context) {\n", "export function setup(ctx: Context) {\n  let spins = 0;\n  while (true) { spins++; }\n"), limitMs: 1000, withinMs: 2500 },
      { where: "the module's top level", text: HELLO.replace("export function setup", "for (;;) {}\n\nexport function setup"), limitMs: 1000, withinMs: 2500 },
    ];
    for (const { where, text, limitMs, withinMs } of cases) {
      expect(text, where).not.toBe(HELLO);
      const loopAt = placeOf(text, where === "the module's top level" ? "for (;;)" : "while (true)");
      const { entry, ms } = await saveAndWaitForEntry(stats, save, text);
      expect(entry.ok, where).toBe(false);
      expect(entry.error, where).toMatchObject({ file, line: loopAt.line, column: loopAt.column });
      expect(entry.error!.message as string, where).toContain(`ran past the ${limitMs} ms limit for ${where}`);
      // Before the guard, this save froze the process: no entry ever came.
      expect(ms, where).toBeLessThan(withinMs);

      // The running chain keeps drawing: its frame counter goes on past the failed reload.
      const lastBefore = frameReports(stats).at(-1)!.value;
      await framesPast(stats, lastBefore + 2, `frames after the failed reload in ${where}`);
      expect(child.exitCode).toBeNull();

      // The fix save recovers.
      const fixed = await saveAndWaitForEntry(stats, save, HELLO);
      expect(fixed.entry.ok, where).toBe(true);
    }
    // The thread held by a loop is not a GPU frame that hangs (that would stop the chain).
    expect(events(stats).filter((e) => e.type === "error" && String(e.message).includes("did not finish"))).toEqual([]);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 240_000);
});

describe("builds never block frames", () => {
  test("await Bun.sleep(4000) in setup: the old chain keeps drawing through the build, then the new one is swapped in", async () => {
    const { dir, stats, save } = tempProject("vivid-async-setup-", HELLO);
    const child = start(dir, stats);
    await framesPast(stats, 3, "the first frames");

    const slow = HELLO.replace("export function setup(ctx: Context) {", "export async function setup(ctx: Context) {\n  await Bun.sleep(4000);").replace("noise.scale = 13.3;", "noise.scale = 7;");
    const { entry, ms, arrivals } = await saveAndWaitForEntry(stats, save, slow);
    expect(entry.ok).toBe(true);
    expect(ms).toBeGreaterThan(4000);
    // The frame counter as reported (once a second) while the new chain was building: a larger count
    // each time. Before, the frame loop waited for setup, and no report came from 0.5 s to 3.8 s.
    const during = arrivals.filter((a) => a.atMs > 500 && a.atMs < 3800).map((a) => a.value);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during).toEqual([...during].sort((a, b) => a - b));
    expect(new Set(during).size).toBe(during.length);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 120_000);

  test("an async setup that never settles fails the reload at --setup-timeout, located at setup, while frames go on; the fix save recovers", async () => {
    const { dir, file, stats, save } = tempProject("vivid-stuck-setup-", HELLO);
    const child = start(dir, stats, ["--setup-timeout", "2000"]);
    await framesPast(stats, 3, "the first frames");

    const stuck = HELLO.replace("export function setup(ctx: Context) {", "export async function setup(ctx: Context) {\n  await new Promise(() => {});");
    const { entry, ms } = await saveAndWaitForEntry(stats, save, stuck);
    expect(entry.ok).toBe(false);
    expect(entry.error).toMatchObject({ file, line: placeOf(stuck, "export async function setup").line });
    expect(entry.error!.message as string).toContain("setup() did not settle within 2000 ms");
    expect(ms).toBeGreaterThan(2000);
    expect(ms).toBeLessThan(6000);
    const lastBefore = frameReports(stats).at(-1)!.value;
    await framesPast(stats, lastBefore + 2, "frames after the failed reload");

    const fixed = await saveAndWaitForEntry(stats, save, HELLO);
    expect(fixed.entry.ok).toBe(true);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 120_000);
});
