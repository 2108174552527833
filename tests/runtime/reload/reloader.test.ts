import { afterAll, beforeAll, expect, test } from "vitest";
import { readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { openWatchedEngine, type WatchedEngine } from "../../helpers/watched-engine.ts";

// The whole path a save takes: real watcher on the project folder and on shaders/, Reloader queue,
// Engine.reload. Saves to the runtime's shaders/ that no live pipeline uses must not reload.
const { SHADERS_DIR } = createRequire(import.meta.url)("../../../runtime/gpu/shaders.ts") as typeof import("../../../runtime/gpu/shaders.ts");

let watched: WatchedEngine;
const applied: string[] = [];
const entries: Array<import("../../../runtime/engine.ts").ReloadEntry> = [];

beforeAll(async () => {
  const text = `import { Noise } from "vivid";\nexport function setup(ctx) { ctx.chain.add(Noise, "n").resolution(16, 16); ctx.chain.output("n"); }\n`;
  watched = await openWatchedEngine("vivid-reloader-", text, {
    onReload: (entry) => {
      applied.push(entry.file);
      entries.push(entry);
    },
  });
});

afterAll(async () => {
  await watched.reloader.close();
  watched.engine.dispose();
  watched.gpu.destroy();
  rmSync(watched.dir, { recursive: true, force: true });
});

/**
 * Runs frames (applying queued reloads between them) until `until` holds — waited for with a
 * generous timeout, since a busy machine can take seconds to compile a pipeline — then `quietMs`
 * more, so that a second reload that should not happen has time to show.
 */
async function settle(quietMs = 400, until: () => boolean = () => true): Promise<void> {
  const step = async () => {
    if (watched.reloader.pending) await watched.reloader.apply();
    watched.engine.frame(); // a replaced chain is released a few frames after the swap
    await Bun.sleep(10);
  };
  const deadline = Date.now() + 20_000;
  while (!until() && Date.now() < deadline) await step();
  const end = Date.now() + quietMs;
  while (Date.now() < end) await step();
}

test("a rename-save of the chain file reloads once", async () => {
  writeFileSync(join(watched.dir, "chain.tmp"), readFileSync(join(watched.dir, "chain.ts"), "utf8").replace("16, 16", "8, 8"));
  renameSync(join(watched.dir, "chain.tmp"), join(watched.dir, "chain.ts"));
  await settle(400, () => applied.length > 0);
  expect(applied).toEqual(["chain.ts"]);
  expect(watched.engine.chain!.outputTexture!.width).toBe(8);
});

test("the ledger entry measures from the saved file's modification time to the first frame swapped in, and to it done", async () => {
  // A file whose mtime says it was saved 1.5 s ago (rename keeps it): both figures start there.
  const temp = join(watched.dir, "chain.tmp");
  writeFileSync(temp, readFileSync(join(watched.dir, "chain.ts"), "utf8").replace("8, 8", "12, 12"));
  const savedAt = new Date(Date.now() - 1500);
  utimesSync(temp, savedAt, savedAt);
  const before = entries.length;
  renameSync(temp, join(watched.dir, "chain.ts"));
  await settle(400, () => entries.length > before);
  expect(entries.length - before).toBe(1);
  const old = entries.at(-1)!;
  expect(old.ok).toBe(true);
  expect(watched.engine.chain!.outputTexture!.width).toBe(12);
  expect(old.savedToSwapMs).toBeGreaterThanOrEqual(1500);
  expect(old.savedToSwapMs).toBeLessThan(1500 + 20_000);
  expect(old.savedToFrameMs).toBeGreaterThanOrEqual(old.savedToSwapMs!);
  // A save made now: a few ms to the frame on an idle machine; bounded generously for a busy one.
  const now = entries.length;
  writeFileSync(join(watched.dir, "chain.ts"), readFileSync(join(watched.dir, "chain.ts"), "utf8").replace("12, 12", "8, 8"));
  await settle(400, () => entries.length > now);
  expect(entries.length - now).toBe(1);
  const fresh = entries.at(-1)!;
  expect(fresh.savedToSwapMs).toBeGreaterThan(0);
  expect(fresh.savedToSwapMs).toBeLessThan(1500);
  expect(fresh.savedToFrameMs).toBeGreaterThanOrEqual(fresh.savedToSwapMs!);
  applied.length = 0;
});

test("a save of a runtime shader no live pipeline uses does not reload; one it uses does", async () => {
  applied.length = 0;
  const unused = join(SHADERS_DIR, "2d/solid-color.wgsl");
  const used = join(SHADERS_DIR, "2d/noise.wgsl");
  const unusedText = readFileSync(unused, "utf8");
  const usedText = readFileSync(used, "utf8");
  try {
    writeFileSync(unused, unusedText);
    await settle();
    expect(applied).toEqual([]);
    writeFileSync(used, usedText);
    await settle(400, () => applied.length > 0);
    expect(applied).toEqual(["2d/noise.wgsl"]);
  } finally {
    writeFileSync(unused, unusedText);
    writeFileSync(used, usedText);
  }
});

// The frame loop waits for the frame before last through reloader.waitFor, so that a save does not
// wait for the GPU. It used to race each frame's wait against one long-lived "requested" promise,
// which collected a reaction per frame until the next save: a run without saves grew ~6 MB of JS
// heap per 100 000 frames (13 MB/h at 60 fps), hidden from the soak by its periodic saves.
test("a frame's wait ends at a save, before its GPU work is done", async () => {
  // The last test's clean-up re-saved noise.wgsl, which the watcher reports within a few ms: apply it first.
  await settle();
  let gpuWork!: () => void;
  const wait = watched.reloader.waitFor(new Promise<void>((resolve) => (gpuWork = resolve)));
  let ended = false;
  void wait.then(() => (ended = true));
  await Bun.sleep(20);
  expect(ended).toBe(false);
  watched.reloader.request("manual");
  await Bun.sleep(0);
  expect(ended).toBe(true);
  gpuWork();
  await watched.reloader.apply();
  await settle(100);
});

test("100 000 frame waits without a save keep no memory", async () => {
  const heap = () => {
    Bun.gc(true);
    return process.memoryUsage().heapUsed / 1048576;
  };
  const before = heap();
  for (let i = 0; i < 100_000; i++) await watched.reloader.waitFor(Promise.resolve());
  const grownMB = heap() - before;
  expect(grownMB).toBeLessThan(1);
});
