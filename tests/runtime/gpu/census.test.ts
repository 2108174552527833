import { describe, expect, test } from "vitest";
import { resolve } from "node:path";
import { Census, GPU_KINDS, PER_FRAME_KINDS, createdSince } from "../../../runtime/gpu/census.ts";
import { REPO } from "../../helpers/render.ts";
import { native } from "../../helpers/native.ts";

const { Engine } = native.engine;
const { Gpu } = native.gpu;

describe("Census counters", () => {
  test("counts per kind and owner, bytes for textures and buffers", () => {
    const census = new Census();
    census.created("texture", "noise", 1000);
    census.created("buffer", "noise", 64);
    census.created("renderPipeline", "blur");
    expect(census.live()).toBe(3);
    expect(census.gpuBytes).toBe(1064);
    expect(census.snapshot().owners).toEqual({ noise: { live: 2, bytes: 1064 }, blur: { live: 1, bytes: 0 } });
    census.released("texture", "noise", 1000);
    expect(census.snapshot().kinds.texture).toEqual({ created: 1, released: 1, live: 0 });
    expect(census.gpuBytes).toBe(64);
  });

  test("releasing what was never created is an error, not a negative count", () => {
    const census = new Census();
    expect(() => census.released("bindGroup", "x")).toThrow(/never counted/);
  });
});

describe("hello-noise over 100 frames (real chain file, real device)", () => {
  test("creates no GPU objects per frame after warm-up and releases everything at teardown", async () => {
    const gpu = await Gpu.open();
    const projectDir = resolve(REPO, "examples/02-hello-noise");
    // What is counted here is GPU objects, not time: the loop guard's limits are set out of reach, so
    // a starved test process on a loaded machine cannot cut a cook short (which records a second,
    // display-only encoder for that frame). Any error the chain reports is part of the failure message.
    const engine = new Engine(gpu, { projectDir, chainFile: resolve(projectDir, "chain.ts"), width: 1280, height: 720, fixedFps: 60, loopLimits: { setupMs: 60_000, updateMs: 60_000 } });
    const errors: string[] = [];
    engine.onError = (error, phase) => errors.push(`${phase}: ${error.message}`);
    const built = await engine.load();
    if (!built.ok) throw new Error(built.error.message);
    // Shrink the work for a CPU GPU; the operator and its objects are the same at any size.
    engine.chain!.get("noise").dirty = true;
    (engine.chain!.get("noise") as import("../../../runtime/chain/operator.ts").TextureOperator).resolution(64, 36);

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
    // The forced per-frame objects: one encoder, one pass, one command buffer per frame, all released.
    expect(created.commandEncoder, errors.join("\n")).toBe(95);
    expect(created.renderPass, errors.join("\n")).toBe(95);
    expect(errors).toEqual([]);
    for (const kind of PER_FRAME_KINDS) expect(gpu.census.live(kind)).toBe(0);
    expect(gpu.census.live("renderPipeline")).toBe(1);

    engine.dispose();
    expect(gpu.census.live()).toBe(0);
    expect(gpu.census.gpuBytes).toBe(0);
    gpu.destroy();
  });
});

describe("a texture larger than the device allows", () => {
  test("is refused with the owner, the size and the device's limit, and nothing is counted", async () => {
    const gpu = await Gpu.open();
    try {
      const largest = gpu.device.limits.maxTextureDimension2D;
      expect(() =>
        gpu.createTexture("noise", { slot: "out", width: largest + 1, height: 16, format: "rgba16float", usage: GPUTextureUsage.TEXTURE_BINDING }),
      ).toThrow(new RegExp(`^noise: a ${largest + 1}×16 texture is larger than this GPU allows \\(${largest}×${largest}, `));
      expect(gpu.census.live()).toBe(0);
    } finally {
      gpu.destroy();
    }
  });
});
