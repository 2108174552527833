import { afterAll, describe, expect, test } from "vitest";
import { CRTEffect, Dither, Downsample, FilmGrain, Flash, Quantize, Scanlines } from "../../operators/index.ts";
import { engineFor, regionMean, render, sharedGpu } from "../helpers/render.ts";
import { changedFraction, checkDeclaration, checkStruct, colorSource, effectTests, noiseSource, SIZE, type EffectCase } from "./effect-cases.ts";
import { SolidColor } from "../../operators/index.ts";
import type { Operator, OperatorClass } from "../../runtime/chain/operator.ts";

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
});

const CASES: EffectCase[] = [
  {
    golden: "dither",
    Type: Dither,
    original: "`levels` int=8 [2–256]; `strength` float=1 [0–1]",
    modes: { param: "pattern", values: ["Bayer2x2", "Bayer4x4", "Bayer8x8"], default: "Bayer4x4" },
    inputs: (chain) => [colorSource(chain)],
    configure: (op: Dither) => (op.levels = 2),
    change: (op: Dither) => (op.pattern = "bayer2x2"),
  },
  {
    golden: "quantize",
    Type: Quantize,
    original: "`levels` int=8 [2–256]",
    inputs: (chain) => [colorSource(chain)],
    configure: (op: Quantize) => (op.levels = 4),
    change: (op: Quantize) => (op.levels = 2),
  },
  {
    golden: "scanlines",
    Type: Scanlines,
    original: "`spacing` int=2 [1–20]; `thickness` float=0.5 [0–1]; `intensity` float=0.3 [0–1]; `vertical` bool=false",
    inputs: (chain) => [colorSource(chain)],
    configure: (op: Scanlines) => ((op.spacing = 4), (op.intensity = 0.6)),
    change: (op: Scanlines) => (op.vertical = true),
  },
  {
    golden: "crt-effect",
    Type: CRTEffect,
    original: "`curvature` float=0.1 [0–0.5]; `vignette` float=0.3 [0–1]; `scanlines` float=0.2 [0–1]; `bloom` float=0.1 [0–1]; `chromatic` float=0.02 [0–0.1]",
    inputs: (chain) => [noiseSource(chain)],
    configure: (op: CRTEffect) => ((op.curvature = 0.3), (op.scanlines = 0.8), (op.chromatic = 0.1)),
    change: (op: CRTEffect) => (op.curvature = 0),
  },
  {
    golden: "downsample",
    Type: Downsample,
    original: "`targetW` int=320 [16–1920]; `targetH` int=240 [16–1080]",
    modes: { param: "filter", values: ["Nearest", "Linear"], default: "Nearest" },
    inputs: (chain) => [noiseSource(chain)],
    // 16 × 16: the smallest the declared ranges allow (a smaller value is clamped to 16).
    configure: (op: Downsample) => ((op.targetW = 16), (op.targetH = 16)),
    change: (op: Downsample) => (op.filter = "linear"),
  },
  {
    golden: "film-grain",
    Type: FilmGrain,
    original: "`intensity` float=0.15 [0–1]; `size` float=1 [0.5–4]; `speed` float=24 [0–60]; `colored` float=0 [0–1]",
    inputs: (chain) => [colorSource(chain)],
    configure: (op: FilmGrain) => ((op.intensity = 0.4), (op.size = 2), (op.colored = 0.5)),
    change: (op: FilmGrain) => (op.size = 4),
  },
  {
    golden: "flash",
    Type: Flash,
    original: "`decay` float=0.92 [0.5–0.995]; `color` color=(1,1,1); `mode` int=0 [0–2]",
    // The original's int mode 0/1/2 is a choice here, in the same order.
    deviations: { mode: (info) => expect(info).toMatchObject({ type: "enum", default: "additive", options: ["additive", "screen", "replace"] }) },
    inputs: (chain) => [noiseSource(chain)],
    configure: (op: Flash) => ((op.color = [1, 0.5, 0.1]), (op.mode = "screen"), op.trigger()),
    change: (op: Flash) => op.trigger(1),
  },
];

for (const c of CASES) {
  describe(c.golden, () => {
    effectTests(c);
    test(`${c.Type.name}: params() match the original's table`, () => checkDeclaration(c));
    test(`${c.Type.name}: struct Params matches the declaration and its offset comments`, () => checkStruct(c.Type as never));
  });
}

/** A mid-grey 48×48 source → `fx`, for the time-dependent operators. */
async function onGrey<T extends Operator>(Type: OperatorClass<T>, configure: (op: T) => void) {
  return engineFor((ctx) => {
    const grey = ctx.chain.add(SolidColor, "grey").resolution(SIZE, SIZE);
    grey.color = [0.5, 0.5, 0.5, 1];
    configure(ctx.chain.add(Type, "fx").input("grey"));
    ctx.chain.output("fx");
  });
}

describe("FilmGrain over time", () => {
  test("moves while speed > 0, holds still at speed 0", async () => {
    const engine = await onGrey(FilmGrain, (op) => (op.intensity = 0.5));
    const a = await render(engine, 1);
    const b = await render(engine, 3);
    expect(changedFraction(a, b)).toBeGreaterThan(0.3);
    engine.chain!.get("fx", FilmGrain).speed = 0;
    const still = await render(engine, 1);
    expect(await render(engine, 3)).toEqual(still);
    engine.dispose();
  });
});

describe("Flash", () => {
  test("shows in full on the trigger frame, fades by decay per 1/60 s, then stops cooking", async () => {
    const engine = await onGrey(Flash, (op) => ((op.mode = "replace"), (op.color = [1, 0, 0]), (op.decay = 0.8)));
    const flash = engine.chain!.get("fx", Flash);
    const idle = await render(engine, 1);
    expect(regionMean(idle, 0, 0, SIZE, SIZE)[0]).toBeCloseTo(128, -1);
    flash.trigger();
    const lit = await render(engine, 1);
    expect(regionMean(lit, 0, 0, SIZE, SIZE).slice(0, 3)).toEqual([255, 0, 0]);
    await render(engine, 5);
    expect(flash.intensity).toBeCloseTo(0.8 ** 5, 3);
    await render(engine, 60);
    expect(flash.intensity).toBe(0);
    expect(flash.isTimeDependent()).toBe(false);
    expect(regionMean(await render(engine, 1), 0, 0, SIZE, SIZE)[0]).toBeCloseTo(128, -1);
    engine.dispose();
  });
});
