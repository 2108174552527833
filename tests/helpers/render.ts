import { fileURLToPath } from "node:url";
/**
 * Test helpers: one real GPU per test file (lavapipe in CI) and chains built from an inline setup.
 */
import { dirname, resolve } from "node:path";
import type { Context } from "../../runtime/chain/context.ts";
import { Engine } from "../../runtime/engine.ts";
import { Gpu } from "../../runtime/gpu/gpu.ts";
import type { Dispatch } from "../../runtime/gpu/dispatch.ts";
import { readPng, rgbaFloatToBytes, encodePng } from "../../runtime/snapshot.ts";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const GOLDEN_DIR = resolve(REPO, "tests/golden");

const shared = new Map<Dispatch, Promise<Gpu>>();
/**
 * One GPU per test file and dispatch: per-pixel operators run as fragment passes (the default, as on
 * lavapipe) or as compute passes (`sharedGpu("compute")`, as on an H100), whatever the adapter rule
 * would pick, so both paths are tested everywhere.
 */
export function sharedGpu(dispatch: Dispatch = "fragment"): Promise<Gpu> {
  let gpu = shared.get(dispatch);
  if (!gpu) shared.set(dispatch, (gpu = Gpu.open({ dispatch })));
  return gpu;
}

/** An engine with deterministic time running `setup` (no chain file involved). */
export async function engineFor(setup: (ctx: Context) => void, options: { fixedFps?: number; gpu?: Gpu } = {}): Promise<Engine> {
  const gpu = options.gpu ?? (await sharedGpu());
  const engine = new Engine(gpu, { projectDir: REPO, chainFile: resolve(REPO, "inline.ts"), width: 64, height: 64, fixedFps: options.fixedFps ?? 60 });
  const module = { setup };
  const built = await engine.build(module);
  if (!built.ok) throw new Error(`chain failed: ${built.error.message}`);
  engine.swap(built.chain, module);
  return engine;
}

/** Renders `frames` frames and returns the output as 8-bit RGBA. */
export async function render(engine: Engine, frames = 1): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  for (let i = 0; i < frames; i++) engine.frame();
  const { width, height, pixels } = await engine.readOutput();
  return { width, height, rgba: rgbaFloatToBytes(pixels) };
}

export interface ImageDiff {
  meanAbs: number;
  maxAbs: number;
}

export function diffImages(a: Uint8Array, b: Uint8Array): ImageDiff {
  if (a.length !== b.length) throw new Error(`image sizes differ: ${a.length} vs ${b.length} bytes`);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { meanAbs: sum / a.length, maxAbs: max };
}

/**
 * Compares with tests/golden/<name>.png. With UPDATE_GOLDEN=1 the golden is (re)written instead;
 * goldens are reviewed by eye before they are committed.
 */
export function compareGolden(name: string, image: { width: number; height: number; rgba: Uint8Array }): ImageDiff {
  const path = resolve(GOLDEN_DIR, `${name}.png`);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) {
    if (process.env.UPDATE_GOLDEN !== "1") throw new Error(`missing golden ${path}: run UPDATE_GOLDEN=1 bun run test, then look at it`);
    writeFileSync(path, encodePng(image.width, image.height, image.rgba));
    return { meanAbs: 0, maxAbs: 0 };
  }
  const golden = readPng(readFileSync(path));
  if (golden.width !== image.width || golden.height !== image.height) {
    throw new Error(`${name}: size ${image.width}x${image.height} differs from golden ${golden.width}x${golden.height}`);
  }
  return diffImages(golden.data, image.rgba);
}

/** Mean of each channel over a rectangle of an RGBA8 image. */
export function regionMean(image: { width: number; rgba: Uint8Array }, x0: number, y0: number, w: number, h: number): number[] {
  const sum = [0, 0, 0, 0];
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      for (let c = 0; c < 4; c++) sum[c]! += image.rgba[(y * image.width + x) * 4 + c]!;
    }
  }
  return sum.map((s) => s / (w * h));
}

/** Standard deviation of the red channel: 0 for a uniform image. */
export function spread(rgba: Uint8Array): number {
  let sum = 0;
  let sq = 0;
  const n = rgba.length / 4;
  for (let i = 0; i < rgba.length; i += 4) {
    sum += rgba[i]!;
    sq += rgba[i]! * rgba[i]!;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sq / n - mean * mean));
}
