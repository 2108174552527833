/**
 * The horizontal and vertical passes of Blur's and Bloom's separable Gaussian, as the GPU runs them.
 * Not an operator itself.
 *
 *   fragment        the per-pixel `gaussianBlur` (shaders/common/gaussian.wgsl) as a fragment pass
 *   compute-pixel   the same function through pixel-compute.wgsl's 8×8 entry: 2 × taps + 1 texture
 *                   samples per pixel
 *   compute-shared  shaders/common/gaussian-shared.wgsl: each workgroup samples a tile of a row or
 *                   column plus its apron once into workgroup memory and convolves from there
 *
 * The GPU's dispatch decides between fragment and compute (runtime/gpu/dispatch.ts); on compute the
 * shared kernel is used. The pixels are the same on all three (tests/operators/gaussian-passes.test.ts).
 */
import { FullscreenPass, type ComputeKernel } from "../../runtime/gpu/fullscreen-pass.ts";
import type { GpuScope } from "../../runtime/gpu/gpu.ts";
import type { Dispatch } from "../../runtime/gpu/dispatch.ts";
import { loadShader, wgslStructFields, type ShaderSource } from "../../runtime/gpu/shaders.ts";

export type BlurKernel = "fragment" | "compute-pixel" | "compute-shared";

export const GAUSSIAN_SHARED_SHADER = "common/gaussian-shared.wgsl";
/** Pixels of a row or column per workgroup: `const TILE` in gaussian-shared.wgsl. */
export const GAUSSIAN_TILE = 512;
/** Taps each side the shared kernel's apron holds: `const MAX_TAPS`, Blur's and Bloom's largest radius. */
export const GAUSSIAN_MAX_TAPS = 50;

/** The kernel for a GPU's dispatch: the shared one on compute unless `shared` is false. */
export function blurKernel(dispatch: Dispatch, shared = true): BlurKernel {
  if (dispatch === "fragment") return "fragment";
  return shared ? "compute-shared" : "compute-pixel";
}

/** Workgroup grids of gaussian-shared.wgsl's entries: tiles along the axis × lines across it. */
export const GAUSSIAN_ROWS: ComputeKernel = { entry: "rows", workgroups: (width, height) => [Math.ceil(width / GAUSSIAN_TILE), height] };
export const GAUSSIAN_COLUMNS: ComputeKernel = { entry: "columns", workgroups: (width, height) => [Math.ceil(height / GAUSSIAN_TILE), width] };

/**
 * One direction's pass. `pixelShader` is the operator's per-pixel blur (its fragment or compute
 * entry appended, as `kernel` runs it), whose uniform struct (`structName`) the pass's buffer holds:
 * the shared kernel reads the same buffer through `struct GaussianPass`, so that struct must be how
 * the operator's begins (stepUv, radius); this throws at init when it is not.
 */
export function gaussianPass(
  scope: GpuScope,
  options: { kernel: BlurKernel; axis: "horizontal" | "vertical"; pixelShader: ShaderSource; structName: string; uniformSize: number },
): FullscreenPass {
  const { kernel, axis, pixelShader, uniformSize } = options;
  if (kernel !== "compute-shared") {
    return new FullscreenPass(scope, { shader: pixelShader, inputCount: 1, uniformSize, slot: axis, dispatch: kernel === "fragment" ? "fragment" : "compute" });
  }
  const shader = loadShader(GAUSSIAN_SHARED_SHADER);
  const shared = wgslStructFields(shader.code, "GaussianPass")!;
  const own = wgslStructFields(pixelShader.code, options.structName) ?? [];
  const fields = (list: typeof shared) => list.map((f) => `${f.name}: ${f.type}`).join(", ");
  if (fields(own.slice(0, shared.length)) !== fields(shared)) {
    throw new Error(`${pixelShader.name}: struct ${options.structName} must begin as ${GAUSSIAN_SHARED_SHADER}'s struct GaussianPass (${fields(shared)})`);
  }
  return new FullscreenPass(scope, {
    shader,
    inputCount: 1,
    uniformSize,
    slot: axis,
    dispatch: "compute",
    computeKernel: axis === "horizontal" ? GAUSSIAN_ROWS : GAUSSIAN_COLUMNS,
  });
}
