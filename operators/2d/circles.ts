/**
 * Draws instanced anti-aliased discs into an operator's output (Particles, PointSprites): one
 * pipeline, one 16-byte uniform buffer and one instance buffer, all acquired at init. A frame is
 * one `writeBuffer` for the instances, one for the uniforms and one render pass with one draw.
 */
import { OUTPUT_FORMAT, type BindGroupLayoutHandle, type BufferHandle, type Frame, type GpuScope, type LayoutEntry, type TextureHandle } from "../../runtime/gpu/gpu.ts";
import { loadShader } from "../../runtime/gpu/shaders.ts";
import { GrowableBuffer } from "./draw-buffers.ts";

/** Floats per instance: center.xy, radius, pad, color.rgba (32 bytes, matches CircleInstance). */
export const CIRCLE_FLOATS = 8;
const STRIDE = CIRCLE_FLOATS * 4;

const VERTEX = 0x1;
const UNIFORM = 0x40;
const COPY_DST = 0x08;

/** Straight-alpha "over" blending, as the original's particle renderer. */
export const ALPHA_BLEND: GPUBlendState = {
  color: { srcFactor: "src-alpha", dstFactor: "one-minus-src-alpha", operation: "add" },
  alpha: { srcFactor: "one", dstFactor: "one-minus-src-alpha", operation: "add" },
};

const INSTANCE_LAYOUT: GPUVertexBufferLayout = {
  arrayStride: STRIDE,
  stepMode: "instance",
  attributes: [
    { shaderLocation: 0, offset: 0, format: "float32x2" },
    { shaderLocation: 1, offset: 8, format: "float32" },
    { shaderLocation: 2, offset: 16, format: "float32x4" },
  ],
};

export class CircleRenderer {
  readonly instances = new GrowableBuffer("instances", STRIDE);
  private pipeline: GPURenderPipeline;
  private bindGroup: GPUBindGroup;
  private uniforms: BufferHandle;
  private uniformData = new Float32Array(4);

  /** `shader` is the operator's own .wgsl (which imports common/circles.wgsl). */
  constructor(
    private scope: GpuScope,
    shader: string,
  ) {
    const entries: LayoutEntry[] = [{ binding: 0, visibility: VERTEX, kind: "uniform" }];
    const layout: BindGroupLayoutHandle = scope.layout(entries);
    this.pipeline = scope.renderPipeline({
      shader: loadShader(shader),
      targets: [OUTPUT_FORMAT],
      blend: ALPHA_BLEND,
      layouts: [layout],
      vertexBuffers: [INSTANCE_LAYOUT],
    });
    this.uniforms = scope.buffer("circle-params", 16, UNIFORM | COPY_DST);
    this.bindGroup = scope.bindGroup(layout, entries, [this.uniforms]);
  }

  /** Room for `count` instances exactly (the operator's declared maximum). */
  reserve(count: number): void {
    this.instances.reserve(this.scope, count);
  }

  /** Room for at least `count` instances, doubling when exceeded (a count that changes often). */
  grow(count: number): void {
    this.instances.grow(this.scope, count);
  }

  /**
   * Clears `target` to `clear` and draws the first `count` instances of `data`
   * (CIRCLE_FLOATS floats each).
   */
  draw(frame: Frame, queue: GPUQueue, owner: string, target: TextureHandle, clear: readonly number[], data: Float32Array, count: number): void {
    const u = this.uniformData;
    u[0] = target.width;
    u[1] = target.height;
    u[2] = target.width / target.height;
    queue.writeBuffer(this.uniforms.buffer, 0, u.buffer as ArrayBuffer, 0, 16);
    const drawn = Math.min(count, this.instances.capacity);
    this.instances.write(queue, data, drawn);
    const pass = frame.renderPass(owner, {
      colorAttachments: [{ view: target.view, loadOp: "clear", storeOp: "store", clearValue: [clear[0]!, clear[1]!, clear[2]!, clear[3]!] }],
    });
    if (drawn > 0) {
      pass.setPipeline(this.pipeline);
      pass.setBindGroup(0, this.bindGroup);
      pass.setVertexBuffer(0, this.instances.handle!.buffer, 0, drawn * STRIDE);
      pass.draw(6, drawn);
    }
    pass.end();
  }
}
