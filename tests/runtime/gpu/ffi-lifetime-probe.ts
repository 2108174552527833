/**
 * Run by ffi-lifetime.test.ts in its own process, under BUN_JSC_collectContinuously=1 (the garbage
 * collector runs all the time, on its own thread). bun-webgpu packs each descriptor into JS buffers
 * and hands Dawn their raw addresses; a buffer nothing else references can be collected before the
 * native call reads it. Every call below passes strings and nested arrays by address: the device
 * request, shader modules (WGSL source, label), bind groups (entry array). Prints {"device": ok?, "cycles", "errors", "first"}.
 */
import { Gpu } from "../../../runtime/gpu/gpu.ts";
import { textureSamplerBinding } from "../../helpers/texture-binding.ts";
import { inlineShader } from "../../../runtime/gpu/shaders.ts";

const cycles = Number(process.argv[2] ?? "200");
let gpu: Gpu;
try {
  gpu = await Gpu.open();
} catch (err) {
  console.log(JSON.stringify({ device: false, cycles: 0, errors: 1, first: String(err) }));
  process.exit(0);
}
const errors: string[] = [];
gpu.onError((report) => errors.push(report.message));
const { entries, layout, resources } = textureSamplerBinding(gpu);

// Long sources, as real operators have (a few KB): their encoded bytes live outside the GC heap's
// small-object pages, where a collected buffer's memory is reused at once.
const filler = Array.from({ length: 120 }, (_, k) => `// line ${k} of a long comment that makes the source a few kilobytes`).join("\n");
for (let i = 0; i < cycles; i++) {
  const scope = gpu.scope(`probe-${i}`);
  try {
    await gpu.validated(() => {
      // A new source each time, so no cache answers: the WGSL string goes to Dawn by address.
      scope.shaderModule(
        inlineShader(
          `probe-${i}`,
          `@vertex fn vs(@builtin(vertex_index) v: u32) -> @builtin(position) vec4f { return vec4f(f32(v) * ${i}.0, 0.0, 0.0, 1.0); }
@fragment fn fs() -> @location(0) vec4f { return vec4f(${i % 7}.0); }
${filler}`,
        ),
      );
      scope.bindGroup(layout, entries, resources);
    });
  } catch (err) {
    errors.push(String(err));
  }
  scope.release();
}
await gpu.idle();
console.log(JSON.stringify({ device: true, cycles, errors: errors.length, first: errors[0] ?? null }));
gpu.destroy();
