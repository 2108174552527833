/**
 * The 3D examples as chain files (loaded the way `bun vivid` loads them): goldens at a fixed time,
 * and the census of shadow-point — nothing created per frame after warm-up, nothing created by a
 * reload of the same chain, nothing alive after dispose. Goldens are shrunk to 128×72 with 256² shadow
 * maps; the census runs at the example's own size (1280×720, 1024² × 6), so the reloaded chain,
 * built from the file, asks for exactly the textures the running one holds.
 */
import { describe, expect, test } from "vitest";
import { resolve } from "node:path";
import { GPU_KINDS, PER_FRAME_KINDS, createdSince } from "../../../runtime/gpu/census.ts";
import type { Engine as EngineType } from "../../../runtime/engine.ts";
import type { Gpu as GpuType } from "../../../runtime/gpu/gpu.ts";
import type { Render3D } from "../../../operators/3d/render3d.ts";
import { REPO, compareGolden, regionMean, spread } from "../../helpers/render.ts";
import { native } from "../../helpers/native.ts";
import { rgbaFloatToBytes } from "../../../runtime/snapshot.ts";

const { Engine } = native.engine;
const { Gpu } = native.gpu;

async function loadExample(gpu: GpuType, name: string, small = true): Promise<EngineType> {
  const projectDir = resolve(REPO, "examples", name);
  const engine = new Engine(gpu, { projectDir, chainFile: resolve(projectDir, "chain.ts"), width: 128, height: 72, fixedFps: 60 });
  const built = await engine.load();
  if (!built.ok) throw new Error(built.error.message);
  if (small) shrink(engine);
  return engine;
}

function shrink(engine: EngineType): void {
  const render = engine.chain!.get("render") as Render3D;
  render.resolution(128, 72);
  render.setParam("shadowMapResolution", 256);
}

async function frames(engine: EngineType, count: number) {
  for (let i = 0; i < count; i++) engine.frame();
  const { width, height, pixels } = await engine.readOutput();
  return { width, height, rgba: rgbaFloatToBytes(pixels) };
}

describe("3D examples", () => {
  test("lighting-test at t = 0.5 s matches its golden; the red, blue and green lights show", async () => {
    const gpu = await Gpu.open();
    const engine = await loadExample(gpu, "lighting-test");
    const image = await frames(engine, 31);
    engine.dispose();
    expect(gpu.census.live()).toBe(0);
    gpu.destroy();
    const diff = compareGolden("example-lighting-test", image);
    expect(diff.meanAbs).toBeLessThan(1.5);
    expect(diff.maxAbs).toBeLessThan(32);
    // Left of the ground is lit red, right blue, the centre green (the spot)
    const [lr, , lb] = regionMean(image, 20, 55, 8, 8);
    const [rr, , rb] = regionMean(image, 100, 55, 8, 8);
    expect(lr).toBeGreaterThan(lb! * 1.5);
    expect(rb).toBeGreaterThan(rr! * 1.5);
    // The far ground is lit grey from above by the fill, whose direction (0, −1, 0.5) is the way its
    // light travels: at least albedo 0.7 × (ambient 0.1 + intensity 0.5 × N·L 0.894) = 0.38 (98 of
    // 255) in every channel, more where the coloured lights still reach. (Taken as pointing toward
    // the light, it lit the ground from below: ambient alone, 0.07.)
    for (const channel of regionMean(image, 84, 23, 6, 3).slice(0, 3)) {
      expect(channel).toBeGreaterThan(95);
      expect(channel).toBeLessThan(140);
    }
  });

  test("shadow-point: no GPU object created per frame after warm-up, none by a reload, none left after dispose", async () => {
    const gpu = await Gpu.open();
    const engine = await loadExample(gpu, "shadow-point", false);

    const WARM_UP = 5;
    const MEASURED = 60;
    for (let i = 0; i < WARM_UP; i++) engine.frame();
    await gpu.idle();
    const afterWarmUp = gpu.census.snapshot();
    for (let i = 0; i < MEASURED; i++) engine.frame();
    await gpu.idle();
    const created = createdSince(afterWarmUp, gpu.census.snapshot());
    for (const kind of GPU_KINDS) {
      if (PER_FRAME_KINDS.has(kind)) continue;
      expect({ kind, created: created[kind] }).toEqual({ kind, created: 0 });
    }
    // The light moves every frame: 6 cube-face shadow passes + the main pass, one encoder per frame.
    expect(created.renderPass).toBe(MEASURED * 7);
    expect(created.commandEncoder).toBe(MEASURED);
    for (const kind of PER_FRAME_KINDS) expect(gpu.census.live(kind)).toBe(0);
    expect(gpu.census.live("renderPipeline")).toBe(3); // lit triangles, wireframe, shadow depth

    // A reload with the same chain: operators keep name and type, so pipelines, bind groups,
    // textures, buffers and views all come from the caches.
    const { entry } = await engine.reload("chain.ts");
    expect(entry.ok).toBe(true);
    engine.frame();
    await gpu.idle();
    expect(entry.created).toEqual({ shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 });

    engine.dispose();
    expect(gpu.census.live()).toBe(0);
    expect(gpu.census.gpuBytes).toBe(0);
    gpu.destroy();
  }, 60_000);

  test("shadow-point at t = 0.5 s matches its golden: lit objects, a shadow on the ground", async () => {
    const gpu = await Gpu.open();
    const engine = await loadExample(gpu, "shadow-point");
    const image = await frames(engine, 31);
    engine.dispose();
    gpu.destroy();
    expect(spread(image.rgba)).toBeGreaterThan(10);
    const diff = compareGolden("example-shadow-point", image);
    expect(diff.meanAbs).toBeLessThan(1.5);
    expect(diff.maxAbs).toBeLessThan(32);
  });
});
