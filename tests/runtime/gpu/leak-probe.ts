/**
 * Run by leaks.test.ts in its own process (`bun leak-probe.ts <kind> <cycles> <phases>`), so its RSS is
 * this probe's alone, not the test threads'. Each cycle acquires one GPU object through a GpuScope and
 * releases it, as a reload does, with no frame submitted in between; `await gpu.idle()` every batch.
 * Prints {"kind", "cycles", "growthMB": [RSS growth of each measured phase]} after one warm-up phase.
 */
import { Gpu } from "../../../runtime/gpu/gpu.ts";
import { textureSamplerBinding } from "../../helpers/texture-binding.ts";
import { inlineShader } from "../../../runtime/gpu/shaders.ts";

const [kind = "texture", cyclesArg = "20000", phasesArg = "3"] = process.argv.slice(2);
const cycles = Number(cyclesArg);
const phases = Number(phasesArg);

const gpu = await Gpu.open();
const { held, entries, layout, resources } = textureSamplerBinding(gpu);
const shader = inlineShader(
  "probe",
  `@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f { return vec4f(f32(i), 0.0, 0.0, 1.0); }
@fragment fn fs() -> @location(0) vec4f { return vec4f(1.0); }`,
);

const acquire: Record<string, (scope: ReturnType<Gpu["scope"]>) => unknown> = {
  texture: (s) => s.texture({ width: 4, height: 4, format: "rgba8unorm", usage: GPUTextureUsage.TEXTURE_BINDING, slot: "out" }),
  buffer: (s) => s.buffer("uniforms", 256, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
  sampler: (s) => s.sampler({ filter: "nearest", address: "repeat" }),
  bindGroup: (s) => s.bindGroup(layout, entries, resources),
  renderPipeline: (s) => s.renderPipeline({ shader, targets: ["rgba8unorm"], layouts: [layout] }),
};
const make = acquire[kind];
if (!make) throw new Error(`leak-probe: unknown kind ${kind} (${Object.keys(acquire).join(", ")})`);
const batch = kind === "renderPipeline" ? 100 : 1000;

async function phase(): Promise<number> {
  for (let i = 0; i < cycles; i += batch) {
    for (let j = 0; j < Math.min(batch, cycles - i); j++) {
      const scope = gpu.scope("probe");
      make(scope);
      scope.release();
    }
    await gpu.idle();
    Bun.gc(true);
  }
  return process.memoryUsage.rss();
}

let last = await phase();
const growthMB: number[] = [];
for (let p = 0; p < phases; p++) {
  const now = await phase();
  growthMB.push((now - last) / 1e6);
  last = now;
}
console.log(JSON.stringify({ kind, cycles, growthMB }));
held.release();
gpu.destroy();
process.exit(0);
