import { afterAll, describe, expect, test } from "vitest";
import { Plexus } from "../../operators/index.ts";
import type { Context } from "../../runtime/chain/context.ts";
import { createdSince } from "../../runtime/gpu/census.ts";
import { changedPixels, expectSteadyState } from "../helpers/draw.ts";
import { compareGolden, diffImages, engineFor, render, sharedGpu, spread } from "../helpers/render.ts";

const MEAN_TOLERANCE = 1.5;
const MAX_TOLERANCE = 24;

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
});

function network(ctx: Context, configure?: (p: Plexus) => void): void {
  const plexus = ctx.chain.add(Plexus, "plexus").resolution(64, 64);
  plexus.nodeCount = 80;
  plexus.connectionDistance = 0.18;
  plexus.nodeSize = 0.03;
  configure?.(plexus);
  ctx.chain.output("plexus");
}

describe("Plexus", () => {
  for (const mode of ["2d", "3d"] as const) {
    test(`${mode} at frame 20 matches its golden image`, async () => {
      const engine = await engineFor((ctx) => network(ctx, (p) => (p.enable3D = mode === "3d")));
      const image = await render(engine, 20);
      const plexus = engine.chain!.get("plexus", Plexus);
      expect(plexus.connectionCount).toBeGreaterThan(20);
      engine.dispose();
      expect(spread(image.rgba)).toBeGreaterThan(10);
      const diff = compareGolden(`plexus-${mode}`, image);
      expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
      expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
    });
  }

  test("lines join only nodes closer than connectionDistance; 0 draws no line", async () => {
    const engine = await engineFor((ctx) => network(ctx));
    const joined = await render(engine, 2);
    const plexus = engine.chain!.get("plexus", Plexus);
    const lines = plexus.connectionCount;
    plexus.connectionDistance = 0.05;
    await render(engine, 1);
    expect(plexus.connectionCount).toBeLessThan(lines);
    plexus.connectionDistance = 0;
    const bare = await render(engine, 1);
    expect(plexus.connectionCount).toBe(0);
    engine.dispose();
    expect(changedPixels(joined.rgba, bare.rgba)).toBeGreaterThan(100);
  });

  test("lineColor and lineWidth change the pixels", async () => {
    const engine = await engineFor((ctx) => network(ctx, (p) => (p.turbulence = 0)));
    const plexus = engine.chain!.get("plexus", Plexus);
    plexus.drag = 10; // nearly frozen, so only the style differs
    const white = await render(engine, 1);
    plexus.lineColor = [1, 0, 0, 0.8];
    const red = await render(engine, 1);
    plexus.lineWidth = 4;
    const wide = await render(engine, 1);
    engine.dispose();
    expect(changedPixels(white.rgba, red.rgba)).toBeGreaterThan(100);
    expect(changedPixels(red.rgba, wide.rgba)).toBeGreaterThan(100);
  });

  test("a reload keeps the drifting nodes and creates no buffers", async () => {
    const gpu = await sharedGpu();
    const setup = (ctx: Context) => network(ctx);
    const engine = await engineFor(setup);
    await render(engine, 10);
    const before = gpu.census.snapshot();
    const built = await engine.build({ setup });
    if (!built.ok) throw new Error(built.error.message);
    engine.swap(built.chain, { setup });
    expect(createdSince(before, gpu.census.snapshot()).buffer).toBe(0);
    const afterReload = await render(engine, 10);
    engine.dispose();
    const straight = await engineFor(setup);
    const expected = await render(straight, 20);
    straight.dispose();
    // The build's first cook sees the previous frame's time (the turbulence noise reads time), so
    // the two runs differ by a hair, not by a restart.
    expect(diffImages(afterReload.rgba, expected.rgba).meanAbs).toBeLessThan(1);
  });

  test("100 frames (3D) create no GPU objects after warm-up; dispose releases everything", async () => {
    const gpu = await sharedGpu();
    const engine = await engineFor((ctx) => network(ctx, (p) => (p.enable3D = true)));
    await expectSteadyState(engine);
    engine.dispose();
    expect(gpu.census.live()).toBe(0);
  });
});
