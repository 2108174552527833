/** Synthetic inputs for stats tests: a settable clock, a seeded noise source, memory series. */
import type { ProcessMemory } from "../../../runtime/stats/events.ts";

export const MB = 1024 * 1024;

/** A clock the test moves by hand, in milliseconds. */
export class FakeClock {
  ms = 0;
  now = (): number => this.ms;
  advance(ms: number): number {
    this.ms += ms;
    return this.ms;
  }
  /**
   * Moves to frame `index` (1-based) of a loop at `fps` that began at `startMs`. Computed, not
   * accumulated, so frame 60 at 60 fps lands on exactly one second.
   */
  frame(index: number, fps = 60, startMs = 0): number {
    this.ms = startMs + (index * 1000) / fps;
    return this.ms;
  }
}

/** mulberry32: a small seeded generator, so a "noisy" series is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * RSS in MB for sample i (10 s apart): a base, a linear leak per sample, uniform noise of ±noiseMB
 * and a GC sawtooth that climbs 4 MB over six samples and drops, as a heap that is collected every
 * minute looks from outside.
 */
export function rssSeries(count: number, options: { baseMB?: number; leakPerSampleMB?: number; noiseMB?: number; seed?: number } = {}): number[] {
  const { baseMB = 100, leakPerSampleMB = 0, noiseMB = 0, seed = 1 } = options;
  const random = seededRandom(seed);
  const series: number[] = [];
  for (let i = 0; i < count; i++) {
    const sawtooth = noiseMB > 0 ? ((i % 6) / 5) * 4 : 0;
    series.push(baseMB + leakPerSampleMB * i + (random() * 2 - 1) * noiseMB + sawtooth);
  }
  return series;
}

/** A memory reader that returns the given RSS series one sample per call, then repeats the last. */
export function seriesReader(rssMB: readonly number[], heapMB = 20): () => ProcessMemory {
  let index = 0;
  return () => {
    const rss = rssMB[Math.min(index++, rssMB.length - 1)]!;
    return { rssBytes: rss * MB, heapBytes: heapMB * MB };
  };
}
