/**
 * Live thumbnails for the inspector page: every texture operator's output (and the screen) drawn
 * small into one RGBA8 atlas inside the frame's own encoder, copied into one of a ring of staging
 * buffers and read back once the GPU is done, a few times a second, never waiting for it.
 *
 * Everything here exists only while a page watches: the first `record` after `watch(true)` acquires
 * the atlas, the ring and one display pass per operator through a GpuScope (counted in the census like
 * every object); `watch(false)` gives them all back once the readbacks in flight have landed. With no
 * page open nothing is acquired and nothing is read back, so the census is what it would be without
 * the inspector.
 */
import { FullscreenPass } from "../gpu/fullscreen-pass.ts";
import type { BufferHandle, Frame, Gpu, GpuScope, TextureHandle } from "../gpu/gpu.ts";
import { loadShader } from "../gpu/shaders.ts";

/** Cell size: 16:9, 160 px wide (a 640-px atlas row is 2560 bytes, a multiple of WebGPU's 256-byte row alignment). */
export const THUMB_WIDTH = 160;
export const THUMB_HEIGHT = 90;
export const THUMB_COLUMNS = 4;
/** Readbacks per second at most (each one refreshes every cell). */
export const THUMBS_PER_SECOND = 4;
/** Staging buffers: one being written by the GPU, one being mapped, one spare. */
export const RING_SIZE = 3;

const RENDER_ATTACHMENT = 0x10;
const COPY_SRC = 0x01;
const COPY_DST = 0x08;
const MAP_READ = 0x01;

/** One thumbnail source: a name (an operator's, or "screen") and the texture to draw, when it has one. */
export interface ThumbnailSource {
  name: string;
  texture: TextureHandle | undefined;
}

export interface ThumbnailFrame {
  cellWidth: number;
  cellHeight: number;
  columns: number;
  operators: string[];
  rgba: Uint8Array;
}

interface Slot {
  buffer: BufferHandle;
  state: "free" | "copying" | "mapping";
  names: string[];
  bytes: number;
}

export class Thumbnails {
  private scope?: GpuScope;
  private atlas?: TextureHandle;
  private ring: Slot[] = [];
  private passes = new Map<string, FullscreenPass>();
  /** The names the atlas was laid out for; another set (a reload added an operator) lays it out again. */
  private layoutKey = "";
  private watching = false;
  private lastAt = Number.NEGATIVE_INFINITY;
  /** Readbacks delivered, for the inspector's own stats. */
  delivered = 0;

  constructor(
    /** The GPU the chain runs on now (a device loss moves the run to a new one). */
    private readonly gpuOf: () => Gpu,
    private readonly deliver: (frame: ThumbnailFrame) => void,
    private readonly intervalMs = 1000 / THUMBS_PER_SECOND,
  ) {}

  /** Whether a page is watching; off, every object is given back (after the readbacks in flight). */
  watch(on: boolean): void {
    this.watching = on;
    if (!on) this.releaseWhenIdle();
  }

  get active(): boolean {
    return this.scope !== undefined;
  }

  /** Whether a page watches: only then does the frame loop hand frames to `record`. */
  get watched(): boolean {
    return this.watching;
  }

  /**
   * Records this frame's thumbnails into `frame` when one is due and a staging buffer is free.
   * Returns whether it did (then `submitted` must follow the frame's submit).
   */
  record(frame: Frame, sources: readonly ThumbnailSource[], now = performance.now()): boolean {
    if (!this.watching || now - this.lastAt < this.intervalMs || sources.length === 0) return false;
    const key = sources.map((source) => source.name).join("\n");
    if (key !== this.layoutKey) {
      // A new layout needs new objects: only once nothing is in flight, so no buffer in use is released.
      if (this.ring.some((slot) => slot.state !== "free")) return false;
      this.layOut(sources);
      this.layoutKey = key;
    }
    const slot = this.ring.find((candidate) => candidate.state === "free");
    if (!slot) return false;
    this.lastAt = now;
    const atlas = this.atlas!;
    let drawn = 0;
    sources.forEach((source, index) => {
      if (!source.texture) return;
      const x = (index % THUMB_COLUMNS) * THUMB_WIDTH;
      const y = Math.floor(index / THUMB_COLUMNS) * THUMB_HEIGHT;
      this.passes.get(source.name)!.draw(frame, "inspector", atlas.view, [source.texture], drawn === 0 ? "clear" : "load", [x, y, THUMB_WIDTH, THUMB_HEIGHT]);
      drawn++;
    });
    const bytesPerRow = atlas.width * 4;
    frame.encoder.copyTextureToBuffer({ texture: atlas.texture }, { buffer: slot.buffer.buffer, bytesPerRow, rowsPerImage: atlas.height }, [atlas.width, atlas.height]);
    slot.state = "copying";
    slot.names = sources.map((source) => source.name);
    slot.bytes = bytesPerRow * atlas.height;
    return true;
  }

  /**
   * After the frame that `record` wrote into was submitted: maps the staging buffer, off the frame
   * path (the map's wait polls Dawn sparingly, runtime/gpu/map-wait.ts, rather than spinning a core
   * the software rasteriser needs).
   */
  submitted(): void {
    for (const slot of this.ring) {
      if (slot.state !== "copying") continue;
      slot.state = "mapping";
      const mapped = slot.buffer.buffer.mapAsync(GPUMapMode.READ, 0, slot.bytes);
      mapped.then(
        () => {
          const rgba = new Uint8Array(slot.buffer.buffer.getMappedRange(0, slot.bytes).slice(0));
          slot.buffer.buffer.unmap();
          slot.state = "free";
          this.delivered++;
          if (this.watching) this.deliver({ cellWidth: THUMB_WIDTH, cellHeight: THUMB_HEIGHT, columns: THUMB_COLUMNS, operators: slot.names, rgba });
          this.releaseWhenIdle();
        },
        () => {
          // The buffer was released under the map (the GPU is closing): nothing to deliver.
          slot.state = "free";
        },
      );
    }
  }

  /** Gives every object back now (at exit; the GPU is idle by then). */
  dispose(): void {
    this.watching = false;
    this.release();
  }

  /**
   * Gives every object back now, before the device they live on is replaced (a device loss); a page
   * still watching gets its thumbnails laid out again on the new device.
   */
  releaseForNewDevice(): void {
    this.release();
  }

  private layOut(sources: readonly ThumbnailSource[]): void {
    this.release();
    const scope = this.gpuOf().scope("inspector");
    this.scope = scope;
    const rows = Math.ceil(sources.length / THUMB_COLUMNS);
    const width = THUMB_COLUMNS * THUMB_WIDTH;
    const height = rows * THUMB_HEIGHT;
    this.atlas = scope.texture({ width, height, format: "rgba8unorm", usage: RENDER_ATTACHMENT | COPY_SRC, slot: "thumbnails" });
    this.ring = Array.from({ length: RING_SIZE }, (_, i) => ({ buffer: scope.buffer(`thumbnails-${i}`, width * 4 * height, COPY_DST | MAP_READ), state: "free" as const, names: [], bytes: 0 }));
    const shader = loadShader("common/display.wgsl");
    // One pass per source, so each keeps its own bind group (one pass would cycle through them);
    // they share the pipeline and, by slot name, one uniform buffer holding "stretch".
    for (const source of sources) {
      const pass = new FullscreenPass(scope, { shader, inputCount: 1, uniformSize: 16, slot: "thumbnail-uniforms", format: "rgba8unorm" });
      pass.writeUniforms(this.gpuOf().queue, new Float32Array([1, 1, 0, 0]));
      this.passes.set(source.name, pass);
    }
  }

  private releaseWhenIdle(): void {
    if (this.watching || this.ring.some((slot) => slot.state !== "free")) return;
    this.release();
  }

  private release(): void {
    this.scope?.release();
    this.scope = undefined;
    this.atlas = undefined;
    this.ring = [];
    this.passes.clear();
    this.layoutKey = "";
  }
}
