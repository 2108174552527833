import { createRequire } from "node:module";

/**
 * Entries each of Ink's two text caches keeps (QuickLRU keeps up to twice this live while it
 * rotates). One dashboard redraw measures about 20 texts, so this is still some ten redraws' worth:
 * every text that is drawn again soon (a reload line moving down the ledger) is still found.
 */
export const INK_TEXT_CACHE_ENTRIES = 256;

interface QuickLruPrototype {
  maxSize: number;
  resize(maxSize: number): void;
  set(key: unknown, value: unknown, options?: unknown): unknown;
}

/**
 * Ink measures every text it lays out (measure-text.js) and wraps every text wider than its box
 * (wrap-text.js) through two module-level QuickLRU caches of 4096 entries, keyed by the text. The
 * dashboard's texts change with every redraw (uptime, fps, frame times, memory, the ledger), so
 * almost every entry is a text that is never drawn again, and the caches only ever fill: at a soak's
 * 1–4 redraws a second they grew for about an hour to their 8192 live entries, and held then about
 * 0.9 MB of JS heap and 10 MB of RSS (the long-lived entries pin pages among the redraws' garbage):
 * the dashboard's "leak" in issue #16. Neither cache is exported, so this bounds both the first time
 * Ink stores a text in each: QuickLRU is used by Ink alone, and resolved here from Ink's own
 * directory, so it is the copy Ink imports. Idempotent; call it before the first render.
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

const bounded = new WeakSet<object>();
