/**
 * Helpers shared by the CPU-driven 2D operators (Particles, PointSprites, Plexus, Canvas): a vertex /
 * instance buffer that is acquired once and only ever written afterwards, a seeded random generator
 * (results repeat for a seed, frame after frame and run after run) and HSV → RGB.
 *
 * Frame discipline (docs/architecture.md#frame-discipline-nothing-created-per-frame): these
 * operators write their per-frame geometry with `queue.writeBuffer` into a buffer held from init. A
 * buffer is replaced only when the data outgrows it (capacity doubles, the old one is dropped), so
 * steady state creates nothing.
 */
import type { BufferHandle, GpuScope } from "../../runtime/gpu/gpu.ts";

const VERTEX = 0x20;
const COPY_DST = 0x08;

/**
 * A VERTEX | COPY_DST buffer with room for `capacity` records of `stride` bytes. Pooled under the
 * operator's name, type and `slot`, so the operator that replaces this one on a reload gets the same
 * buffer back when it asks for the same capacity (see `adoptCapacity`).
 */
export class GrowableBuffer {
  handle?: BufferHandle;
  capacity = 0;

  constructor(
    readonly slot: string,
    /** Bytes per record (vertex or instance). */
    readonly stride: number,
  ) {}

  /** Makes room for exactly `records` records (a declared maximum, e.g. maxParticles). */
  reserve(scope: GpuScope, records: number): BufferHandle {
    const wanted = Math.max(1, Math.ceil(records));
    if (this.handle && this.capacity === wanted) return this.handle;
    return this.replace(scope, wanted);
  }

  /** Makes room for at least `records`, doubling the capacity when it is exceeded. */
  grow(scope: GpuScope, records: number): BufferHandle {
    if (this.handle && records <= this.capacity) return this.handle;
    let capacity = Math.max(this.capacity, 1);
    while (capacity < records) capacity *= 2;
    return this.replace(scope, capacity);
  }

  /**
   * Takes the capacity of the instance this operator replaces (a reload): asking the pool for the
   * same size returns the old buffer, still held by the old scope, so nothing is created.
   */
  adoptCapacity(scope: GpuScope, previous: GrowableBuffer): void {
    if (previous.capacity > this.capacity) this.replace(scope, previous.capacity);
  }

  /** Writes `records` records from `data` (a typed array over the staging memory) at offset 0. */
  write(queue: GPUQueue, data: ArrayBufferView, records: number): void {
    if (records <= 0 || !this.handle) return;
    queue.writeBuffer(this.handle.buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, records * this.stride);
  }

  private replace(scope: GpuScope, capacity: number): BufferHandle {
    const next = scope.buffer(this.slot, capacity * this.stride, VERTEX | COPY_DST);
    if (this.handle && this.handle !== next) scope.drop(this.handle);
    this.handle = next;
    this.capacity = capacity;
    return next;
  }
}

/**
 * Seeded pseudo-random numbers (mulberry32). The state is one 32-bit integer, so it is cheap to hand
 * over on a reload and a seed gives the same sequence everywhere.
 */
export class Random {
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [-1, 1). */
  signed(): number {
    return this.next() * 2 - 1;
  }
}

/** A stable random value in [0, 1) for an integer (per-particle colours that do not flicker). */
export function hash01(n: number): number {
  let h = Math.imul((n | 0) ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** HSV (all 0..1) → RGB, written into `out` at `offset`. */
export function hsvToRgb(h: number, s: number, v: number, out: Float32Array | number[], offset = 0): void {
  h = ((h % 1) + 1) % 1;
  const c = v * s;
  const x = c * (1 - Math.abs(((h * 6) % 2) - 1));
  const m = v - c;
  const sector = Math.floor(h * 6);
  const [r, g, b] = sector === 0 ? [c, x, 0] : sector === 1 ? [x, c, 0] : sector === 2 ? [0, c, x] : sector === 3 ? [0, x, c] : sector === 4 ? [x, 0, c] : [c, 0, x];
  out[offset] = r + m;
  out[offset + 1] = g + m;
  out[offset + 2] = b + m;
}
