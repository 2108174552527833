/**
 * bench/raw-loop.ts done with compute passes: the same noise pass and N−1 four-tap filter passes
 * (bench/noise-compute.wgsl, bench/tap4-compute.wgsl: the same arithmetic and samples), ping-ponging
 * between two rgba16float storage textures, one 8×8 workgroup per 64 pixels, one uniform write per
 * pass, one encoder and one submit per frame, pass encoders and the command buffer released.
 *
 * Like the raw fragment loop it bypasses runtime/gpu on purpose: it is the yardstick for what a compute
 * path could reach on a card, before the runtime has one. Everything it creates it destroys in
 * `dispose()`.
 */
import { loadShader } from "../runtime/gpu/shaders.ts";
import { releaseComputePass } from "../runtime/gpu/compute-pass.ts";
import { fileURLToPath } from "node:url";

const FORMAT: GPUTextureFormat = "rgba16float";
const NOISE = fileURLToPath(new URL("./noise-compute.wgsl", import.meta.url));
const TAP4 = fileURLToPath(new URL("./tap4-compute.wgsl", import.meta.url));
const WORKGROUP = 8;

export class RawComputeLoop {
  private textures: GPUTexture[] = [];
  private views: GPUTextureView[] = [];
  private uniforms: GPUBuffer[] = [];
  private groups: GPUBindGroup[] = [];
  private noisePipeline: GPUComputePipeline;
  private tapPipeline: GPUComputePipeline;
  private objects: Array<{ destroy(): void }> = [];
  private noiseData = new Float32Array(16);
  private tapData = new Float32Array(4);
  private groupsX: number;
  private groupsY: number;

  constructor(
    private device: GPUDevice,
    readonly passes: number,
    readonly width: number,
    readonly height: number,
  ) {
    const noiseModule = device.createShaderModule({ code: loadShader(NOISE).code });
    const tapModule = device.createShaderModule({ code: loadShader(TAP4).code });
    const storage = { binding: 0, visibility: GPUShaderStage.COMPUTE, storageTexture: { access: "write-only" as const, format: FORMAT } };
    const noiseLayout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform" } },
        { ...storage, binding: 1 },
      ],
    });
    const tapLayout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform" } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, sampler: { type: "filtering" } },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, texture: { sampleType: "float" } },
        { ...storage, binding: 3 },
      ],
    });
    const pipeline = (module: GPUShaderModule, layout: GPUBindGroupLayout) =>
      device.createComputePipeline({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: "main" },
      });
    this.noisePipeline = pipeline(noiseModule, noiseLayout);
    this.tapPipeline = pipeline(tapModule, tapLayout);
    const sampler = device.createSampler({ magFilter: "linear", minFilter: "linear" });
    for (let i = 0; i < 2; i++) {
      const texture = device.createTexture({ size: [width, height], format: FORMAT, usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC });
      this.textures.push(texture);
      this.views.push(texture.createView());
    }
    for (let pass = 0; pass < passes; pass++) {
      const buffer = device.createBuffer({ size: pass === 0 ? 64 : 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      this.uniforms.push(buffer);
      this.groups.push(
        pass === 0
          ? device.createBindGroup({ layout: noiseLayout, entries: [{ binding: 0, resource: { buffer } }, { binding: 1, resource: this.views[0]! }] })
          : device.createBindGroup({
              layout: tapLayout,
              entries: [
                { binding: 0, resource: { buffer } },
                { binding: 1, resource: sampler },
                { binding: 2, resource: this.views[(pass - 1) % 2]! },
                { binding: 3, resource: this.views[pass % 2]! },
              ],
            }),
      );
    }
    this.objects.push(noiseModule, tapModule, noiseLayout, tapLayout, sampler, this.noisePipeline, this.tapPipeline);
    // The raw fragment loop's noise params: scale 4, speed 0.5, octaves 4, lacunarity 2, persistence 0.5.
    const view = new DataView(this.noiseData.buffer);
    view.setFloat32(0, 4, true);
    view.setFloat32(4, 0.5, true);
    view.setInt32(8, 4, true);
    view.setFloat32(12, 2, true);
    view.setFloat32(16, 0.5, true);
    view.setFloat32(52, width / height, true);
    this.tapData.set([1, 1]);
    this.groupsX = Math.ceil(width / WORKGROUP);
    this.groupsY = Math.ceil(height / WORKGROUP);
  }

  /** The texture the last pass wrote. */
  get output(): GPUTexture {
    return this.textures[(this.passes - 1) % 2]!;
  }

  /** Encodes and submits one frame: one compute pass per operator pass, as the fragment loop has one render pass each. */
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
      const computePass = encoder.beginComputePass(this.timestampWrites(pass));
      computePass.setPipeline(pass === 0 ? this.noisePipeline : this.tapPipeline);
      computePass.setBindGroup(0, this.groups[pass]!);
      computePass.dispatchWorkgroups(this.groupsX, this.groupsY);
      computePass.end();
      releaseComputePass(computePass);
    }
    const commandBuffer = encoder.finish();
    device.queue.submit([commandBuffer]);
    commandBuffer._destroy();
  }

  /** Where set, pass p writes its start and end times into queries 2p and 2p + 1 (bench/gpu-time.ts). */
  timestamps: GPUQuerySet | undefined;

  private timestampWrites(pass: number): { timestampWrites?: GPUComputePassTimestampWrites } {
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
