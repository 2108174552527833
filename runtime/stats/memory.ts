import { leastSquaresSlope } from "./math.ts";
import { RingBuffer } from "./ring.ts";

/**
 * Leak-alarm settings. The alarm watches the RSS slope (MB per hour) and is raised when the slope of
 * `windows` consecutive, disjoint windows of `windowSamples` samples each is above `thresholdMBh`.
 * It clears at the end of the first window whose slope is back under the threshold.
 */
export interface LeakAlarmOptions {
  thresholdMBh: number;
  windowSamples: number;
  windows: number;
}

/**
 * Defaults: 20 MB/h, sustained over three consecutive 10-minute windows (60 samples at 10 s), so a
 * leak raises the alarm 30 minutes after warm-up (the deltas show it long before).
 *
 * Why not 1 MB/h: RSS in steady state jitters by about ±2 MB (GC, allocator). Over 60 samples the
 * least-squares slope then has a standard error of about 5.4 MB/h (σ / sqrt(Σ(t - mean t)²), with
 * Σ = 0.139 h²), so a 1 MB/h threshold is crossed by noise in nearly half of all windows and the
 * alarm would cry wolf within hours. A GC sawtooth (heap growing then collected every minute) also
 * biases every window's slope upwards: by about 3 MB/h for a 4 MB sawtooth over 10 minutes, 11 MB/h
 * over 5 minutes, which is why windows are not shorter. 20 MB/h is over three standard errors above
 * that bias, and three windows in a row make a false alarm from noise practically impossible. It is
 * still a leak that matters: about 0.5 GB a day, which takes down an installation that runs for a
 * week. Slower leaks show in `totalMB` and in the soak test rather than in a 10-minute slope.
 *
 * Disjoint windows, not overlapping ones, so that a one-time step (a new operator allocating its
 * textures after warm-up) raises at most one window's slope and never the alarm, while a steady
 * leak raises every window.
 */
export const LEAK_ALARM_DEFAULTS: Readonly<LeakAlarmOptions> = Object.freeze({
  thresholdMBh: 20,
  windowSamples: 60,
  windows: 3,
});

export interface MemoryReading {
  /** RSS change since the previous sample; 0 for the first. */
  last10sMB: number;
  /** RSS change since the warm-up sample. */
  totalMB: number;
  /** RSS slope over the last `windowSamples` samples (fewer while filling); null under three samples. */
  slopeMBh: number | null;
  alarm: boolean;
}

const SECONDS_PER_HOUR = 3600;

/**
 * Turns a series of RSS samples into deltas, a slope and the leak alarm, at constant memory.
 *
 * Warm-up: the first sample added is the warm-up sample and the baseline for `totalMB`. The hub takes
 * it 10 s after start, once shader compilation, pipeline creation, JIT and allocator growth have
 * settled, which is why the first memory line reads `total: +0 MB`.
 */
export class MemoryTracker {
  readonly options: Readonly<LeakAlarmOptions>;
  private readonly hours: RingBuffer;
  private readonly rss: RingBuffer;
  private readonly hoursScratch: Float64Array;
  private readonly rssScratch: Float64Array;
  private baselineMB: number | null = null;
  private previousMB = 0;
  private samples = 0;
  private windowsAbove = 0;
  private alarm = false;

  constructor(options: Partial<LeakAlarmOptions> = {}) {
    this.options = { ...LEAK_ALARM_DEFAULTS, ...options };
    if (this.options.windowSamples < 3) throw new Error("MemoryTracker: windowSamples must be at least 3");
    if (this.options.windows < 1) throw new Error("MemoryTracker: windows must be at least 1");
    this.hours = new RingBuffer(this.options.windowSamples);
    this.rss = new RingBuffer(this.options.windowSamples);
    this.hoursScratch = new Float64Array(this.options.windowSamples);
    this.rssScratch = new Float64Array(this.options.windowSamples);
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
    this.samples++;
    this.hours.push(tSeconds / SECONDS_PER_HOUR);
    this.rss.push(rssMB);

    const slopeMBh = this.slope();
    if (this.samples % this.options.windowSamples === 0 && slopeMBh !== null) {
      this.windowsAbove = slopeMBh > this.options.thresholdMBh ? this.windowsAbove + 1 : 0;
      this.alarm = this.windowsAbove >= this.options.windows;
    }
    return { last10sMB, totalMB: rssMB - this.baselineMB!, slopeMBh, alarm: this.alarm };
  }

  private slope(): number | null {
    if (this.rss.length < 3) return null;
    return leastSquaresSlope(this.hours.copyTo(this.hoursScratch), this.rss.copyTo(this.rssScratch));
  }
}
