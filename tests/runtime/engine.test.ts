import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { native } from "../helpers/native.ts";
import { diffImages } from "../helpers/render.ts";
import { rgbaFloatToBytes } from "../../runtime/snapshot.ts";
import type { ChainError } from "../../runtime/reload/errors.ts";
import type { ErrorPhase } from "../../runtime/engine.ts";

// Frame-time errors and the clock, on the real device with real chain files: a throw in update() or
// in an operator's cook is reported once and the frame keeps the last good output; ctx.time runs on
// through reloads, ok or failed.
const { Engine } = native.engine;
const { Gpu } = native.gpu;

type EngineT = InstanceType<typeof Engine>;
let gpu: import("../../runtime/gpu/gpu.ts").Gpu;
let dir: string;
let chainFile: string;
const errors: Array<{ error: ChainError; phase: ErrorPhase }> = [];

/** Saves like most editors do: write a temp file, rename it over the original. */
function save(text: string): string {
  writeFileSync(`${chainFile}.tmp-save`, text);
  renameSync(`${chainFile}.tmp-save`, chainFile);
  return chainFile;
}

/**
 * Noise → Fragile (a Brightness whose cook throws while contrast > 2) → output. `update` is the body
 * of update(ctx); the line numbers below count from the first line of this text.
 */
const chain = (update = "") => `import { Noise, Brightness, LFO, defineOperator } from "vivid";
class Fragile extends Brightness {
  cook(ctx) {
    if (this.contrast > 2) throw new Error("fragile cook failed");
    super.cook(ctx);
  }
}
defineOperator(Fragile);
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(32, 32);
  noise.speed = 0;
  noise.scale = 4;
  ctx.chain.add(Fragile, "fragile").input("noise");
  ctx.chain.add(LFO, "lfo").waveform = "saw";
  ctx.chain.output("fragile");
}
export function update(ctx) {
${update}
}
`;
const UPDATE_LINE = 18; // the first line of the update body

async function newEngine(fixedFps?: number): Promise<EngineT> {
  const engine = new Engine(gpu, { projectDir: dir, chainFile, width: 32, height: 32, fixedFps });
  engine.onError = (error, phase) => errors.push({ error, phase });
  const built = await engine.load();
  if (!built.ok) throw new Error(built.error.message);
  return engine;
}

async function output(engine: EngineT): Promise<Uint8Array> {
  return rgbaFloatToBytes((await engine.readOutput()).pixels);
}

async function reloadOk(engine: EngineT, text: string): Promise<void> {
  (globalThis as { updateCalls?: number }).updateCalls = 0;
  const { entry, done } = await engine.reload(save(text));
  expect(entry.ok, entry.error?.message).toBe(true);
  for (let i = 0; i < 3; i++) engine.frame();
  await done;
}

beforeAll(async () => {
  gpu = await Gpu.open();
  dir = mkdtempSync(join(tmpdir(), "vivid-engine-"));
  chainFile = join(dir, "chain.ts");
});

afterAll(() => {
  expect(gpu.census.live()).toBe(0);
  gpu.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe("a throw at frame time", () => {
  test("in update(): the frame keeps the last good output, reported once; a successful save re-arms the report", async () => {
    errors.length = 0;
    save(chain());
    const engine = await newEngine(60);
    engine.frame();
    const good = await output(engine);

    // The throw comes after an edit, so a frame that ran the cook anyway would show other pixels. It
    // spares the first update, which is part of the reload (a chain that throws at once is refused).
    errors.length = 0;
    await reloadOk(engine, chain('  if (++globalThis.updateCalls > 1) ctx.chain.get("noise").scale = 9;\n  if (globalThis.updateCalls > 1) throw new Error("update broke");')); // 3 frames
    for (let i = 0; i < 10; i++) engine.frame();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.phase).toBe("update");
    expect(errors[0]!.error.message).toMatch(/update broke/);
    expect(errors[0]!.error.file).toBe(chainFile);
    expect(errors[0]!.error.line).toBe(UPDATE_LINE + 1);
    expect(diffImages(good, await output(engine)).maxAbs).toBe(0);

    // A save that fixes it: no more reports.
    await reloadOk(engine, chain('  ctx.chain.get("noise").scale = 4;'));
    for (let i = 0; i < 5; i++) engine.frame();
    expect(errors).toHaveLength(1);

    // A later throw, after that successful save, is reported again (once).
    await reloadOk(engine, chain('  if (++globalThis.updateCalls > 1) throw new Error("update broke again");'));
    for (let i = 0; i < 10; i++) engine.frame();
    expect(errors.map((e) => e.error.message)).toEqual([expect.stringMatching(/update broke$/), expect.stringMatching(/update broke again/)]);
    expect(errors[1]!.error.line).toBe(UPDATE_LINE);
    engine.dispose();
  });

  test("in a cook: the output keeps the last good pixels, reported once; once it stops throwing the output shows the current params", async () => {
    errors.length = 0;
    save(chain());
    const engine = await newEngine(60);
    engine.frame();
    const good = await output(engine);

    // An upstream edit (noise cooks into the frame) and a cook that throws downstream of it.
    engine.chain!.get("noise")!.setParam("scale", 9);
    engine.chain!.get("fragile")!.setParam("contrast", 2.5);
    for (let i = 0; i < 10; i++) engine.frame();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.phase).toBe("cook");
    expect(errors[0]!.error.message).toMatch(/fragile cook failed/);
    expect(errors[0]!.error.file).toBe(chainFile);
    expect(errors[0]!.error.line).toBe(4);
    expect(diffImages(good, await output(engine)).maxAbs).toBe(0);

    // It stops throwing: the output is noise at scale 9, as a fresh chain with scale 9 renders it.
    engine.chain!.get("fragile")!.setParam("contrast", 1);
    engine.frame();
    const recovered = await output(engine);
    await reloadOk(engine, chain().replace("noise.scale = 4", "noise.scale = 9"));
    const reference = await output(engine);
    expect(diffImages(good, reference).meanAbs).toBeGreaterThan(5);
    expect(diffImages(reference, recovered).maxAbs).toBe(0);
    expect(errors).toHaveLength(1);

    // After that successful save, a new throw in a cook is reported again.
    engine.chain!.get("fragile")!.setParam("contrast", 3);
    for (let i = 0; i < 5; i++) engine.frame();
    expect(errors).toHaveLength(2);
    expect(errors[1]!.phase).toBe("cook");
    engine.dispose();
  });
});

describe("ctx.time across reloads", () => {
  test("deterministic time runs on by one frame per frame through an ok and a failed reload; the LFO does not jump", async () => {
    save(chain());
    const engine = await newEngine(60);
    const times: number[] = [];
    const step = () => {
      engine.frame();
      times.push(engine.ctx.time);
    };
    for (let i = 0; i < 5; i++) step();
    await reloadOk(engine, chain().replace("noise.scale = 4", "noise.scale = 6")); // 3 frames
    for (let i = 0; i < 2; i++) step();
    const failed = await engine.reload(save(chain().replace("noise.scale = 4", "noise.scale = ;")));
    expect(failed.entry.ok).toBe(false);
    for (let i = 0; i < 2; i++) step();
    // Frames 0-4, three frames inside reloadOk (5-7), 8-9, then 10-11.
    expect(times.map((t) => Math.round(t * 60))).toEqual([0, 1, 2, 3, 4, 8, 9, 10, 11]);
    // The LFO's cycles accumulate Δtime × frequency (1 Hz): equal to the time if the time never went back.
    const lfo = engine.chain!.get("lfo") as unknown as { cycles: number; value: number };
    expect(lfo.cycles).toBeCloseTo(11 / 60, 9);
    expect(lfo.value).toBeCloseTo(11 / 60, 9);
    engine.dispose();
  });

  test("real time keeps counting from the engine's start through an ok and a failed reload", async () => {
    save(chain());
    const engine = await newEngine();
    for (let i = 0; i < 3; i++) engine.frame();
    await Bun.sleep(120);
    engine.frame();
    const before = engine.ctx.time;
    expect(before).toBeGreaterThan(0.1);
    await reloadOk(engine, chain().replace("noise.scale = 4", "noise.scale = 6"));
    const afterOk = engine.ctx.time;
    const failed = await engine.reload(save("export function setup( {"));
    expect(failed.entry.ok).toBe(false);
    await Bun.sleep(20);
    engine.frame();
    const afterFailed = engine.ctx.time;
    expect(afterOk).toBeGreaterThan(before);
    expect(afterFailed).toBeGreaterThan(afterOk + 0.015);
    engine.dispose();
  });
});
