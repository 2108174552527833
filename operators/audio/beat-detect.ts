import { defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { float } from "../../runtime/chain/params.ts";
import { SAMPLE_RATE } from "../../runtime/audio/format.ts";
import { AudioAnalyser, audioInput } from "./source.ts";

/** Frames per energy measurement: 5.3 ms, the precision of an onset's time. */
const STEP = 256;
/** Steps of energy history the threshold is taken over (~1.1 s, as the original's 43 blocks of 1024). */
const HISTORY = 188;
/** The newest inter-onset intervals the tempo is taken from. */
const INTERVALS = 8;
/** Intervals outside 0.25..2 s (240..30 BPM) are not a beat's. */
const MIN_INTERVAL = 0.25;
const MAX_INTERVAL = 2;
/** Steps of history (43 ms) before anything can be an onset: a threshold from fewer would fire on steady noise. */
const MIN_HISTORY = 8;
/** Below this RMS nothing is a beat (silence, hiss). */
const MIN_THRESHOLD = 0.01;
/** The most audio analysed in one frame (a stall or a seek starts afresh after it). */
const MAX_CATCH_UP = SAMPLE_RATE;

/**
 * Onsets in its audio input. The energy (RMS) of each 256-frame step is compared with the last
 * ~1.1 s of steps: a step above mean + sensitivity × standard deviation (and above 0.01) is an
 * onset, unless one came less than `holdTime` ms before. Each frame analyses exactly the steps its
 * source played since the last frame, so a render at any frame rate finds the same onsets.
 *
 * Read in update or a binding: `beat` (true on the frame of an onset), `onBeat(fn)` (called on that
 * frame with the intensity), `energy` (the RMS, rising at once and falling with `decay`),
 * `intensity` (how far the onset passed its threshold, 0.5..1, falling by `decay` a block),
 * `timeSinceBeat` (s), `count` (onsets so far), `bpm` (60 / the median of the last 8 intervals
 * between onsets, 0 until two onsets); `value` is `intensity`, for bindings.
 *
 * Params as the original's BeatDetect (sensitivity 1.5, decay 0.95 per 1024-frame block, holdTime
 * 100 ms), and its detector (mean + sensitivity × σ of the history, floor 0.01). Deviations: steps
 * of 256 frames rather than the device's 1024-frame blocks (an onset's time to 5.3 ms, which the
 * tempo needs); `bpm` and `count` are added.
 */
export class BeatDetect extends AudioAnalyser {
  static override readonly description = "Onsets (beats) of an audio input, their energy and the tempo";
  static override readonly params = {
    sensitivity: float(1.5, 0.5, 3),
    decay: float(0.95, 0.8, 0.999),
    holdTime: float(100, 0, 500),
  };

  declare sensitivity: number;
  declare decay: number;
  declare holdTime: number;

  beat = false;
  energy = 0;
  intensity = 0;
  count = 0;
  bpm = 0;
  /** Seconds of audio since the last onset. */
  timeSinceBeat = 0;
  private readonly step = new Float32Array(STEP);
  private readonly history = new Float32Array(HISTORY);
  private historyAt = 0;
  private historyFilled = 0;
  private sum = 0;
  private sumSquares = 0;
  /** The source frame up to which steps were analysed. */
  private analysedTo?: number;
  /**
   * Frames analysed so far: the detector's own clock. Onsets, the hold time and the intervals are
   * measured on it, not on the source's frame numbers, which jump back when a file loops or seeks.
   */
  private clock = 0;
  private lastOnset?: number;
  private readonly intervals = new Float64Array(INTERVALS);
  private intervalCount = 0;
  private readonly sorted = new Float64Array(INTERVALS);
  private callbacks: Array<(intensity: number) => void> = [];

  /** Calls `fn(intensity)` on each frame with an onset (in this chain version; a reload's setup registers again). */
  onBeat(fn: (intensity: number) => void): this {
    this.callbacks.push(fn);
    return this;
  }

  cook(_ctx: CookContext): void {
    const source = audioInput(this);
    const end = source.position;
    let from = this.analysedTo;
    // First frame, a seek or loop back, or a long stall: start from the step boundary at `end`.
    if (from === undefined || end < from || end - from > MAX_CATCH_UP) from = end - (((end % STEP) + STEP) % STEP);
    this.beat = false;
    const holdFrames = (this.holdTime / 1000) * SAMPLE_RATE;
    const decay = this.decay;
    while (from + STEP <= end) {
      source.read(this.step, from, STEP, "mono");
      from += STEP;
      this.clock += STEP;
      let squares = 0;
      for (let i = 0; i < STEP; i++) squares += this.step[i]! * this.step[i]!;
      const rms = Math.sqrt(squares / STEP);
      const threshold = Math.max(MIN_THRESHOLD, this.threshold());
      this.remember(rms);
      const blockDecay = Math.pow(decay, STEP / 1024);
      this.intensity *= blockDecay;
      this.energy = rms > this.energy ? rms : this.energy * blockDecay + rms * (1 - blockDecay);
      const held = this.lastOnset !== undefined && this.clock - this.lastOnset < holdFrames;
      if (rms > threshold && !held) this.onset(this.clock, rms, threshold);
    }
    this.analysedTo = from;
    this.timeSinceBeat = this.lastOnset === undefined ? 0 : (this.clock + (end - from) - this.lastOnset) / SAMPLE_RATE;
    this.value = this.intensity;
    if (this.beat) for (const fn of this.callbacks) fn(this.intensity);
  }

  /** mean + sensitivity × σ of the history so far. */
  private threshold(): number {
    const n = this.historyFilled;
    if (n < MIN_HISTORY) return Infinity;
    const mean = this.sum / n;
    const variance = Math.max(0, this.sumSquares / n - mean * mean);
    return mean + this.sensitivity * Math.sqrt(variance);
  }

  private remember(rms: number): void {
    if (this.historyFilled === HISTORY) {
      const old = this.history[this.historyAt]!;
      this.sum -= old;
      this.sumSquares -= old * old;
    } else {
      this.historyFilled++;
    }
    this.history[this.historyAt] = rms;
    this.sum += rms;
    this.sumSquares += rms * rms;
    this.historyAt = (this.historyAt + 1) % HISTORY;
  }

  private onset(frame: number, rms: number, threshold: number): void {
    this.beat = true;
    this.count++;
    this.intensity = Math.min(1, (rms - threshold) / threshold + 0.5);
    if (this.lastOnset !== undefined) {
      const interval = (frame - this.lastOnset) / SAMPLE_RATE;
      if (interval >= MIN_INTERVAL && interval <= MAX_INTERVAL) {
        this.intervals[this.intervalCount % INTERVALS] = interval;
        this.intervalCount++;
        this.bpm = 60 / this.medianInterval();
      }
    }
    this.lastOnset = frame;
  }

  private medianInterval(): number {
    const n = Math.min(this.intervalCount, INTERVALS);
    const sorted = this.sorted;
    for (let i = 0; i < n; i++) sorted[i] = this.intervals[i]!;
    // Insertion sort of at most 8 numbers: no allocation.
    for (let i = 1; i < n; i++) {
      const x = sorted[i]!;
      let j = i - 1;
      while (j >= 0 && sorted[j]! > x) {
        sorted[j + 1] = sorted[j]!;
        j--;
      }
      sorted[j + 1] = x;
    }
    return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  }

  override adopt(previous: this): void {
    this.energy = previous.energy;
    this.intensity = previous.intensity;
    this.count = previous.count;
    this.bpm = previous.bpm;
    this.timeSinceBeat = previous.timeSinceBeat;
    this.history.set(previous.history);
    this.historyAt = previous.historyAt;
    this.historyFilled = previous.historyFilled;
    this.sum = previous.sum;
    this.sumSquares = previous.sumSquares;
    this.analysedTo = previous.analysedTo;
    this.clock = previous.clock;
    this.lastOnset = previous.lastOnset;
    this.intervals.set(previous.intervals);
    this.intervalCount = previous.intervalCount;
    this.value = previous.value;
  }
}
defineOperator(BeatDetect);
