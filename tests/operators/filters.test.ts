import { afterAll, describe, expect, test } from "vitest";
import {
  BarrelDistortion,
  Bloom,
  Blur,
  Brightness,
  ChromaticAberration,
  Displace,
  Edge,
  HSV,
  Mirror,
  MIRROR_MODES,
  Pixelate,
  Tile,
  Transform,
  Vignette,
} from "../../operators/index.ts";
import { BLOOM_PASS } from "../../operators/2d/bloom.ts";
import { BLUR_PASS } from "../../operators/2d/blur.ts";
import { defineOperator } from "../../runtime/chain/operator.ts";
import { engineFor, regionMean, render, sharedGpu } from "../helpers/render.ts";
import { checkDeclaration, checkStruct, colorSource, dotSource, effectTests, noiseSource, SIZE, type EffectCase } from "./effect-cases.ts";

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
});

const CASES: EffectCase[] = [
  {
    golden: "blur",
    Type: Blur,
    original: "`radius` float=5 [0–50]; `passes` int=1 [1–10]",
    inputs: (chain) => [noiseSource(chain)],
    configure: (op: Blur) => (op.radius = 3),
    change: (op: Blur) => (op.radius = 8),
  },
  {
    golden: "hsv",
    Type: HSV,
    original: "`hueShift` float=0 [0–1]; `saturation` float=1 [0–3]; `value` float=1 [0–3]",
    inputs: (chain) => [colorSource(chain)],
    configure: (op: HSV) => ((op.hueShift = 0.3), (op.saturation = 0.7)),
    change: (op: HSV) => (op.hueShift = 0.6),
  },
  {
    golden: "brightness",
    Type: Brightness,
    original: "`brightness` float=0 [-1–1]; `contrast` float=1 [0–3]; `gamma` float=1 [0.1–3]",
    inputs: (chain) => [noiseSource(chain)],
    configure: (op: Brightness) => ((op.brightness = 0.05), (op.contrast = 1.8), (op.gamma = 1.3)),
    change: (op: Brightness) => (op.brightness = -0.3),
  },
  {
    golden: "transform",
    Type: Transform,
    original: "`scale` vec2=(1,1) [0–10]; `rotation` float=0 [-6.28–6.28]; `translate` vec2=(0,0) [-2–2]; `pivot` vec2=(0.5,0.5) [0–1]",
    inputs: (chain) => [colorSource(chain, "ramp", "radial")],
    configure: (op: Transform) => ((op.scale = [0.7, 0.5]), (op.rotation = 0.5), (op.translate = [0.1, 0.05])),
    change: (op: Transform) => (op.rotation = 1.2),
  },
  ...MIRROR_MODES.map(
    (mode): EffectCase => ({
      golden: `mirror-${mode}`,
      Type: Mirror,
      original: "`segments` int=6 [2–32]; `angle` float=0 [-6.28–6.28]; `center` vec2=(0.5,0.5) [0–1]",
      modes: { param: "mode", values: ["Horizontal", "Vertical", "Quad", "Kaleidoscope"], default: "Horizontal" },
      inputs: (chain) => [noiseSource(chain)],
      configure: (op: Mirror) => ((op.mode = mode), mode === "kaleidoscope" && (op.center = [0.45, 0.5])),
      change: (op: Mirror) => (mode === "kaleidoscope" ? (op.segments = 3) : (op.center = [0.3, 0.3])),
    }),
  ),
  {
    golden: "displace",
    Type: Displace,
    original: "`strength` float=0.1 [0–1]; `strengthX` float=1 [0–2]; `strengthY` float=1 [0–2]",
    inputs: (chain) => [colorSource(chain, "ramp", "radial"), noiseSource(chain)],
    configure: (op: Displace) => (op.strength = 0.3),
    change: (op: Displace) => (op.strengthX = 0),
  },
  {
    golden: "edge",
    Type: Edge,
    original: "`strength` float=1 [0–5]; `threshold` float=0 [0–1]; `invert` bool=false",
    inputs: (chain) => [noiseSource(chain)],
    configure: (op: Edge) => (op.strength = 1.5),
    change: (op: Edge) => (op.invert = true),
  },
  {
    golden: "pixelate",
    Type: Pixelate,
    original: "`size` vec2=(10,10) [1–100]",
    inputs: (chain) => [noiseSource(chain)],
    configure: (op: Pixelate) => (op.size = [6, 4]),
    change: (op: Pixelate) => (op.size = [12, 12]),
  },
  {
    golden: "tile",
    Type: Tile,
    original: "`repeat` vec2=(2,2) [0.1–20]; `offset` vec2=(0,0) [-1–1]; `mirror` bool=false",
    inputs: (chain) => [colorSource(chain)],
    configure: (op: Tile) => ((op.repeat = [3, 2]), (op.offset = [0.25, 0])),
    change: (op: Tile) => (op.mirror = true),
  },
  {
    golden: "chromatic-aberration",
    Type: ChromaticAberration,
    original: "`amount` float=0.01 [0–0.1]; `angle` float=0 [-6.28–6.28]; `radial` bool=true",
    inputs: (chain) => [noiseSource(chain)],
    configure: (op: ChromaticAberration) => (op.amount = 0.06),
    change: (op: ChromaticAberration) => ((op.radial = false), (op.angle = 1)),
  },
  {
    golden: "bloom",
    Type: Bloom,
    original: "`threshold` float=0.8 [0–1]; `intensity` float=1 [0–5]; `radius` float=10 [1–50]; `passes` int=2 [1–8]",
    inputs: (chain) => [noiseSource(chain)],
    configure: (op: Bloom) => ((op.threshold = 0.55), (op.intensity = 2), (op.radius = 4)),
    change: (op: Bloom) => (op.intensity = 0),
  },
  {
    golden: "vignette",
    Type: Vignette,
    original: "`intensity` float=0.5 [0–2]; `softness` float=0.5 [0–2]; `roundness` float=1 [0–1]",
    inputs: (chain) => [colorSource(chain)],
    configure: (op: Vignette) => (op.intensity = 0.2),
    change: (op: Vignette) => (op.roundness = 0),
  },
  {
    golden: "barrel-distortion",
    Type: BarrelDistortion,
    original: "`curvature` float=0.1 [0–1]",
    inputs: (chain) => [noiseSource(chain)],
    configure: (op: BarrelDistortion) => (op.curvature = 0.5),
    change: (op: BarrelDistortion) => (op.curvature = 0.1),
  },
];

for (const c of CASES) {
  describe(c.golden, () => {
    effectTests(c);
    if (c.golden.startsWith("mirror-") && c.golden !== "mirror-horizontal") return;
    test(`${c.Type.name}: params() match the original's table`, () => checkDeclaration(c));
    if (c.Type === Blur || c.Type === Bloom) return;
    test(`${c.Type.name}: struct Params matches the declaration and its offset comments`, () => checkStruct(c.Type as never));
  });
}

describe("multi-pass uniform structs", () => {
  test("struct BlurPass and struct BloomPass match their declarations and offset comments", () => {
    checkStruct(Blur as never, "BlurPass", BLUR_PASS);
    checkStruct(Bloom as never, "BloomPass", BLOOM_PASS);
  });
});

/** A Blur whose two passes get different radii: the test of their separate uniform buffers. */
class StretchedBlur extends Blur {
  static radii: [number, number] = [0, 0];
  protected override passRadii(): [number, number] {
    return StretchedBlur.radii;
  }
}
defineOperator(StretchedBlur);

/** Brightness along the row and the column through the centre, at `d` pixels out. */
function profile(image: { width: number; rgba: Uint8Array }, d: number): { x: number; y: number } {
  const c = SIZE / 2;
  return { x: (regionMean(image, c + d, c - 1, 1, 2)[0]! + regionMean(image, c - d - 1, c - 1, 1, 2)[0]!) / 2, y: (regionMean(image, c - 1, c + d, 2, 1)[0]! + regionMean(image, c - 1, c - d - 1, 2, 1)[0]!) / 2 };
}

describe("Blur passes have their own uniforms", () => {
  async function blurredDot(radii: [number, number]) {
    StretchedBlur.radii = radii;
    const engine = await engineFor((ctx) => {
      ctx.chain.add(StretchedBlur, "blur").input(dotSource(ctx.chain));
      ctx.chain.output("blur");
    });
    const image = await render(engine, 1);
    engine.dispose();
    return image;
  }

  // The dot (radius ~5 px) is black from 6 px out; a 12 px blur carries light to 9 px.
  test("horizontal radius 12, vertical 0: the dot spreads sideways only", async () => {
    const image = await blurredDot([12, 0]);
    const { x, y } = profile(image, 9);
    expect(x).toBeGreaterThan(10);
    expect(y).toBe(0);
  });

  test("horizontal 0, vertical 12: the dot spreads up and down only", async () => {
    const image = await blurredDot([0, 12]);
    const { x, y } = profile(image, 9);
    expect(y).toBeGreaterThan(10);
    expect(x).toBe(0);
  });

  test("equal radii: the blur is round (one shared buffer would have blurred one direction twice)", async () => {
    const image = await blurredDot([12, 12]);
    for (const d of [3, 6, 9]) {
      const { x, y } = profile(image, d);
      expect(x).toBeGreaterThan(3);
      expect(Math.abs(x - y)).toBeLessThan(2);
    }
  });
});
