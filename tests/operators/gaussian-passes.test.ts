/**
 * Blur's and Bloom's Gaussian passes on their three kernels (operators/2d/gaussian-passes.ts):
 * fragment, the per-pixel compute entry, and the shared-memory compute kernel. Blur is checked against
 * a Gaussian computed here on the CPU from the source's pixels (clamp-to-edge, sigma = radius / 3,
 * taps to ±ceil(radius)), on sizes whose rows and columns are not whole tiles (333×77; 1100 wide and
 * 1100 tall, three tiles of 512 with a partial last one), at radius 0, a fractional radius and 50, the
 * largest; Bloom's shared kernel against its fragment passes. And a blur cooking every frame on compute
 * creates nothing per frame after the first and records two compute passes per frame.
 */
import { afterAll, describe, expect, test } from "vitest";
import { Bloom, Blur, Noise } from "../../operators/index.ts";
import { defineOperator, type TextureOperator } from "../../runtime/chain/operator.ts";
import { DISPATCHES, type Dispatch } from "../../runtime/gpu/dispatch.ts";
import { GAUSSIAN_MAX_TAPS, GAUSSIAN_SHARED_SHADER, GAUSSIAN_TILE } from "../../operators/2d/gaussian-passes.ts";
import { loadShader } from "../../runtime/gpu/shaders.ts";
import { diffImages, engineFor, render, sharedGpu } from "../helpers/render.ts";

afterAll(async () => {
  for (const dispatch of DISPATCHES) expect((await sharedGpu(dispatch)).census.live()).toBe(0);
});

/** Blur through pixel-compute.wgsl's per-pixel entry, as before the shared kernel (the benchmark's too). */
class PerPixelBlur extends Blur {
  protected override sharedKernel(): boolean {
    return false;
  }
}
defineOperator(PerPixelBlur);

class PerPixelBloom extends Bloom {
  protected override sharedKernel(): boolean {
    return false;
  }
}
defineOperator(PerPixelBloom);

type Variant = { name: string; dispatch: Dispatch; Type: typeof Blur | typeof Bloom; kernel: string };
const BLURS: Variant[] = [
  { name: "fragment", dispatch: "fragment", Type: Blur, kernel: "fragment" },
  { name: "compute-pixel", dispatch: "compute", Type: PerPixelBlur, kernel: "compute-pixel" },
  { name: "compute-shared", dispatch: "compute", Type: Blur, kernel: "compute-shared" },
];

/** Still noise of `width` × `height` into `Type` with `configure` applied; the source and the result as floats. */
async function run(variant: Variant, width: number, height: number, configure: (op: any) => void) {
  const gpu = await sharedGpu(variant.dispatch);
  const engine = await engineFor(
    (ctx) => {
      const noise = ctx.chain.add(Noise, "noise").resolution(width, height);
      noise.speed = 0;
      noise.scale = 9;
      // Blur or Bloom: chain.add's type wants one class; only `kernel` and the params are used.
      configure(ctx.chain.add(variant.Type as typeof Blur, "fx").input("noise"));
      ctx.chain.output("fx");
    },
    { gpu },
  );
  await render(engine, 1);
  const fx = engine.chain!.get("fx") as Blur | Bloom;
  expect(fx.kernel).toBe(variant.kernel);
  const source = await gpu.readTexture((engine.chain!.get("noise") as TextureOperator).outputTexture!);
  const output = await gpu.readTexture(fx.outputTexture!);
  const image = await render(engine, 0);
  engine.dispose();
  return { source, output, image };
}

/** One direction of the Gaussian on RGBA floats, clamp-to-edge, as shaders/common/gaussian.wgsl defines it. */
function gaussian1d(pixels: Float32Array, width: number, height: number, radius: number, horizontal: boolean): Float32Array {
  const out = new Float32Array(pixels.length);
  const taps = Math.ceil(radius);
  const sigma = Math.max(radius / 3, 1e-3);
  const weights = Array.from({ length: 2 * taps + 1 }, (_, i) => Math.exp(-((i - taps) ** 2) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let i = -taps; i <= taps; i++) {
          const sx = horizontal ? Math.min(Math.max(x + i, 0), width - 1) : x;
          const sy = horizontal ? y : Math.min(Math.max(y + i, 0), height - 1);
          sum += pixels[(sy * width + sx) * 4 + c]! * weights[i + taps]!;
        }
        out[(y * width + x) * 4 + c] = sum / total;
      }
    }
  }
  return out;
}

/** Largest difference, over the whole image and over the band of `band` pixels along each edge. */
function maxDiff(a: Float32Array, b: Float32Array, width: number, height: number, band: number): { all: number; edges: number } {
  let all = 0;
  let edges = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const edge = x < band || y < band || x >= width - band || y >= height - band;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(a[(y * width + x) * 4 + c]! - b[(y * width + x) * 4 + c]!);
        all = Math.max(all, d);
        if (edge) edges = Math.max(edges, d);
      }
    }
  }
  return { all, edges };
}

// Two half-float roundings (the "tmp" texture and the output) of values up to 1: 2 × 2^-11 each side.
const FLOAT_TOLERANCE = 2e-3;

describe("the shared kernel's constants", () => {
  test("TILE and MAX_TAPS in the WGSL are the ones the dispatch grid and the radius range assume; the workgroup memory fits 16 KB", () => {
    const code = loadShader(GAUSSIAN_SHARED_SHADER).code;
    const constant = (name: string) => Number(new RegExp(`const ${name}: u32 = (\\d+)u;`).exec(code)![1]);
    expect(constant("TILE")).toBe(GAUSSIAN_TILE);
    expect(constant("MAX_TAPS")).toBe(GAUSSIAN_MAX_TAPS);
    expect(constant("SPAN")).toBe(GAUSSIAN_TILE + 2 * GAUSSIAN_MAX_TAPS);
    expect(Blur.params.radius.max).toBe(GAUSSIAN_MAX_TAPS);
    expect(Bloom.params.radius.max).toBe(GAUSSIAN_MAX_TAPS);
    // 16 bytes a texel, 4 a weight: under maxComputeWorkgroupStorageSize's guaranteed 16384.
    expect(constant("SPAN") * 16 + (GAUSSIAN_MAX_TAPS + 1) * 4).toBeLessThanOrEqual(16384);
  });
});

describe("Blur on every kernel equals a CPU Gaussian with clamp-to-edge", () => {
  const cases: Array<{ width: number; height: number; radius: number; passes?: number }> = [
    { width: 333, height: 77, radius: 50 },
    { width: 333, height: 77, radius: 0 },
    { width: 333, height: 77, radius: 7.4, passes: 2 },
    { width: 1100, height: 24, radius: 50 },
    { width: 24, height: 1100, radius: 33 },
  ];
  for (const { width, height, radius, passes = 1 } of cases) {
    test(`${width}×${height}, radius ${radius}, passes ${passes}`, async () => {
      const results = [];
      const outputs = [];
      for (const variant of BLURS) {
        const { source, output } = await run(variant, width, height, (op: Blur) => ((op.radius = radius), (op.passes = passes)));
        let expected = source;
        for (let i = 0; i < passes; i++) expected = gaussian1d(gaussian1d(expected, width, height, radius, true), width, height, radius, false);
        const diff = maxDiff(output, expected, width, height, Math.max(1, Math.ceil(radius)));
        results.push({ kernel: variant.kernel, ...diff });
        outputs.push(output);
        // The blur did something where it should: the source has structure, the result is smoother.
        if (radius > 0) expect(maxDiff(source, expected, width, height, 1).all).toBeGreaterThan(0.05);
      }
      for (const r of results) {
        expect({ kernel: r.kernel, ok: r.all <= FLOAT_TOLERANCE }, `max difference ${r.all} (edges ${r.edges})`).toEqual({ kernel: r.kernel, ok: true });
      }
      // And the shared kernel against the fragment path directly. Not bit for bit: both sample texel
      // centres through the linear sampler, but reach the same centre by different float arithmetic, and
      // the sampler's sub-texel weights are quantised (8 bits on lavapipe), so a value near 1 can move
      // by a half-float step or so (1.5 × 2^-10 measured at radius 0).
      const [fragment, , shared] = outputs;
      expect(maxDiff(shared!, fragment!, width, height, 1).all).toBeLessThanOrEqual(FLOAT_TOLERANCE);
    });
  }
});

describe("Bloom's shared kernel gives the pixels of its fragment passes", () => {
  const blooms: Variant[] = [
    { name: "fragment", dispatch: "fragment", Type: Bloom, kernel: "fragment" },
    { name: "compute-pixel", dispatch: "compute", Type: PerPixelBloom, kernel: "compute-pixel" },
    { name: "compute-shared", dispatch: "compute", Type: Bloom, kernel: "compute-shared" },
  ];
  for (const [width, height, radius] of [
    [333, 77, 50],
    [1100, 40, 12.5],
    [333, 77, 1],
  ] as const) {
    test(`${width}×${height}, radius ${radius}`, async () => {
      const images = [];
      for (const variant of blooms) {
        const { image } = await run(variant, width, height, (op: Bloom) => ((op.threshold = 0.5), (op.intensity = 3), (op.radius = radius), (op.passes = 2)));
        images.push(image);
      }
      const [fragment, pixel, shared] = images;
      expect(diffImages(fragment!.rgba, shared!.rgba).maxAbs).toBeLessThanOrEqual(1);
      expect(diffImages(pixel!.rgba, shared!.rgba).maxAbs).toBeLessThanOrEqual(1);
      // The glow is there: the bloomed image is brighter than its source by far more than rounding.
      const sum = (rgba: Uint8Array) => rgba.reduce((a, b) => a + b, 0);
      const { image: source } = await run(blooms[0]!, width, height, (op: Bloom) => (op.intensity = 0));
      expect(sum(shared!.rgba) / sum(source.rgba)).toBeGreaterThan(1.05);
    });
  }
});

describe("a blur cooking every frame on the shared kernel", () => {
  test("two compute passes a frame, no render pass, nothing created after the first frame", async () => {
    const gpu = await sharedGpu("compute");
    const engine = await engineFor(
      (ctx) => {
        ctx.chain.add(Noise, "noise").resolution(600, 90).speed = 1;
        ctx.chain.add(Blur, "blur").input("noise").radius = 40;
        ctx.chain.output("blur");
      },
      { gpu },
    );
    await render(engine, 2);
    expect((engine.chain!.get("blur") as Blur).kernel).toBe("compute-shared");
    const before = gpu.census.snapshot();
    for (let i = 0; i < 30; i++) engine.frame();
    const after = gpu.census.snapshot();
    engine.dispose();
    // Noise (1) + Blur (2) per frame.
    expect(after.kinds.computePass.created - before.kinds.computePass.created).toBe(90);
    expect(after.kinds.renderPass.created - before.kinds.renderPass.created).toBe(0);
    for (const kind of ["shaderModule", "renderPipeline", "computePipeline", "bindGroup", "bindGroupLayout", "pipelineLayout", "texture", "textureView", "buffer", "sampler"] as const) {
      expect({ kind, created: after.kinds[kind].created - before.kinds[kind].created }).toEqual({ kind, created: 0 });
    }
  });
});
