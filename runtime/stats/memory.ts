import type { GrowthSummary } from "./events.ts";
import { growthSummary, judgeGrowth } from "./growth.ts";
import { RingBuffer } from "./ring.ts";

/**
 * Leak-alarm settings. The alarm is the soak's growth judgement (runtime/stats/growth.ts) over the
 * last `windowMinutes` of samples with `thresholdMBh` as the limit: raised while RSS grows over
 * the threshold in a sustained way (the lower 95 % bound of the slope over it, in the window and
 * in each half of it alone), cleared when that no longer holds.
 */
export interface LeakAlarmOptions {
  thresholdMBh: number;
  windowMinutes: number;
}

/**
 * Defaults: 20 MB/h over the last 30 minutes.
 *
 * Why not 1 MB/h: a running installation is not a quiet soak. Without the soak's GC and malloc
 * trim before each sample, RSS in steady state jitters by about ±2 MB (GC, allocator), so the
 * bounds of a slope over half an hour stay about 4 MB/h apart and a 1 MB/h limit would sit
 * inside them for good: the line would say "measuring" forever. 20 MB/h is a leak that matters,
 * about 0.5 GB a day, which takes down an installation that runs for a week, and the judgement
 * tells it from noise within ten to fifteen minutes. Slower leaks are the soak's job. A one-time
 * step (a new operator allocating its textures) tilts the window but neither half of it, so it
 * never raises the alarm; a bump that comes back does not move the 1-minute floors (second-lowest samples) the slope is fitted to.
 */
export const LEAK_ALARM_DEFAULTS: Readonly<LeakAlarmOptions> = Object.freeze({
  thresholdMBh: 20,
  windowMinutes: 30,
});

export interface MemoryReading {
  /** RSS change since the previous sample; 0 for the first. */
  last10sMB: number;
  /** RSS change since the warm-up sample. */
  totalMB: number;
  /** The growth judgement over the window against the threshold: bounds, or minutes more to measure. */
  leak: GrowthSummary;
  alarm: boolean;
}

const SECONDS_PER_HOUR = 3600;

/**
 * Turns a series of RSS samples into deltas and the leak judgement, at constant memory (the last
 * `windowMinutes` of samples in rings).
 *
 * Warm-up: the first sample added is the warm-up sample and the baseline for `totalMB`. The hub takes
 * it 10 s after start, once shader compilation, pipeline creation, JIT and allocator growth have
 * settled, which is why the first memory line reads `total: +0 MB`.
 */
export class MemoryTracker {
  readonly options: Readonly<LeakAlarmOptions>;
  private readonly seconds: RingBuffer;
  private readonly rss: RingBuffer;
  private readonly secondsScratch: Float64Array;
  private readonly rssScratch: Float64Array;
  private baselineMB: number | null = null;
  private previousMB = 0;

  /** `samplePeriodS`: seconds between samples, which sizes the window's rings. */
  constructor(options: Partial<LeakAlarmOptions> = {}, samplePeriodS = 10) {
    this.options = { ...LEAK_ALARM_DEFAULTS, ...options };
    if (!(this.options.windowMinutes >= 1)) throw new Error("MemoryTracker: windowMinutes must be at least 1");
    const capacity = Math.ceil((this.options.windowMinutes * 60) / samplePeriodS) + 1;
    this.seconds = new RingBuffer(capacity);
    this.rss = new RingBuffer(capacity);
    this.secondsScratch = new Float64Array(capacity);
    this.rssScratch = new Float64Array(capacity);
  }

  /** The warm-up RSS in MB, or null before the first sample. */
  get warmupMB(): number | null {
    return this.baselineMB;
  }

  add(tSeconds: number, rssMB: number): MemoryReading {
    const first = this.baselineMB === null;
    if (first) this.baselineMB = rssMB;
    const last10sMB = first ? 0 : rssMB - this.previousMB;
    this.previousMB = rssMB;
    this.seconds.push(tSeconds);
    this.rss.push(rssMB);
    const growth = judgeGrowth(this.seconds.copyTo(this.secondsScratch), this.rss.copyTo(this.rssScratch), { limitMBh: this.options.thresholdMBh, block: "floor" });
    return { last10sMB, totalMB: rssMB - this.baselineMB!, leak: growthSummary(growth), alarm: growth.state === "fail" };
  }
}
