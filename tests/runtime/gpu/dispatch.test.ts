/**
 * Per-pixel operators run as fragment or compute passes (runtime/gpu/dispatch.ts): the adapter rule,
 * the assembled sources, and a chain run both ways on the real device — the same pixels, compute
 * passes instead of render passes, and nothing created per frame after the first.
 */
import { afterAll, describe, expect, test } from "vitest";
import { chooseDispatch, DISPATCHES, isPixelShader, loadPixelShader } from "../../../runtime/gpu/dispatch.ts";
import type { AdapterSummary } from "../../../runtime/gpu/device.ts";
import { loadShader } from "../../../runtime/gpu/shaders.ts";
import { Brightness, Noise } from "../../../operators/index.ts";
import { diffImages, engineFor, render, sharedGpu } from "../../helpers/render.ts";

afterAll(async () => {
  for (const dispatch of DISPATCHES) expect((await sharedGpu(dispatch)).census.live()).toBe(0);
});

const adapter = (fields: Partial<AdapterSummary>): AdapterSummary => ({ name: "", backend: "Vulkan", vendor: "", device: "", architecture: "", software: false, features: [], ...fields });

describe("the adapter rule", () => {
  test("compute on NVIDIA data-centre parts, by device name or Hopper architecture", () => {
    // The names Dawn gave on the device tool's H100 (description = the driver's, device = the product).
    expect(chooseDispatch(adapter({ name: "NVIDIA: 580.159.04 580.159.4.0", device: "NVIDIA H100 80GB HBM3", vendor: "nvidia" })).dispatch).toBe("compute");
    expect(chooseDispatch(adapter({ name: "NVIDIA: 580.159.04 580.159.4.0", device: "NVIDIA H200", vendor: "nvidia" })).dispatch).toBe("compute");
    expect(chooseDispatch(adapter({ name: "NVIDIA: 580.159.04", architecture: "hopper", vendor: "nvidia" })).dispatch).toBe("compute");
    expect(chooseDispatch(adapter({ name: "NVIDIA A100-SXM4-80GB" })).dispatch).toBe("compute");
    // Dawn's device field is the driver's name normalised (lavapipe's reads "llvmpipe-llvm-15-0-6-256-bits").
    expect(chooseDispatch(adapter({ name: "NVIDIA: 580.159.04 580.159.4.0", device: "nvidia-h100-80gb-hbm3" })).dispatch).toBe("compute");
    expect(chooseDispatch(adapter({ name: "NVIDIA: 580.159.04 580.159.4.0", device: "nvidia-h200" })).dispatch).toBe("compute");
  });

  test("fragment on software rasterisers and on GPUs not measured", () => {
    expect(chooseDispatch(adapter({ name: "llvmpipe: Mesa 25.0.7-2 (LLVM 15.0.6)", software: true })).dispatch).toBe("fragment");
    expect(chooseDispatch(adapter({ name: "NVIDIA GeForce RTX 4090", device: "NVIDIA GeForce RTX 4090", architecture: "ada" })).dispatch).toBe("fragment");
    expect(chooseDispatch(adapter({ name: "Apple M2", architecture: "metal-3" })).dispatch).toBe("fragment");
    // A product that merely contains the letters of a compute part is not one.
    expect(chooseDispatch(adapter({ name: "AMD Radeon RX 7900 XT (RADV NAVI31)", device: "H1000X" })).dispatch).toBe("fragment");
    expect(chooseDispatch(adapter({ name: "NVIDIA: 580.159.04", device: "nvidia-geforce-rtx-4090", architecture: "lovelace" })).dispatch).toBe("fragment");
  });
});

describe("per-pixel shaders", () => {
  test("a shader that defines fn pixel is one; a shader with its own fs is not", () => {
    expect(isPixelShader(loadShader("2d/noise.wgsl").code)).toBe(true);
    expect(isPixelShader(loadShader("2d/bloom.wgsl").code)).toBe(false);
    expect(isPixelShader("@fragment\nfn fs() -> @location(0) vec4f { return pixelColour(); }")).toBe(false);
  });

  test("each dispatch appends its own entry and nothing else", () => {
    const fragment = loadPixelShader("2d/brightness.wgsl", "fragment");
    const compute = loadPixelShader("2d/brightness.wgsl", "compute");
    expect(fragment.code).toMatch(/@fragment\s+fn fs\(in: VsOut\)/);
    expect(fragment.code).not.toContain("@compute");
    expect(compute.code).toMatch(/@compute @workgroup_size\(8, 8\)\s+fn cs\(/);
    expect(compute.code).not.toContain("@fragment");
    expect(compute.code).not.toContain("fn vs(");
    expect(fragment.hash).not.toBe(compute.hash);
    // Error locations still point into the operator's own file for its lines.
    const pixelLine = compute.code.split("\n").findIndex((l) => l.startsWith("fn pixel("));
    expect(compute.lines[pixelLine]!.file).toMatch(/shaders\/2d\/brightness\.wgsl$/);
  });

  test("a shader of several per-pixel passes: the entry calls the function named, and only the entry is renamed", () => {
    const combine = loadPixelShader("2d/bloom.wgsl", "compute", "combine");
    const threshold = loadPixelShader("2d/bloom.wgsl", "fragment", "threshold");
    expect(combine.code).toContain("textureStore(pixelOutput, id.xy, combine(coord / vec2f(size), coord));");
    expect(threshold.code).toContain("return threshold(in.uv, in.position.xy);");
    expect(combine.code).not.toMatch(/\bpixel\(/);
    // The operator's own text is untouched: its struct field `threshold` and its functions stay.
    expect(threshold.code).toContain("params.threshold");
    expect(combine.code.split("\n").length).toBe(loadPixelShader("2d/bloom.wgsl", "compute").code.split("\n").length);
    expect(combine.hash).not.toBe(loadPixelShader("2d/bloom.wgsl", "compute", "blur").hash);
  });
});

describe("a chain through both paths", () => {
  // Animated noise (cooks every frame) into a per-pixel filter.
  const setup = (ctx: import("../../../runtime/chain/context.ts").Context) => {
    ctx.chain.add(Noise, "noise").resolution(96, 64).speed = 1;
    ctx.chain.add(Brightness, "bright").input("noise").brightness = 0.2;
    ctx.chain.output("bright");
  };

  test("the same pixels; compute passes only; nothing created per frame after the first", async () => {
    const images = [];
    for (const dispatch of DISPATCHES) {
      const gpu = await sharedGpu(dispatch);
      const engine = await engineFor(setup, { gpu });
      await render(engine, 2);
      const before = gpu.census.snapshot();
      for (let i = 0; i < 50; i++) engine.frame();
      const after = gpu.census.snapshot();
      // Read back after the count: the readback's staging buffer is not a frame's.
      const image = await render(engine, 0);
      engine.dispose();
      images.push(image);
      const passes = dispatch === "compute" ? after.kinds.computePass : after.kinds.renderPass;
      const otherPasses = dispatch === "compute" ? after.kinds.renderPass : after.kinds.computePass;
      const otherBefore = dispatch === "compute" ? before.kinds.renderPass : before.kinds.computePass;
      // Two operators cooking 50 frames: 100 passes of this dispatch, none of the other.
      expect(passes.created - (dispatch === "compute" ? before.kinds.computePass : before.kinds.renderPass).created).toBe(100);
      expect(otherPasses.created - otherBefore.created).toBe(0);
      for (const kind of ["shaderModule", "renderPipeline", "computePipeline", "bindGroup", "bindGroupLayout", "pipelineLayout", "texture", "textureView", "buffer", "sampler"] as const) {
        expect({ kind, created: after.kinds[kind].created - before.kinds[kind].created }).toEqual({ kind, created: 0 });
      }
    }
    const [fragment, compute] = images;
    const diff = diffImages(fragment!.rgba, compute!.rgba);
    expect(diff.maxAbs).toBeLessThanOrEqual(1);
    // Not a blank image on both sides: the noise has structure.
    let min = 255;
    let max = 0;
    for (let i = 0; i < compute!.rgba.length; i += 4) {
      min = Math.min(min, compute!.rgba[i]!);
      max = Math.max(max, compute!.rgba[i]!);
    }
    expect(max - min).toBeGreaterThan(60);
  });
});
