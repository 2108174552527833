import { describe, expect, test } from "vitest";
import { RefCache } from "../../../runtime/gpu/ref-cache.ts";
import { bindGroupKey, layoutKey, pipelineKey, textureKey, type RenderPipelineSpec } from "../../../runtime/gpu/gpu.ts";
import { inlineShader, loadShader } from "../../../runtime/gpu/shaders.ts";
import { loadPixelShader } from "../../../runtime/gpu/dispatch.ts";
import { Gradient, Noise } from "../../../operators/index.ts";
import { engineFor, sharedGpu } from "../../helpers/render.ts";

describe("RefCache", () => {
  test("creates once per key, destroys when the last holder releases", () => {
    const destroyed: string[] = [];
    let made = 0;
    const cache = new RefCache<string>("thing", (v) => destroyed.push(v));
    expect(cache.acquire("a", () => `a${++made}`)).toBe("a1");
    expect(cache.acquire("a", () => `a${++made}`)).toBe("a1");
    expect(made).toBe(1);
    cache.release("a");
    expect(destroyed).toEqual([]);
    cache.release("a");
    expect(destroyed).toEqual(["a1"]);
    expect(() => cache.release("a")).toThrow(/unknown key/);
  });
});

describe("cache keys", () => {
  const layout = { key: layoutKey([{ binding: 0, visibility: 2, kind: "uniform" }]), layout: {} as GPUBindGroupLayout };
  const spec = (code: string, targets: GPUTextureFormat[] = ["rgba16float"]): RenderPipelineSpec => ({ shader: inlineShader("t", code), targets, layouts: [layout] });

  test("pipeline key follows shader text, targets, blend and layout", () => {
    expect(pipelineKey(spec("a"))).toBe(pipelineKey(spec("a")));
    expect(pipelineKey(spec("a"))).not.toBe(pipelineKey(spec("b")));
    expect(pipelineKey(spec("a"))).not.toBe(pipelineKey(spec("a", ["bgra8unorm"])));
    expect(pipelineKey(spec("a"))).not.toBe(pipelineKey({ ...spec("a"), blend: { color: { srcFactor: "one", dstFactor: "one" }, alpha: {} } }));
  });

  test("bind group key follows the identity of each resource", () => {
    const a = { id: 1 } as never;
    const b = { id: 2 } as never;
    expect(bindGroupKey(layout, [a, b])).not.toBe(bindGroupKey(layout, [b, a]));
    expect(bindGroupKey(layout, [a, b])).toBe(bindGroupKey(layout, [a, b]));
  });

  test("texture pool key separates owners, sizes and slots", () => {
    const t = { width: 8, height: 8, format: "rgba16float" as const, usage: 4, slot: "out" };
    expect(textureKey("noise:Noise", t)).not.toBe(textureKey("blur:Blur", t));
    expect(textureKey("noise:Noise", t)).not.toBe(textureKey("noise:Noise", { ...t, width: 16 }));
    expect(textureKey("noise:Noise", t)).not.toBe(textureKey("noise:Noise", { ...t, slot: "ping" }));
  });

  test("#import expands shared snippets once and lists the files", () => {
    const noise = loadPixelShader("2d/noise.wgsl", "fragment");
    expect(noise.files.map((f) => f.split("shaders/")[1])).toEqual(["2d/noise.wgsl", "common/noise.wgsl", "common/pixel-fragment.wgsl", "common/fullscreen.wgsl"]);
    expect(noise.code).not.toContain("#import");
    expect(noise.code.match(/fn vs\(/g)).toHaveLength(1);
  });
});

describe("caches on the device", () => {
  test("two operators of one type share shader module and pipeline, and own separate textures", async () => {
    const gpu = await sharedGpu();
    const before = gpu.census.snapshot();
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Noise, "a").resolution(8, 8);
      ctx.chain.add(Noise, "b").resolution(8, 8);
      ctx.chain.add(Gradient, "c").resolution(8, 8);
      ctx.chain.output("a");
    });
    const after = gpu.census.snapshot();
    const made = (kind: keyof typeof after.kinds) => after.kinds[kind].created - before.kinds[kind].created;
    expect(made("shaderModule")).toBe(2);
    expect(made("renderPipeline")).toBe(2);
    expect(made("texture")).toBe(3);
    expect(made("sampler")).toBeLessThanOrEqual(1);
    engine.dispose();
    expect(gpu.census.live()).toBe(0);
  });
});
