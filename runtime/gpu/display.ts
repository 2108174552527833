/**
 * The display pass: the chain's output texture drawn into the window's surface texture, stretched
 * to fill it (as the original does) or, with `fit`, letterboxed to keep its aspect ratio. Its
 * pipeline, sampler and bind groups come from the caches like everything else, owned by "display".
 */
import type { BindGroupLayoutHandle, BufferHandle, Frame, Gpu, GpuScope, LayoutEntry, TextureHandle } from "./gpu.ts";
import { loadShader } from "./shaders.ts";

const FRAGMENT = 0x2;
const ENTRIES: LayoutEntry[] = [
  { binding: 0, visibility: FRAGMENT, kind: "uniform" },
  { binding: 1, visibility: FRAGMENT, kind: "sampler" },
  { binding: 2, visibility: FRAGMENT, kind: "texture" },
];

/** uv scale and offset that map window uv to output uv. */
export function displayTransform(fit: boolean, output: [number, number], target: [number, number]): [number, number, number, number] {
  if (!fit) return [1, 0, 1, 0];
  const outputAspect = output[0] / output[1];
  const targetAspect = target[0] / target[1];
  if (targetAspect > outputAspect) {
    const scale = targetAspect / outputAspect; // pillarbox: bars left and right
    return [scale, (1 - scale) / 2, 1, 0];
  }
  const scale = outputAspect / targetAspect; // letterbox: bars top and bottom
  return [1, 0, scale, (1 - scale) / 2];
}

export class DisplayPass {
  private scope: GpuScope;
  private pipeline: GPURenderPipeline;
  private layout: BindGroupLayoutHandle;
  private uniforms: BufferHandle;
  private data = new Float32Array(4);
  private bindGroup?: { outputId: number; group: GPUBindGroup };
  private lastTransform = "";

  constructor(
    private gpu: Gpu,
    format: GPUTextureFormat,
    private fit = false,
  ) {
    this.scope = gpu.scope("display");
    this.layout = this.scope.layout(ENTRIES);
    this.pipeline = this.scope.renderPipeline({ shader: loadShader("common/display.wgsl"), targets: [format], layouts: [this.layout] });
    this.uniforms = this.scope.buffer("display", 16, 0x40 /* UNIFORM */ | 0x08 /* COPY_DST */);
  }

  /** Records the pass into `frame`, drawing `output` into `target` (a surface texture view). */
  draw(frame: Frame, output: TextureHandle, target: GPUTextureView, targetSize: [number, number]): void {
    const [sx, ox, sy, oy] = displayTransform(this.fit, [output.width, output.height], targetSize);
    const key = `${sx},${ox},${sy},${oy}`;
    if (key !== this.lastTransform) {
      this.data.set([sx, sy, ox, oy]);
      this.gpu.queue.writeBuffer(this.uniforms.buffer, 0, this.data);
      this.lastTransform = key;
    }
    // The output texture changes only when a reload or a resize replaces it: then the old bind
    // group is dropped (it would keep the old texture's view alive).
    if (this.bindGroup?.outputId !== output.id) {
      if (this.bindGroup) this.scope.drop(this.bindGroup.group);
      const group = this.scope.bindGroup(this.layout, ENTRIES, [this.uniforms, this.scope.sampler(), output]);
      this.bindGroup = { outputId: output.id, group };
    }
    const group = this.bindGroup.group;
    const pass = frame.renderPass("display", {
      colorAttachments: [{ view: target, loadOp: "clear", storeOp: "store", clearValue: [0, 0, 0, 1] }],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group);
    pass.draw(3);
    pass.end();
  }

  dispose(): void {
    this.scope.release();
  }
}
