import { afterAll, describe, expect, test } from "vitest";
import { Feedback, FrameCache, Gradient, Noise, Shape, TimeMachine } from "../../operators/index.ts";
import type { Context } from "../../runtime/chain/context.ts";
import type { Engine } from "../../runtime/engine.ts";
import { DISPATCHES } from "../../runtime/gpu/dispatch.ts";
import { compareGolden, diffImages, engineFor, regionMean, render, sharedGpu, spread } from "../helpers/render.ts";
import { expectOffsetComments, expectParamTable } from "./param-table.ts";

const MEAN_TOLERANCE = 1.5;
const MAX_TOLERANCE = 24;

afterAll(async () => {
  for (const dispatch of DISPATCHES) expect((await sharedGpu(dispatch)).census.live()).toBe(0);
});

/** Rebuilds the running chain from a new module object (what a reload does once the file is imported). */
async function reload(engine: Engine, setup: (ctx: Context) => void): Promise<void> {
  const module = { setup };
  const built = await engine.build(module);
  if (!built.ok) throw new Error(built.error.message);
  engine.swap(built.chain, module);
}

/** A small shape circling the centre: something moving for trails and caches. */
function orbiting(ctx: Context): Shape {
  const shape = ctx.chain.add(Shape, "dot").resolution(64, 64);
  shape.size = [0.2, 0.2];
  shape.color = [1, 0.8, 0.3, 1];
  return shape;
}
function moveDot(ctx: Context): void {
  ctx.chain.get("dot", Shape).position = [0.5 + 0.3 * Math.cos(ctx.time * 12), 0.5 + 0.3 * Math.sin(ctx.time * 12)];
}

describe("Feedback", () => {
  test("params match the original's table; struct offsets match the packing", () => {
    expectParamTable(Feedback, [
      ["decay", "float", 0.95, 0, 1],
      ["mix", "float", 0.5, 0, 1],
      ["offset", "vec2", [0, 0], -100, 100],
      ["zoom", "float", 1, 0.5, 2],
      ["rotate", "float", 0, -0.1, 0.1],
    ]);
    expectOffsetComments(Feedback);
  });

  for (const dispatch of DISPATCHES) test(`a moving dot leaves a fading trail that matches its golden image (${dispatch})`, async () => {
    const engine = await engineFor(
      (ctx) => {
        orbiting(ctx);
        const feedback = ctx.chain.add(Feedback, "feedback").input("dot");
        feedback.decay = 0.97;
        feedback.mix = 0.2;
        feedback.zoom = 1.03;
        feedback.rotate = 0.02;
        ctx.chain.output("feedback");
      },
      { gpu: await sharedGpu(dispatch) },
    );
    engine.module!.update = moveDot;
    const image = await render(engine, 20);
    engine.dispose();
    expect(spread(image.rgba)).toBeGreaterThan(10);
    const diff = compareGolden("feedback-trail", image);
    expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
    expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
  });

  test("steady input converges to input·mix / (1 − decay·(1 − mix)); decay changes the pixels", async () => {
    const engine = await engineFor((ctx) => {
      const shape = ctx.chain.add(Shape, "square").resolution(16, 16);
      shape.type = "rectangle";
      shape.size = [2, 2];
      ctx.chain.add(Feedback, "feedback").input("square").decay = 0.5;
      ctx.chain.output("feedback");
    });
    // x = 0.5·x·0.5 + 0.5 → x = 2/3 after enough frames.
    const steady = await render(engine, 30);
    expect(regionMean(steady, 4, 4, 8, 8)[0]).toBeCloseTo(255 * (2 / 3), -0.5);
    engine.chain!.get("feedback", Feedback).decay = 1;
    const brighter = await render(engine, 30);
    expect(regionMean(brighter, 4, 4, 8, 8)[0]).toBeGreaterThan(245);
    engine.dispose();
  });

  test("the trail survives a reload: same textures, same pixels, then it carries on", async () => {
    const setup = (decay: number) => (ctx: Context) => {
      orbiting(ctx);
      ctx.chain.add(Feedback, "feedback").input("dot").decay = decay;
      ctx.chain.output("feedback");
    };
    const engine = await engineFor(setup(0.95));
    engine.module!.update = moveDot;
    const before = await render(engine, 15);
    const texture = engine.chain!.outputTexture;
    const live = (await sharedGpu()).census.snapshot().kinds.texture.live;

    await reload(engine, setup(0.8)); // a param edit, same names and types
    engine.module!.update = moveDot;
    expect(engine.chain!.outputTexture).toBe(texture);
    expect((await sharedGpu()).census.snapshot().kinds.texture.live).toBe(live);
    const after = rgba(await engine.readOutput());
    expect(diffImages(before.rgba, after).maxAbs).toBe(0);

    const next = await render(engine, 1);
    expect(diffImages(before.rgba, next.rgba).meanAbs).toBeGreaterThan(0.5);
    // It carries on with the new decay: away from the dot, out = previous × decay × (1 − mix) =
    // 0.8 × 0.5 of the trail, so the frame's light is at least ~0.4 of what it was (a trail that went
    // black after the reload — params not uploaded — has only the dot left).
    const light = (rgba: ArrayLike<number>) => {
      let sum = 0;
      for (let i = 0; i < rgba.length; i += 4) sum += rgba[i]! + rgba[i + 1]! + rgba[i + 2]!;
      return sum;
    };
    expect(light(next.rgba)).toBeGreaterThan(0.35 * light(before.rgba));
    engine.dispose();
  });
});

describe("FrameCache and TimeMachine", () => {
  test("params match the original's tables; struct offsets match the packing", () => {
    expectParamTable(FrameCache, [["frameCount", "int", 32, 2, 128]]);
    expectParamTable(TimeMachine, [
      ["depth", "float", 1, 0, 1],
      ["offset", "float", 0, 0, 1],
      ["invert", "bool", false],
    ]);
    expectOffsetComments(TimeMachine);
  });

  const slitScan = (frameCount: number, depth = 1) => (ctx: Context) => {
    const noise = ctx.chain.add(Noise, "noise").resolution(64, 64);
    noise.speed = 3;
    noise.scale = 3;
    ctx.chain.add(FrameCache, "cache").input("noise").frameCount = frameCount;
    const map = ctx.chain.add(Gradient, "map").resolution(64, 64);
    map.angle = Math.PI / 2; // dark at the top, bright at the bottom
    const tm = ctx.chain.add(TimeMachine, "tm").cache("cache").displacementMap("map");
    tm.depth = depth;
    ctx.chain.output("tm");
  };

  for (const dispatch of DISPATCHES) test(`slit-scan of a moving dot matches its golden image (${dispatch})`, async () => {
    const engine = await engineFor(
      (ctx) => {
        orbiting(ctx);
        ctx.chain.add(FrameCache, "cache").input("dot").frameCount = 16;
        ctx.chain.add(TimeMachine, "tm").cache("cache"); // no map: top newest, bottom 15 frames ago
        ctx.chain.output("tm");
      },
      { gpu: await sharedGpu(dispatch) },
    );
    engine.module!.update = moveDot;
    const image = await render(engine, 20);
    engine.dispose();
    expect(spread(image.rgba)).toBeGreaterThan(10);
    const diff = compareGolden("time-machine-slit-scan", image);
    expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
    expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
  });

  test("bright map pixels show the newest frame, dark ones the frame frameCount−1 ago; depth 0 is the newest everywhere", async () => {
    const frames: Uint8Array[] = [];
    const engine = await engineFor((ctx) => {
      slitScan(4)(ctx);
      ctx.chain.get("map", Gradient).angle = 0; // dark left, bright right
    });
    const noise = await engineFor((ctx) => {
      const n = ctx.chain.add(Noise, "noise").resolution(64, 64);
      n.speed = 3;
      n.scale = 3;
      ctx.chain.output("noise");
    });
    for (let i = 0; i < 6; i++) frames.push((await render(noise, 1)).rgba);
    noise.dispose();
    const tm = await render(engine, 6);
    const column = (image: Uint8Array, x: number) => Array.from({ length: 64 }, (_, y) => image.slice((y * 64 + x) * 4, (y * 64 + x) * 4 + 3)).flatMap((p) => [...p]);
    // Right edge: newest (frame 5); left edge: 3 frames older (frame 2).
    expect(diffImages(new Uint8Array(column(tm.rgba, 63)), new Uint8Array(column(frames[5]!, 63))).maxAbs).toBeLessThanOrEqual(6);
    expect(diffImages(new Uint8Array(column(tm.rgba, 0)), new Uint8Array(column(frames[2]!, 0))).maxAbs).toBeLessThanOrEqual(6);
    engine.chain!.get("tm", TimeMachine).depth = 0;
    const newest = await render(engine, 1);
    const cacheOut = await engine.gpu.readTexture(engine.chain!.get("cache", FrameCache).outputTexture!);
    expect(diffImages(newest.rgba, rgba({ pixels: cacheOut })).maxAbs).toBeLessThanOrEqual(1);
    engine.dispose();
  });

  test("the cached frames survive a reload: the slit-scan is the same pixels after as before", async () => {
    const engine = await engineFor(slitScan(8));
    const before = await render(engine, 12);
    const cache = engine.chain!.get("cache", FrameCache);
    const ring = cache.ring;
    const newest = cache.newest;
    await reload(engine, slitScan(8, 1));
    const adopted = engine.chain!.get("cache", FrameCache);
    expect(adopted).not.toBe(cache);
    expect(adopted.ring).toBe(ring);
    expect(adopted.newest).toBe(newest);
    const after = rgba(await engine.readOutput());
    expect(diffImages(before.rgba, after).maxAbs).toBe(0);
    // A different frameCount is a different ring: it starts empty (then holds the frame of its first cook).
    await reload(engine, slitScan(6));
    expect(engine.chain!.get("cache", FrameCache).ring).not.toBe(ring);
    expect(engine.chain!.get("cache", FrameCache).filled).toBe(1);
    engine.dispose();
  });

  test("TimeMachine without a FrameCache says what to call", async () => {
    await expect(
      engineFor((ctx) => {
        ctx.chain.add(Noise, "noise").resolution(8, 8);
        ctx.chain.add(TimeMachine, "tm").cache("noise");
        ctx.chain.output("tm");
      }),
    ).rejects.toThrow(/reads a FrameCache \("noise" is a Noise\): call tm.cache/);
  });
});

function rgba(output: { pixels: Float32Array }): Uint8Array {
  const bytes = new Uint8Array(output.pixels.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, output.pixels[i]!)) * 255);
  return bytes;
}
