/**
 * A reference-counted cache: one entry per key, created on the first acquire, destroyed when the last
 * holder releases it. Every GPU cache (shader modules, layouts, pipelines, bind groups, samplers, pooled
 * textures) is one of these, so "objects no longer used by any operator are released" is one rule in
 * one place.
 *
 * A reload builds the new chain beside the old one: the new chain acquires (hits, refs 1 → 2), the old
 * chain releases (2 → 1), and nothing is created or destroyed for what did not change.
 *
 * `create` and `destroy` are injected so the cache is tested without a GPU (as Bevy's pipeline cache is).
 */
export class RefCache<V> {
  private entries = new Map<string, { value: V; refs: number }>();

  constructor(
    readonly kind: string,
    private destroy: (value: V, key: string) => void,
  ) {}

  acquire(key: string, create: () => V): V {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { value: create(), refs: 0 };
      this.entries.set(key, entry);
    }
    entry.refs++;
    return entry.value;
  }

  release(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) throw new Error(`${this.kind} cache: release of unknown key ${key}`);
    if (--entry.refs > 0) return;
    this.entries.delete(key);
    this.destroy(entry.value, key);
  }

  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  refs(key: string): number {
    return this.entries.get(key)?.refs ?? 0;
  }

  get size(): number {
    return this.entries.size;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Destroys everything regardless of references (device teardown). */
  clear(): void {
    for (const [key, entry] of this.entries) this.destroy(entry.value, key);
    this.entries.clear();
  }
}
