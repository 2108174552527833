/**
 * bun-webgpu 0.1.7 leaves `GPUComputePassEncoder.destroy()` unimplemented (it throws "Not
 * implemented"), while its render-pass twin releases the native encoder. A compute pass encoder that
 * is not released leaks on every frame, as an unreleased render pass does (~1.3 KB each, measured in
 * docs/notes/performance-anchors.md), so this releases it through the same FFI symbol table the
 * library itself calls.
 */
interface BunWebgpuComputePass {
  ptr: unknown;
  lib: { wgpuComputePassEncoderRelease?: (ptr: unknown) => void };
}

/** Releases a compute pass encoder after `end()`. */
export function releaseComputePass(pass: GPUComputePassEncoder): void {
  const native = pass as unknown as BunWebgpuComputePass;
  const release = native.lib?.wgpuComputePassEncoderRelease;
  if (!release) throw new Error("bun-webgpu's GPUComputePassEncoder is not as expected: cannot release it (runtime/gpu/compute-pass.ts)");
  release(native.ptr);
}
