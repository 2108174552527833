import { createRequire } from "node:module";

/**
 * Entries each of Ink's two text caches keeps (QuickLRU keeps up to twice this live while it
 * rotates). The dashboard has about 25 texts and a redraw changes a few, so this is still many
 * redraws' worth: a text that is drawn again soon (a reload line moving down the ledger) is found.
 */
export const INK_TEXT_CACHE_ENTRIES = 256;

/** QuickLRU prototypes already patched (one, unless Ink's copy of the module changes). */
const bounded = new WeakSet<object>();

interface QuickLruPrototype {
  maxSize: number;
  resize(maxSize: number): void;
  set(key: unknown, value: unknown, options?: unknown): unknown;
}

/**
 * Ink measures every text it lays out (measure-text.js) and wraps every text wider than its box
 * (wrap-text.js) through two module-level QuickLRU caches of 4096 entries, keyed by the text. The
 * dashboard's texts change with every redraw (uptime, fps, frame times, memory, the ledger), so
 * almost every entry is a text that is never drawn again, and the caches only ever fill: about two
 * entries a redraw, at a soak's ~1.6 redraws a second some 40 minutes to their 8192 live entries;
 * at 5 800 they held 0.86 MB of JS heap and 10.8 MB of RSS (the long-lived entries pin pages among
 * the redraws' garbage). That was the dashboard's growth in issue #16 (docs/memory.md). Neither
 * cache is exported, so this bounds each the first time Ink stores a text in it: QuickLRU is used by
 * Ink alone, and resolved here from Ink's own directory, so it is the copy Ink imports. Idempotent;
 * call it before the first render.
 */
export function boundInkTextCaches(): void {
  const requireFromInk = createRequire(createRequire(import.meta.url).resolve("ink"));
  const QuickLRU = requireFromInk("quick-lru").default as { prototype: QuickLruPrototype };
  const prototype = QuickLRU.prototype;
  if (bounded.has(prototype)) return;
  bounded.add(prototype);
  const set = prototype.set;
  const seen = new WeakSet<QuickLruPrototype>();
  prototype.set = function (this: QuickLruPrototype, key, value, options) {
    if (!seen.has(this)) {
      seen.add(this);
      if (this.maxSize > INK_TEXT_CACHE_ENTRIES) this.resize(INK_TEXT_CACHE_ENTRIES);
    }
    return set.call(this, key, value, options);
  };
}
