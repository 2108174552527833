import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renameSync, rmSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { openWatchedEngine, type WatchedEngine } from "../../helpers/watched-engine.ts";
import { editorSaves } from "./editor-saves.ts";
import { positionOf } from "./native.ts";
import type { ReloadEntry } from "../../../runtime/engine.ts";

// Each way editors save a file, on real files, through the whole path a save takes in `bun vivid`:
// the real watcher, the Reloader's queue applied between frames of a running frame loop, and
// Engine.reload on the real device. What the user sees is the ledger (Reloader's onReload, which
// main.ts hands to the stats stream, the dashboard and the overlay): one entry per save, ok, and the
// chain running what was saved. Many of these saves pass through a missing or half-written file.
const { TRANSIENT_GRACE_MS } = createRequire(import.meta.url)("../../../runtime/reload/watcher.ts") as typeof import("../../../runtime/reload/watcher.ts");

let watched: WatchedEngine;
let running = true;
let frameLoop: Promise<void>;
/** The ledger: every entry the Reloader reported, in order. */
const ledger: ReloadEntry[] = [];
/** Every reload the Reloader ran, reported or not: shows which saves met a transient state. */
const attempts: { ok: boolean; message?: string; ms: number }[] = [];

const chainText = (scale: number) => `import { Noise } from "vivid";

// A chain as a user writes it; the scale is what each save changes.
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(16, 16);
  noise.speed = 0;
  noise.scale = ${scale};
  ctx.chain.output("noise");
}
`;

/** The scale the running chain has: what the last applied save set. */
const runningScale = () => (watched.engine.chain!.get("noise") as unknown as { scale: number }).scale;

beforeAll(async () => {
  // Every reload the Reloader runs is timed and kept in `attempts`, reported or not.
  const timeReloads = (engine: WatchedEngine["engine"]) => {
    const reload = engine.reload.bind(engine);
    engine.reload = async (...args) => {
      const startedAt = performance.now();
      const result = await reload(...args);
      attempts.push({ ok: result.entry.ok, message: result.entry.error?.message, ms: performance.now() - startedAt });
      return result;
    };
  };
  watched = await openWatchedEngine("vivid-save-styles-", chainText(1), { onReload: (entry) => ledger.push(entry), watchShaders: false }, timeReloads);
  // The frame loop of runtime/main.ts, without a window: a queued reload is applied between frames.
  frameLoop = (async () => {
    const inFlight: Promise<unknown>[] = [];
    while (running) {
      if (watched.reloader.pending) await watched.reloader.apply();
      watched.engine.frame();
      inFlight.push(watched.gpu.queue.onSubmittedWorkDone());
      if (inFlight.length >= 2) await watched.reloader.waitFor(inFlight.shift()!);
      else await new Promise((resolve) => setImmediate(resolve));
      await Bun.sleep(4); // ~200 fps at most: leaves the busy machine's cores to the watcher
    }
    await Promise.all(inFlight);
  })();
});

afterAll(async () => {
  running = false;
  await frameLoop;
  await watched.reloader.close();
  watched.engine.dispose();
  expect(watched.gpu.census.live()).toBe(0);
  watched.gpu.destroy();
  rmSync(watched.dir, { recursive: true, force: true });
  const failedMs = attempts.filter((attempt) => !attempt.ok).map((attempt) => attempt.ms).sort((a, b) => a - b);
  const reportedFailures = ledger.filter((entry) => !entry.ok).length;
  console.log(
    `[save styles] ${ledger.length} ledger entries, ${attempts.length} reloads run; ${failedMs.length} failed, ${reportedFailures} of them reported (the rest met a passing state of a save)` +
      `; a failed reload held the frame loop median ${failedMs[failedMs.length >> 1]?.toFixed(1)} ms, max ${failedMs.at(-1)?.toFixed(1)} ms`,
  );
});

/** Polls `condition` until it holds; the timeout is generous because the test machine is shared. */
async function waitUntil(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(5);
  }
}

// Long enough that a held failure (reported TRANSIENT_GRACE_MS after its reload) or a late watcher
// event would have shown, with room for timers that fire late on a loaded machine.
const QUIET_MS = 3 * TRANSIENT_GRACE_MS;

/** Waits until the ledger has had no new entry and no reload was queued for QUIET_MS. */
async function quietPeriod(): Promise<void> {
  let count = ledger.length;
  let quietSince = performance.now();
  while (performance.now() - quietSince < QUIET_MS) {
    await Bun.sleep(10);
    if (ledger.length !== count || watched.reloader.pending) {
      count = ledger.length;
      quietSince = performance.now();
    }
  }
}

const savesPerStyle = 3;

describe("every save style is one ok ledger entry, and the saved chain runs", () => {
  let scale = 2;
  for (const [style, save] of Object.entries(editorSaves)) {
    test(style, async () => {
      for (let i = 1; i <= savesPerStyle; i++) {
        scale = Math.round((scale + 0.7) * 10) / 10;
        if (scale > 19) scale = 2;
        const before = ledger.length;
        await save(watched.chainFile, chainText(scale));
        await waitUntil(`the ledger entry of save ${i}`, () => ledger.length > before);
        await quietPeriod();
        const entries = ledger.slice(before).map((entry) => ({ ok: entry.ok, file: entry.file, error: entry.error?.message }));
        expect(entries, `save ${i}`).toEqual([{ ok: true, file: "chain.ts", error: undefined }]);
        expect(runningScale(), `save ${i}`).toBe(scale);
      }
    });
  }
});

describe("failures that stay", () => {
  test("a saved syntax error shows once, after the grace period, with file:line:col; the old chain keeps running", async () => {
    const good = chainText(5.25);
    writeFileSync(watched.chainFile, good);
    await waitUntil("the good chain", () => runningScale() === 5.25);
    await quietPeriod();
    const broken = good.replace("noise.scale = 5.25;", "noise.scale = = 5.25;");
    const before = ledger.length;
    writeFileSync(`${watched.chainFile}.tmp`, broken);
    renameSync(`${watched.chainFile}.tmp`, watched.chainFile);
    const savedAt = performance.now();
    await waitUntil("the error's ledger entry", () => ledger.length > before);
    const shownAfterMs = performance.now() - savedAt;
    await quietPeriod();
    expect(ledger.length - before).toBe(1);
    const entry = ledger[before]!;
    expect(entry.ok).toBe(false);
    // The second "=" is the unexpected token.
    const at = positionOf(broken, "= 5.25;");
    expect({ file: entry.error?.file, line: entry.error?.line, column: entry.error?.column }).toEqual({ file: watched.chainFile, ...at });
    expect(entry.error?.message).toMatch(/Unexpected/);
    expect(shownAfterMs).toBeGreaterThanOrEqual(TRANSIENT_GRACE_MS);
    expect(runningScale()).toBe(5.25);

    const fixBefore = ledger.length;
    writeFileSync(watched.chainFile, chainText(6.25));
    await waitUntil("the fix", () => ledger.length > fixBefore);
    await quietPeriod();
    expect(ledger.slice(fixBefore).map((e) => e.ok)).toEqual([true]);
    expect(runningScale()).toBe(6.25);
  });

  test("a chain file deleted and left missing is reported once, after the grace period", async () => {
    const before = ledger.length;
    unlinkSync(watched.chainFile);
    const deletedAt = performance.now();
    await waitUntil("the missing file's ledger entry", () => ledger.length > before);
    const shownAfterMs = performance.now() - deletedAt;
    await quietPeriod();
    expect(ledger.slice(before).map((e) => e.ok)).toEqual([false]);
    expect(ledger[before]!.error?.message).toMatch(/ENOENT.*chain\.ts/);
    expect(shownAfterMs).toBeGreaterThanOrEqual(TRANSIENT_GRACE_MS);
    expect(runningScale()).toBe(6.25);
    const restored = ledger.length;
    writeFileSync(watched.chainFile, chainText(7.25));
    await waitUntil("the restored file", () => ledger.length > restored);
    await quietPeriod();
    expect(ledger.slice(restored).map((e) => e.ok)).toEqual([true]);
    expect(runningScale()).toBe(7.25);
  });

  test("saving the same text again reloads (a deliberate re-save is not taken for a duplicate event)", async () => {
    const text = chainText(7.25);
    const before = ledger.length;
    writeFileSync(watched.chainFile, text);
    await waitUntil("the re-save", () => ledger.length > before);
    await quietPeriod();
    expect(ledger.slice(before).map((e) => e.ok)).toEqual([true]);
    // A touch (new modification time, same bytes) is a save too: people touch a file to reload it.
    const touched = ledger.length;
    const now = new Date();
    utimesSync(watched.chainFile, now, now);
    await waitUntil("the touch", () => ledger.length > touched);
    await quietPeriod();
    expect(ledger.slice(touched).map((e) => e.ok)).toEqual([true]);
  });
});
