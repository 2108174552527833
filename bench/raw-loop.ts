/**
 * The yardstick: a minimal hand-written bun-webgpu loop doing exactly the passes the Vivid benchmark
 * chain does — one noise pass (shaders/2d/noise.wgsl), then N−1 four-tap filter passes (bench/tap4.wgsl),
 * both with the fragment entry Vivid appends to a per-pixel shader (shaders/common/pixel-fragment.wgsl) —
 * ping-ponging between two rgba16float textures, one uniform write per pass, one encoder and one
 * submit per frame, pass encoders and the command buffer released.
 *
 * This file alone bypasses runtime/gpu on purpose: it measures what the runtime costs on top of the
 * binding. It counts nothing and caches nothing; everything it creates it destroys in `dispose()`.
 */
import { loadPixelShader } from "../runtime/gpu/dispatch.ts";
import { fileURLToPath } from "node:url";

const FORMAT: GPUTextureFormat = "rgba16float";
const TAP4 = fileURLToPath(new URL("./tap4.wgsl", import.meta.url));

export class RawLoop {
  private textures: GPUTexture[] = [];
  private views: GPUTextureView[] = [];
  private uniforms: GPUBuffer[] = [];
  private groups: GPUBindGroup[] = [];
  private noisePipeline: GPURenderPipeline;
  private tapPipeline: GPURenderPipeline;
  private objects: Array<{ destroy(): void }> = [];
  private noiseData = new Float32Array(16);
  private tapData = new Float32Array(4);

  constructor(
    private device: GPUDevice,
    readonly passes: number,
    readonly width: number,
    readonly height: number,
  ) {
    const noiseModule = device.createShaderModule({ code: loadPixelShader("2d/noise.wgsl", "fragment").code });
    const tapModule = device.createShaderModule({ code: loadPixelShader(TAP4, "fragment").code });
    const noiseLayout = device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPUShaderStage.FRAGMENT, buffer: { type: "uniform" } }] });
    const tapLayout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.FRAGMENT, buffer: { type: "uniform" } },
        { binding: 1, visibility: GPUShaderStage.FRAGMENT, sampler: { type: "filtering" } },
        { binding: 2, visibility: GPUShaderStage.FRAGMENT, texture: { sampleType: "float" } },
      ],
    });
    const pipeline = (module: GPUShaderModule, layout: GPUBindGroupLayout) =>
      device.createRenderPipeline({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        vertex: { module, entryPoint: "vs" },
        fragment: { module, entryPoint: "fs", targets: [{ format: FORMAT }] },
        primitive: { topology: "triangle-list" },
      });
    this.noisePipeline = pipeline(noiseModule, noiseLayout);
    this.tapPipeline = pipeline(tapModule, tapLayout);
    const sampler = device.createSampler({ magFilter: "linear", minFilter: "linear" });
    for (let i = 0; i < 2; i++) {
      const texture = device.createTexture({ size: [width, height], format: FORMAT, usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC });
      this.textures.push(texture);
      this.views.push(texture.createView());
    }
    for (let pass = 0; pass < passes; pass++) {
      const buffer = device.createBuffer({ size: pass === 0 ? 64 : 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      this.uniforms.push(buffer);
      this.groups.push(
        pass === 0
          ? device.createBindGroup({ layout: noiseLayout, entries: [{ binding: 0, resource: { buffer } }] })
          : device.createBindGroup({
              layout: tapLayout,
              entries: [
                { binding: 0, resource: { buffer } },
                { binding: 1, resource: sampler },
                { binding: 2, resource: this.views[(pass - 1) % 2]! },
              ],
            }),
      );
    }
    this.objects.push(noiseModule, tapModule, noiseLayout, tapLayout, sampler, this.noisePipeline, this.tapPipeline);
    // Noise params as the runtime would write them: scale 4, speed 0.5, octaves 4, lacunarity 2, persistence 0.5.
    const view = new DataView(this.noiseData.buffer);
    view.setFloat32(0, 4, true);
    view.setFloat32(4, 0.5, true);
    view.setInt32(8, 4, true);
    view.setFloat32(12, 2, true);
    view.setFloat32(16, 0.5, true);
    view.setFloat32(52, width / height, true);
    this.tapData.set([1, 1]);
  }

  /** The texture the last pass wrote (bench/raw-dispatch.ts reads it back to compare with the compute loop). */
  get output(): GPUTexture {
    return this.textures[(this.passes - 1) % 2]!;
  }

  /** Encodes and submits one frame. */
  frame(time: number): void {
    const device = this.device;
    const encoder = device.createCommandEncoder();
    for (let pass = 0; pass < this.passes; pass++) {
      if (pass === 0) {
        this.noiseData[12] = time;
        device.queue.writeBuffer(this.uniforms[0]!, 0, this.noiseData);
      } else {
        device.queue.writeBuffer(this.uniforms[pass]!, 0, this.tapData);
      }
      const target = this.views[pass % 2]!;
      const encoderPass = encoder.beginRenderPass({
        colorAttachments: [{ view: target, loadOp: "clear", storeOp: "store", clearValue: [0, 0, 0, 1] }],
        ...this.timestampWrites(pass),
      });
      encoderPass.setPipeline(pass === 0 ? this.noisePipeline : this.tapPipeline);
      encoderPass.setBindGroup(0, this.groups[pass]!);
      encoderPass.draw(3);
      encoderPass.end();
      encoderPass.destroy();
    }
    const commandBuffer = encoder.finish();
    device.queue.submit([commandBuffer]);
    commandBuffer._destroy();
  }

  /** Where set, pass p writes its start and end times into queries 2p and 2p + 1 (bench/gpu-time.ts). */
  timestamps: GPUQuerySet | undefined;

  private timestampWrites(pass: number): { timestampWrites?: GPURenderPassTimestampWrites } {
    if (!this.timestamps) return {};
    return { timestampWrites: { querySet: this.timestamps, beginningOfPassWriteIndex: 2 * pass, endOfPassWriteIndex: 2 * pass + 1 } };
  }

  dispose(): void {
    for (const group of this.groups) group.destroy();
    for (const buffer of this.uniforms) buffer.destroy();
    for (const view of this.views) view.destroy();
    for (const texture of this.textures) texture.destroy();
    for (const object of this.objects) object.destroy();
  }
}
