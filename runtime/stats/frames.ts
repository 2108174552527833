import type { FramesEvent } from "./events.ts";
import { percentileSorted, round2 } from "./math.ts";
import { RingBuffer } from "./ring.ts";

/**
 * Collects the frames of one reporting window (one second) and summarises them. Count, sum and max
 * are exact for any number of frames; percentiles are taken over the last `capacity` frames, which at
 * the default 1024 covers a whole second up to 1 kHz. Memory is fixed at construction.
 */
export class FrameWindow {
  private readonly cpu: RingBuffer;
  private readonly interval: RingBuffer;
  private readonly scratch: Float64Array;
  private frames = 0;
  private cpuSum = 0;
  private cpuMax = 0;
  private intervals = 0;
  private intervalSum = 0;
  private intervalMax = 0;

  constructor(capacity = 1024) {
    this.cpu = new RingBuffer(capacity);
    this.interval = new RingBuffer(capacity);
    this.scratch = new Float64Array(capacity);
  }

  get frameCount(): number {
    return this.frames;
  }

  /** A non-finite interval (the very first frame has none) counts the frame but not its interval. */
  add(cpuMs: number, intervalMs: number): void {
    this.frames++;
    this.cpu.push(cpuMs);
    this.cpuSum += cpuMs;
    if (cpuMs > this.cpuMax) this.cpuMax = cpuMs;
    if (!Number.isFinite(intervalMs)) return;
    this.intervals++;
    this.interval.push(intervalMs);
    this.intervalSum += intervalMs;
    if (intervalMs > this.intervalMax) this.intervalMax = intervalMs;
  }

  /** Summarises the window as a frames event and starts a new window. No frames gives zeros. */
  take(t: number, elapsedSeconds: number): FramesEvent {
    const cpuSorted = this.cpu.copyTo(this.scratch).sort();
    const cpuMs = {
      avg: round2(this.frames ? this.cpuSum / this.frames : 0),
      p50: round2(percentileSorted(cpuSorted, 50)),
      p99: round2(percentileSorted(cpuSorted, 99)),
      max: round2(this.cpuMax),
    };
    const intervalSorted = this.interval.copyTo(this.scratch).sort();
    const intervalMs = {
      avg: round2(this.intervals ? this.intervalSum / this.intervals : 0),
      p99: round2(percentileSorted(intervalSorted, 99)),
      max: round2(this.intervalMax),
    };
    const fps = round2(elapsedSeconds > 0 ? this.frames / elapsedSeconds : 0);
    this.reset();
    return { type: "frames", t, fps, cpuMs, intervalMs };
  }

  private reset(): void {
    this.cpu.clear();
    this.interval.clear();
    this.frames = this.cpuSum = this.cpuMax = 0;
    this.intervals = this.intervalSum = this.intervalMax = 0;
  }
}
