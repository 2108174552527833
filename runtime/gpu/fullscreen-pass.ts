/**
 * One pass over every pixel of a target: a full-screen-triangle render pass through one WGSL fragment
 * shader, or (a per-pixel operator on a GPU that dispatches compute, runtime/gpu/dispatch.ts) a
 * compute pass of 8×8 workgroups (or another entry's grid: `computeKernel`); its own uniform buffer, a sampler and `inputCount` input textures.
 * Bindings: 0 = uniforms, 1 = sampler, 2.. = inputs (group 0 on both paths; compute writes group 1). Operators compose these: ShaderOperator has one; a multi-pass operator (Blur,
 * Bloom) has one per pass, each with its own uniform buffer (`slot`), so two passes in one encoder
 * never share uniforms — the original's Blur wrote one buffer twice and both passes saw the last
 * write.
 */
import { OUTPUT_FORMAT, type BindGroupLayoutHandle, type BufferHandle, type Frame, type GpuScope, type LayoutEntry, type SamplerHandle, type SamplerSpec, type TextureHandle } from "./gpu.ts";
import type { ShaderSource } from "./shaders.ts";
import { PIXEL_WORKGROUP, type Dispatch } from "./dispatch.ts";

export interface FullscreenPassSpec {
  shader: ShaderSource;
  inputCount: number;
  /** View dimension of each input when not "2d" (a frame cache's "2d-array"). */
  inputDimensions?: readonly GPUTextureViewDimension[];
  /** Bytes of the uniform struct (rounded up to 16). */
  uniformSize: number;
  /** Names this pass's uniform buffer among the operator's ("params", "horizontal", ...). */
  slot: string;
  format?: GPUTextureFormat;
  blend?: GPUBlendState;
  sampler?: SamplerSpec;
  fragmentEntry?: string;
  /**
   * "compute": the shader is a per-pixel operator with `pixel-compute.wgsl` appended
   * (runtime/gpu/dispatch.ts); the pass dispatches its `cs` entry over the target, bound as group 1.
   * Default "fragment": a full-screen triangle through `fs`.
   */
  dispatch?: Dispatch;
  /**
   * A compute pass through another entry than pixel-compute.wgsl's `cs`, over another grid than one
   * 8×8 workgroup per 64 pixels: `entry` in `shader` (same bindings: group 0 as here, the storage
   * target as group 1) and the workgroup counts for a target of `width` × `height`. Blur's and
   * Bloom's shared-memory Gaussian (shaders/common/gaussian-shared.wgsl) is one; needs `dispatch` "compute".
   */
  computeKernel?: ComputeKernel;
}

/** A compute entry with its own workgroup grid (FullscreenPassSpec.computeKernel). */
export interface ComputeKernel {
  entry: string;
  workgroups: (width: number, height: number) => readonly [number, number];
}

/** pixel-compute.wgsl's entry: one 8×8 workgroup per 64 pixels. */
const PIXEL_KERNEL: ComputeKernel = {
  entry: "cs",
  workgroups: (width, height) => [Math.ceil(width / PIXEL_WORKGROUP), Math.ceil(height / PIXEL_WORKGROUP)],
};

/** Bind groups kept for recent input combinations (an input that ping-pongs needs two). */
const KEPT_BIND_GROUPS = 4;
const FRAGMENT = 0x2;
const COMPUTE = 0x4;

export class FullscreenPass {
  readonly uniforms: BufferHandle;
  private entries: LayoutEntry[];
  private layout: BindGroupLayoutHandle;
  private sampler: SamplerHandle;
  private pipeline?: GPURenderPipeline;
  private compute?: { pipeline: GPUComputePipeline; kernel: ComputeKernel; outputEntries: LayoutEntry[]; outputLayout: BindGroupLayoutHandle };
  private bindGroups = new Map<string, GPUBindGroup>();
  private last?: { ids: number[]; group: GPUBindGroup };
  /** The storage-texture bind group of each recent target (Feedback writes two in turn). */
  private outputGroups = new Map<number, GPUBindGroup>();

  constructor(
    private scope: GpuScope,
    spec: FullscreenPassSpec,
  ) {
    if (spec.computeKernel && spec.dispatch !== "compute") throw new Error(`${scope.owner}: a compute kernel (${spec.computeKernel.entry}) needs dispatch "compute"`);
    const visibility = spec.dispatch === "compute" ? COMPUTE : FRAGMENT;
    this.entries = [
      { binding: 0, visibility, kind: "uniform" },
      { binding: 1, visibility, kind: "sampler" },
      ...Array.from({ length: spec.inputCount }, (_, i): LayoutEntry => {
        const viewDimension = spec.inputDimensions?.[i];
        return { binding: 2 + i, visibility, kind: "texture", ...(viewDimension ? { viewDimension } : {}) };
      }),
    ];
    this.layout = scope.layout(this.entries);
    this.sampler = scope.sampler(spec.sampler);
    if (spec.dispatch === "compute") {
      const kernel = spec.computeKernel ?? PIXEL_KERNEL;
      const outputEntries: LayoutEntry[] = [{ binding: 0, visibility: COMPUTE, kind: "storage-texture", format: spec.format ?? OUTPUT_FORMAT, access: "write-only" }];
      const outputLayout = scope.layout(outputEntries);
      const pipeline = scope.computePipeline({ shader: spec.shader, entry: kernel.entry, layouts: [this.layout, outputLayout] });
      this.compute = { pipeline, kernel, outputEntries, outputLayout };
    } else {
      this.pipeline = scope.renderPipeline({
        shader: spec.shader,
        fragmentEntry: spec.fragmentEntry,
        targets: [spec.format ?? OUTPUT_FORMAT],
        blend: spec.blend,
        layouts: [this.layout],
      });
    }
    this.uniforms = scope.buffer(spec.slot, spec.uniformSize, 0x40 /* UNIFORM */ | 0x08 /* COPY_DST */);
  }

  writeUniforms(queue: GPUQueue, data: ArrayBuffer | ArrayBufferView): void {
    if (ArrayBuffer.isView(data)) queue.writeBuffer(this.uniforms.buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    else queue.writeBuffer(this.uniforms.buffer, 0, data);
  }

  /**
   * Records the pass: draws into `target`, reading `inputs`; clears first unless `load` is "load".
   * With `viewport` ([x, y, width, height] in pixels) it draws into that rectangle only (the
   * inspector's thumbnail atlas); a clear still clears the whole target.
   */
  draw(frame: Frame, owner: string, target: GPUTextureView, inputs: readonly TextureHandle[], load: GPULoadOp = "clear", viewport?: readonly [number, number, number, number]): void {
    if (!this.pipeline) throw new Error(`${owner}: a compute pass writes a texture handle: call write(), not draw()`);
    const pass = frame.renderPass(owner, {
      colorAttachments: [{ view: target, loadOp: load, storeOp: "store", clearValue: [0, 0, 0, 1] }],
    });
    if (viewport) pass.setViewport(viewport[0], viewport[1], viewport[2], viewport[3], 0, 1);
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroupFor(inputs));
    pass.draw(3);
    pass.end();
  }

  /**
   * Records the pass writing every pixel of `target`, by this pass's dispatch: a full-screen triangle,
   * or compute workgroups storing into `target` (one 8×8 workgroup per 64 pixels, or the grid of the
   * spec's `computeKernel`).
   */
  write(frame: Frame, owner: string, target: TextureHandle, inputs: readonly TextureHandle[]): void {
    const compute = this.compute;
    if (!compute) return this.draw(frame, owner, target.view, inputs);
    const pass = frame.computePass(owner);
    pass.setPipeline(compute.pipeline);
    pass.setBindGroup(0, this.bindGroupFor(inputs));
    pass.setBindGroup(1, this.outputGroupFor(target));
    const [x, y] = compute.kernel.workgroups(target.width, target.height);
    pass.dispatchWorkgroups(x, y);
    pass.end();
  }

  private outputGroupFor(target: TextureHandle): GPUBindGroup {
    let group = this.outputGroups.get(target.id);
    if (group) return group;
    const { outputLayout, outputEntries } = this.compute!;
    group = this.scope.bindGroup(outputLayout, outputEntries, [target]);
    this.outputGroups.set(target.id, group);
    if (this.outputGroups.size > KEPT_BIND_GROUPS) {
      const [oldestId, oldest] = this.outputGroups.entries().next().value!;
      this.outputGroups.delete(oldestId);
      this.scope.drop(oldest);
    }
    return group;
  }

  /** The last few input combinations keep their bind groups; older ones are given back. */
  private bindGroupFor(inputs: readonly TextureHandle[]): GPUBindGroup {
    // Most frames read the same textures as the last: compare ids before building a key.
    const last = this.last;
    if (last && sameIds(last.ids, inputs)) return last.group;
    let key = "";
    for (const input of inputs) key += `${input.id},`;
    let group = this.bindGroups.get(key);
    if (!group) {
      group = this.scope.bindGroup(this.layout, this.entries, [this.uniforms, this.sampler, ...inputs]);
      this.bindGroups.set(key, group);
      if (this.bindGroups.size > KEPT_BIND_GROUPS) {
        const [oldestKey, oldest] = this.bindGroups.entries().next().value!;
        this.bindGroups.delete(oldestKey);
        this.scope.drop(oldest);
      }
    }
    this.last = { ids: inputs.map((input) => input.id), group };
    return group;
  }
}

function sameIds(ids: readonly number[], inputs: readonly TextureHandle[]): boolean {
  if (ids.length !== inputs.length) return false;
  for (let i = 0; i < ids.length; i++) if (ids[i] !== inputs[i]!.id) return false;
  return true;
}
