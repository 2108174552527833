/**
 * Frames read back for recording: the chain's output converted to 8-bit RGBA on the GPU
 * (shaders/common/record.wgsl: the display pass's clamp, texel for texel, so a recorded frame has the
 * bytes the window and a snapshot show) and copied into one of a small ring of mappable staging buffers, all in the frame's
 * own encoder and submit. Everything is made once, when recording starts, and counted in the census
 * under "record"; a frame creates nothing.
 *
 * A slot's life: `capture` (records the copy into the frame) → the frame is submitted →
 * `submitted` → `map` (waits for the GPU, returns the pixels) → the consumer writes them out →
 * `release` (unmaps; the slot is free again). With every slot busy, `capture` returns undefined;
 * `whenFree` waits for one.
 *
 * `map` first waits for the frame through the queue's work-done (gpu/work-done.ts, which polls Dawn
 * gently) and only then asks to map: bun-webgpu's own wait for a mapping polls on every turn of the
 * event loop, a thread spinning at 100 % that a software GPU needs for rasterising.
 */
import { FullscreenPass } from "./fullscreen-pass.ts";
import type { BufferHandle, Frame, Gpu, GpuScope, TextureHandle } from "./gpu.ts";
import { loadShader } from "./shaders.ts";

const MAP_READ = 0x0001;
const COPY_DST = 0x0008;
const COPY_SRC = 0x01;
const RENDER_ATTACHMENT = 0x10;
const MAP_MODE_READ = 0x0001;

/** Default ring length: one frame being encoded, one being mapped, one being drawn. */
export const READBACK_SLOTS = 3;

export class FrameReadback {
  readonly width: number;
  readonly height: number;
  /** Bytes of one row in the staging buffer (WebGPU copies rows at multiples of 256 bytes). */
  readonly bytesPerRow: number;
  private scope: GpuScope;
  private pass: FullscreenPass;
  private target: TextureHandle;
  private slots: BufferHandle[] = [];
  private busy: boolean[] = [];
  /** Per slot, the wait for the frame that captured it (set by `submitted`). */
  private done: Array<Promise<unknown> | undefined> = [];
  /** Rows packed without the copy's padding, for widths whose rows are not a multiple of 64 pixels. */
  private packed?: Uint8Array;
  /** The output size the conversion's scale was last written for ("" before the first capture). */
  private scaledFor = "";
  private scale = new Float32Array(4);
  private waiters: Array<() => void> = [];
  private disposed = false;

  constructor(
    private gpu: Gpu,
    width: number,
    height: number,
    slots = READBACK_SLOTS,
  ) {
    this.width = width;
    this.height = height;
    this.bytesPerRow = Math.ceil((width * 4) / 256) * 256;
    this.scope = gpu.scope("record");
    this.pass = new FullscreenPass(this.scope, { shader: loadShader("common/record.wgsl"), inputCount: 1, uniformSize: 16, slot: "convert", format: "rgba8unorm" });
    this.target = this.scope.texture({ width, height, format: "rgba8unorm", usage: RENDER_ATTACHMENT | COPY_SRC, slot: "rgba8" });
    for (let i = 0; i < slots; i++) {
      this.slots.push(this.scope.buffer(`staging${i}`, this.bytesPerRow * height, MAP_READ | COPY_DST));
      this.busy.push(false);
    }
    if (this.bytesPerRow !== width * 4) this.packed = new Uint8Array(width * height * 4);
  }

  get freeSlots(): number {
    return this.busy.filter((b) => !b).length;
  }

  /** Resolves when a slot is free (at once if one is). */
  whenFree(): Promise<void> {
    if (this.disposed || this.busy.includes(false)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Records the conversion of `output` and its copy into a free slot, into `frame` (before its
   * submit). Returns the slot, or undefined when every slot is still busy (the frame is not captured).
   */
  capture(frame: Frame, output: TextureHandle): number | undefined {
    const slot = this.busy.indexOf(false);
    if (slot < 0 || this.disposed) return undefined;
    this.busy[slot] = true;
    const size = `${output.width}x${output.height}`;
    if (size !== this.scaledFor) {
      // Output texels per recording pixel: 1 while the sizes match; else the nearest texel of a resized output.
      this.scale.set([output.width / this.width, output.height / this.height]);
      this.pass.writeUniforms(this.gpu.queue, this.scale);
      this.scaledFor = size;
    }
    this.pass.draw(frame, "record", this.target.view, [output]);
    frame.encoder.copyTextureToBuffer(
      { texture: this.target.texture },
      { buffer: this.slots[slot]!.buffer, bytesPerRow: this.bytesPerRow, rowsPerImage: this.height },
      [this.width, this.height],
    );
    return slot;
  }

  /** Right after the submit of the frame that captured `slot`: starts waiting for that frame. */
  submitted(slot: number): void {
    this.done[slot] = this.gpu.queue.onSubmittedWorkDone();
  }

  /**
   * After the frame that captured `slot` was submitted (and `submitted(slot)`): waits for it and returns its pixels, rows
   * from the top, width × 4 bytes each. They stay valid until `release(slot)`.
   */
  async map(slot: number): Promise<Uint8Array> {
    const buffer = this.slots[slot]!.buffer;
    await this.done[slot];
    this.done[slot] = undefined;
    await buffer.mapAsync(MAP_MODE_READ, 0, this.bytesPerRow * this.height);
    const mapped = new Uint8Array(buffer.getMappedRange(0, this.bytesPerRow * this.height));
    if (!this.packed) return mapped;
    const rowBytes = this.width * 4;
    for (let row = 0; row < this.height; row++) this.packed.set(mapped.subarray(row * this.bytesPerRow, row * this.bytesPerRow + rowBytes), row * rowBytes);
    return this.packed;
  }

  /** Unmaps `slot` and frees it for the next capture. */
  release(slot: number): void {
    const buffer = this.slots[slot]!.buffer;
    if (buffer.mapState === "mapped") buffer.unmap();
    this.busy[slot] = false;
    this.waiters.shift()?.();
  }

  /** Gives everything back (call once no slot is mapped or awaited any more). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const slot of this.slots) if (slot.buffer.mapState === "mapped") slot.buffer.unmap();
    this.scope.release();
    for (const wake of this.waiters.splice(0)) wake();
  }
}
