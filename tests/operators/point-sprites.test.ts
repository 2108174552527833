import { afterAll, describe, expect, test } from "vitest";
import { POINT_PATTERNS, PointSprites } from "../../operators/index.ts";
import type { Context } from "../../runtime/chain/context.ts";
import { changedPixels, expectSteadyState, pixelsDiffering } from "../helpers/draw.ts";
import { compareGolden, engineFor, regionMean, render, sharedGpu } from "../helpers/render.ts";

const MEAN_TOLERANCE = 1.5;
const MAX_TOLERANCE = 24;

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
});

function sprites(ctx: Context, configure?: (p: PointSprites) => void): void {
  const points = ctx.chain.add(PointSprites, "points").resolution(64, 64);
  points.colorMode = "rainbow";
  configure?.(points);
  ctx.chain.output("points");
}

describe("PointSprites", () => {
  for (const pattern of POINT_PATTERNS.filter((p) => p !== "custom")) {
    test(`${pattern} matches its golden image`, async () => {
      const engine = await engineFor((ctx) =>
        sprites(ctx, (p) => {
          p.pattern = pattern;
          p.count = pattern === "grid" ? 36 : 60;
          p.size = 0.03;
        }),
      );
      const image = await render(engine, 1);
      engine.dispose();
      const diff = compareGolden(`point-sprites-${pattern}`, image);
      expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
      expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
    });
  }

  test("a grid of 4 puts one disc of the solid colour at each cell centre, background elsewhere", async () => {
    const engine = await engineFor((ctx) =>
      sprites(ctx, (p) => {
        p.colorMode = "solid";
        p.color = [1, 1, 0, 1];
        p.count = 4;
        p.margin = 0;
        p.size = 0.1; // radius 6.4 px
      }),
    );
    const image = await render(engine, 1);
    engine.dispose();
    // Cell centres at 16 and 48 px.
    for (const [x, y] of [[16, 16], [48, 16], [16, 48], [48, 48]] as const) {
      expect(regionMean(image, x - 2, y - 2, 4, 4)).toEqual([255, 255, 0, 255]);
    }
    expect(pixelsDiffering(image, [0, 0, 0], 28, 0, 8, 64)).toBe(0);
    expect(pixelsDiffering(image, [0, 0, 0], 0, 28, 64, 8)).toBe(0);
  });

  test("positions() places custom points; a pattern change changes the pixels", async () => {
    const engine = await engineFor((ctx) =>
      sprites(ctx, (p) => {
        p.size = 0.06; // radius 3.8 px
        p.positions([0.25, 0.25, 0.75, 0.75]);
      }),
    );
    const custom = await render(engine, 1);
    expect(pixelsDiffering(custom, [0, 0, 0], 14, 14, 4, 4)).toBe(16);
    expect(pixelsDiffering(custom, [0, 0, 0], 46, 14, 4, 4)).toBe(0);
    const points = engine.chain!.get("points", PointSprites);
    points.pattern = "circle";
    const circle = await render(engine, 1);
    engine.dispose();
    expect(changedPixels(custom.rgba, circle.rgba)).toBeGreaterThan(50);
  });

  test("static unless animated: no cook without a change; animate moves the points", async () => {
    const engine = await engineFor((ctx) => sprites(ctx));
    const still = await render(engine, 1);
    expect(engine.frame()).toBe(0);
    engine.chain!.get("points", PointSprites).animate = true;
    expect(engine.frame()).toBe(1);
    const moved = await render(engine, 30);
    engine.dispose();
    expect(changedPixels(still.rgba, moved.rgba)).toBeGreaterThan(20);
  });

  test("100 animated, pulsing frames create no GPU objects after warm-up; dispose releases everything", async () => {
    const gpu = await sharedGpu();
    const engine = await engineFor((ctx) =>
      sprites(ctx, (p) => {
        p.animate = true;
        p.pulseSize = true;
      }),
    );
    await expectSteadyState(engine);
    engine.dispose();
    expect(gpu.census.live()).toBe(0);
  });
});
