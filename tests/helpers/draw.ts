/**
 * Shared by the CPU-drawn operator tests (Particles, PointSprites, Plexus, Canvas): an engine whose
 * chain file also has an `update`, and the census check "100 frames create no GPU objects after
 * warm-up".
 */
import { expect } from "vitest";
import type { Context } from "../../runtime/chain/context.ts";
import type { Engine } from "../../runtime/engine.ts";
import { GPU_KINDS, PER_FRAME_KINDS, createdSince } from "../../runtime/gpu/census.ts";
import { engineFor } from "./render.ts";

/** engineFor with an update(ctx) run every frame, as a chain file's. */
export async function engineWithUpdate(setup: (ctx: Context) => void, update?: (ctx: Context) => void): Promise<Engine> {
  const engine = await engineFor(setup);
  if (update) engine.module = { setup, update } as Engine["module"];
  return engine;
}

/** Runs 100 frames; asserts nothing but per-frame objects was created after the first 5. */
export async function expectSteadyState(engine: Engine): Promise<void> {
  const gpu = engine.gpu;
  const WARM_UP = 5;
  for (let i = 0; i < WARM_UP; i++) engine.frame();
  await gpu.idle();
  const afterWarmUp = gpu.census.snapshot();
  for (let i = WARM_UP; i < 100; i++) engine.frame();
  await gpu.idle();
  const created = createdSince(afterWarmUp, gpu.census.snapshot());
  for (const kind of GPU_KINDS) {
    if (PER_FRAME_KINDS.has(kind)) continue;
    expect({ kind, created: created[kind] }).toEqual({ kind, created: 0 });
  }
  for (const kind of PER_FRAME_KINDS) expect(gpu.census.live(kind)).toBe(0);
}

/** Count of pixels whose RGB differs from `rgb` by more than `tolerance` (0..255) in a rectangle. */
export function pixelsDiffering(image: { width: number; rgba: Uint8Array }, rgb: readonly number[], x0 = 0, y0 = 0, w = image.width, h = image.rgba.length / 4 / image.width, tolerance = 8): number {
  let count = 0;
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const o = (y * image.width + x) * 4;
      if (Math.abs(image.rgba[o]! - rgb[0]!) > tolerance || Math.abs(image.rgba[o + 1]! - rgb[1]!) > tolerance || Math.abs(image.rgba[o + 2]! - rgb[2]!) > tolerance) count++;
    }
  }
  return count;
}

/** Pixels that differ (any channel by more than 8) between two images of one size. */
export function changedPixels(a: Uint8Array, b: Uint8Array): number {
  let changed = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (Math.abs(a[i]! - b[i]!) > 8 || Math.abs(a[i + 1]! - b[i + 1]!) > 8 || Math.abs(a[i + 2]! - b[i + 2]!) > 8) changed++;
  }
  return changed;
}
