import type { BindResource, Gpu, LayoutEntry } from "../../runtime/gpu/gpu.ts";

/**
 * A 4×4 texture and a sampler held in one scope, with the layout that binds them (fragment stage):
 * the inputs a probe needs to build bind groups and pipelines over and over.
 */
export function textureSamplerBinding(gpu: Gpu) {
  const held = gpu.scope("held");
  const texture = held.texture({ width: 4, height: 4, format: "rgba8unorm", usage: GPUTextureUsage.TEXTURE_BINDING, slot: "in" });
  const sampler = held.sampler();
  const entries: LayoutEntry[] = [
    { binding: 0, visibility: GPUShaderStage.FRAGMENT, kind: "texture" },
    { binding: 1, visibility: GPUShaderStage.FRAGMENT, kind: "sampler" },
  ];
  const layout = held.layout(entries);
  const resources: BindResource[] = [texture, sampler];
  return { held, entries, layout, resources };
}
