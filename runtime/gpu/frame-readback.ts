/**
 * Frames read back for recording: the chain's output converted to 8-bit RGBA on the GPU (the same
 * shader and clamp the window's display pass uses, so a recorded frame has the bytes the window and a
 * snapshot show) and copied into one of a small ring of mappable staging buffers, all in the frame's
 * own encoder and submit. Everything is made once, when recording starts, and counted in the census
 * under "record"; a frame creates nothing.
 *
 * A slot's life: `capture` (records the copy into the frame) → the frame is submitted → `map`
 * (waits for the GPU, returns the pixels) → the consumer writes them out → `release` (unmaps; the slot
 * is free again). With every slot busy, `capture` returns undefined; `whenFree` waits for one.
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
  /** Rows packed without the copy's padding, for widths whose rows are not a multiple of 64 pixels. */
  private packed?: Uint8Array;
  private waiters: Array<() => void> = [];
  private disposed = false;

  constructor(gpu: Gpu, width: number, height: number, slots = READBACK_SLOTS) {
    this.width = width;
    this.height = height;
    this.bytesPerRow = Math.ceil((width * 4) / 256) * 256;
    this.scope = gpu.scope("record");
    this.pass = new FullscreenPass(this.scope, { shader: loadShader("common/display.wgsl"), inputCount: 1, uniformSize: 16, slot: "convert", format: "rgba8unorm" });
    // uv scale (1, 1), offset (0, 0): the output stretched onto the recording's size (1:1 when they match).
    this.pass.writeUniforms(gpu.queue, new Float32Array([1, 1, 0, 0]));
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
    this.pass.draw(frame, "record", this.target.view, [output]);
    frame.encoder.copyTextureToBuffer(
      { texture: this.target.texture },
      { buffer: this.slots[slot]!.buffer, bytesPerRow: this.bytesPerRow, rowsPerImage: this.height },
      [this.width, this.height],
    );
    return slot;
  }

  /**
   * After the frame that captured `slot` was submitted: waits for it and returns its pixels, rows
   * from the top, width × 4 bytes each. They stay valid until `release(slot)`.
   */
  async map(slot: number): Promise<Uint8Array> {
    const buffer = this.slots[slot]!.buffer;
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
