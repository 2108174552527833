import { afterAll, describe, expect, test } from "vitest";
import { Gradient, Noise, NOISE_TYPES, SolidColor, GRADIENT_MODES } from "../../operators/index.ts";
import { DISPATCHES } from "../../runtime/gpu/dispatch.ts";
import { compareGolden, engineFor, regionMean, render, sharedGpu, spread } from "../helpers/render.ts";

// Goldens are 64×64 at frame 10 of 60 fps fixed time. Tolerance: lavapipe and hardware GPUs differ in
// the last bits of transcendental functions; a mean of 1.5/255 and no pixel off by more than 24/255
// still catches any visible change (a param change moves the mean by tens).
const MEAN_TOLERANCE = 1.5;
const MAX_TOLERANCE = 24;

afterAll(async () => {
  for (const dispatch of DISPATCHES) expect((await sharedGpu(dispatch)).census.live()).toBe(0);
});

describe("Noise", () => {
  for (const [type, dispatch] of NOISE_TYPES.flatMap((t) => DISPATCHES.map((d) => [t, d] as const))) {
    test(`${type} matches its golden image and is not uniform (${dispatch})`, async () => {
      const engine = await engineFor(
        (ctx) => {
          const noise = ctx.chain.add(Noise, "noise").resolution(64, 64);
          noise.type = type;
          ctx.chain.output("noise");
        },
        { gpu: await sharedGpu(dispatch) },
      );
      const image = await render(engine, 10);
      engine.dispose();
      expect(spread(image.rgba)).toBeGreaterThan(10);
      const diff = compareGolden(`noise-${type}`, image);
      expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
      expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
    });
  }

  test("changing scale changes the pixels; speed 0 freezes it", async () => {
    const engine = await engineFor((ctx) => {
      const noise = ctx.chain.add(Noise, "noise").resolution(64, 64);
      noise.speed = 0;
      ctx.chain.output("noise");
    });
    const a = await render(engine, 1);
    const still = await render(engine, 5);
    expect(still.rgba).toEqual(a.rgba);
    engine.chain!.get("noise", Noise).scale = 9;
    const b = await render(engine, 1);
    engine.dispose();
    let changed = 0;
    for (let i = 0; i < a.rgba.length; i += 4) if (Math.abs(a.rgba[i]! - b.rgba[i]!) > 8) changed++;
    expect(changed).toBeGreaterThan(64 * 64 * 0.3);
  });
});

describe("SolidColor", () => {
  test("fills the output with its colour", async () => {
    const engine = await engineFor((ctx) => {
      const solid = ctx.chain.add(SolidColor, "solid").resolution(32, 16);
      solid.color = [1, 0.5, 0.25, 1];
      ctx.chain.output("solid");
    });
    const image = await render(engine);
    engine.dispose();
    expect(image.width).toBe(32);
    expect(image.height).toBe(16);
    expect(regionMean(image, 0, 0, 32, 16)).toEqual([255, 128, 64, 255]);
    const diff = compareGolden("solid-color", image);
    expect(diff.maxAbs).toBe(0);
  });
});

describe("Gradient", () => {
  for (const [mode, dispatch] of GRADIENT_MODES.flatMap((m) => DISPATCHES.map((d) => [m, d] as const))) {
    test(`${mode} matches its golden image (${dispatch})`, async () => {
      const engine = await engineFor(
        (ctx) => {
          const gradient = ctx.chain.add(Gradient, "gradient").resolution(64, 64);
          gradient.mode = mode;
          gradient.colorA = [1, 0, 0, 1];
          gradient.colorB = [0, 0, 1, 1];
          ctx.chain.output("gradient");
        },
        { gpu: await sharedGpu(dispatch) },
      );
      const image = await render(engine);
      engine.dispose();
      const diff = compareGolden(`gradient-${mode}`, image);
      expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
      expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
    });
  }

  test("linear runs from colorA on the left to colorB on the right; angle π flips it", async () => {
    const engine = await engineFor((ctx) => {
      const gradient = ctx.chain.add(Gradient, "gradient").resolution(64, 64);
      gradient.colorA = [1, 0, 0, 1];
      gradient.colorB = [0, 0, 1, 1];
      ctx.chain.output("gradient");
    });
    const image = await render(engine);
    const [leftR, , leftB] = regionMean(image, 0, 0, 4, 64);
    const [rightR, , rightB] = regionMean(image, 60, 0, 4, 64);
    expect(leftR).toBeGreaterThan(230);
    expect(leftB).toBeLessThan(25);
    expect(rightB).toBeGreaterThan(230);
    expect(rightR).toBeLessThan(25);
    engine.chain!.get("gradient", Gradient).angle = Math.PI;
    const flipped = await render(engine);
    engine.dispose();
    expect(regionMean(flipped, 0, 0, 4, 64)[2]).toBeGreaterThan(230);
  });
});
