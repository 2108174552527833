/**
 * The census: every GPU object the runtime creates or releases is counted here, per kind and per
 * owner (an operator's name, or "runtime" / "display" for the host's own objects), with bytes for
 * textures and buffers. bun-webgpu has no finalizers, so a forgotten release is a native leak that
 * garbage collection never fixes; these counters are how tests and the dashboard prove there is none.
 *
 * Only runtime/gpu/ calls `created` / `released`.
 */

export const GPU_KINDS = [
  "shaderModule",
  "renderPipeline",
  "computePipeline",
  "bindGroupLayout",
  "pipelineLayout",
  "bindGroup",
  "texture",
  "textureView",
  "buffer",
  "sampler",
  "querySet",
  // Objects WebGPU forces us to make every frame; released in the same frame.
  "commandEncoder",
  "renderPass",
  "computePass",
  "commandBuffer",
  "surfaceTexture",
] as const;

export type GpuKind = (typeof GPU_KINDS)[number];

/** Kinds that exist only within one frame: created and released every frame by design. */
export const PER_FRAME_KINDS: ReadonlySet<GpuKind> = new Set<GpuKind>([
  "commandEncoder",
  "renderPass",
  "computePass",
  "commandBuffer",
  "surfaceTexture",
]);

export interface KindCount {
  created: number;
  released: number;
  live: number;
}

export interface OwnerCount {
  live: number;
  bytes: number;
}

export interface CensusSnapshot {
  kinds: Record<GpuKind, KindCount>;
  owners: Record<string, OwnerCount>;
  textureBytes: number;
  bufferBytes: number;
}

function emptyKinds(): Record<GpuKind, KindCount> {
  const kinds = {} as Record<GpuKind, KindCount>;
  for (const kind of GPU_KINDS) kinds[kind] = { created: 0, released: 0, live: 0 };
  return kinds;
}

export class Census {
  private kinds = emptyKinds();
  private owners = new Map<string, OwnerCount>();
  private textureBytes = 0;
  private bufferBytes = 0;

  created(kind: GpuKind, owner = "runtime", bytes = 0): void {
    const count = this.kinds[kind];
    count.created++;
    count.live++;
    this.adjust(kind, owner, 1, bytes);
  }

  released(kind: GpuKind, owner = "runtime", bytes = 0): void {
    const count = this.kinds[kind];
    if (count.live === 0) throw new Error(`census: released a ${kind} (owner ${owner}) that was never counted as created`);
    count.released++;
    count.live--;
    this.adjust(kind, owner, -1, -bytes);
  }

  /** Live objects of one kind, or of all kinds together. */
  live(kind?: GpuKind): number {
    if (kind) return this.kinds[kind].live;
    let total = 0;
    for (const k of GPU_KINDS) total += this.kinds[k].live;
    return total;
  }

  /** GPU memory held by live textures and buffers, in bytes. */
  get gpuBytes(): number {
    return this.textureBytes + this.bufferBytes;
  }

  snapshot(): CensusSnapshot {
    const kinds = emptyKinds();
    for (const k of GPU_KINDS) kinds[k] = { ...this.kinds[k] };
    const owners: Record<string, OwnerCount> = {};
    for (const [name, count] of this.owners) owners[name] = { ...count };
    return { kinds, owners, textureBytes: this.textureBytes, bufferBytes: this.bufferBytes };
  }

  private adjust(kind: GpuKind, owner: string, delta: number, bytes: number): void {
    if (kind === "texture") this.textureBytes += bytes;
    if (kind === "buffer") this.bufferBytes += bytes;
    if (PER_FRAME_KINDS.has(kind)) return;
    let entry = this.owners.get(owner);
    if (!entry) {
      entry = { live: 0, bytes: 0 };
      this.owners.set(owner, entry);
    }
    entry.live += delta;
    entry.bytes += bytes;
    if (entry.live === 0 && entry.bytes === 0) this.owners.delete(owner);
  }
}

/** Created-count difference between two snapshots, per kind: what happened in between. */
export function createdSince(before: CensusSnapshot, after: CensusSnapshot): Record<GpuKind, number> {
  const diff = {} as Record<GpuKind, number>;
  for (const k of GPU_KINDS) diff[k] = after.kinds[k].created - before.kinds[k].created;
  return diff;
}

export function releasedSince(before: CensusSnapshot, after: CensusSnapshot): Record<GpuKind, number> {
  const diff = {} as Record<GpuKind, number>;
  for (const k of GPU_KINDS) diff[k] = after.kinds[k].released - before.kinds[k].released;
  return diff;
}
