import type { AudioEvent, DebugValues, ErrorEntry, GpuMemory, MemoryEvent, ProcessMemory, ReloadEntry, SoakEntry, StatsEvent, StatsListener } from "./events.ts";
import { FrameWindow } from "./frames.ts";
import { BYTES_PER_MB, round2 } from "./math.ts";
import { type LeakAlarmOptions, MemoryTracker } from "./memory.ts";
import { type StatsView, StatsViewState } from "./view.ts";

export type { StatsView };

export interface StatsHubOptions {
  /** Monotonic clock in milliseconds. Default `performance.now`. Tests pass a synthetic one. */
  now?: () => number;
  /** Process memory reader. Default `process.memoryUsage()` (RSS and JS heap used). */
  readMemory?: () => ProcessMemory;
  /** GPU memory reader, usually `() => ({ bytes: census.gpuBytes, breakdown })`. Default: none (0). */
  readGpu?: () => GpuMemory;
  /** The chain's `ctx.debug` values, read with each frames summary. Default: none. */
  readDebug?: () => DebugValues;
  /** The audio device's numbers, read with each frames summary; undefined while the chain uses no audio. Default: none. */
  readAudio?: () => Omit<AudioEvent, "type" | "t"> | undefined;
  /** Frames summary period. Default 1000 ms. */
  framesEveryMs?: number;
  /** Memory sample period. Default 10 000 ms; the first sample, at one period, is the warm-up sample. */
  memoryEveryMs?: number;
  leakAlarm?: Partial<LeakAlarmOptions>;
  /** Frames summaries kept for the sparkline. Default 60 (one minute). */
  frameHistoryLength?: number;
  /** Reload entries kept for the ledger view. Default 8. */
  reloadHistoryLength?: number;
  /** Frames per window kept for percentiles. Default 1024. */
  framesPerWindow?: number;
}

/** A repeated error is sent again at most this often, with its count (see ErrorEvent). */
export const ERROR_REPEAT_MS = 1000;
/** Distinct errors whose repeats are counted at once (a throwing timer and a rejecting update interleave). */
const REPEATING_ERRORS_KEPT = 16;

interface ErrorRepeats {
  entry: Omit<ErrorEntry, "t">;
  count: number;
  /** Repeats not sent yet. */
  unsent: number;
  sentAt: number;
}

function processMemory(): ProcessMemory {
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapBytes: usage.heapUsed };
}

const noGpu = (): GpuMemory => ({ bytes: 0 });
const noDebug: DebugValues = new Map();

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round2(value);
}

function roundSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/**
 * The one source of stats. The frame loop records each frame; the hub turns them into a frames
 * event every second (followed by one debug event per `ctx.debug` name) and a memory event every
 * 10 s, stamps reload and error entries, and hands every event to its subscribers (the JSON-lines
 * sink, the plain reporter, the dashboard) and into the view state. Per-frame work is a few array
 * writes; memory is bounded by the options above.
 */
export class StatsHub {
  readonly now: () => number;
  private readonly startMs: number;
  private readonly readMemory: () => ProcessMemory;
  private readonly readGpu: () => GpuMemory;
  private readonly readDebug: () => DebugValues;
  private readonly readAudio: () => Omit<AudioEvent, "type" | "t"> | undefined;
  private readonly framesEveryMs: number;
  private readonly memoryEveryMs: number;
  private readonly frameWindow: FrameWindow;
  private readonly memoryTracker: MemoryTracker;
  private readonly listeners = new Set<StatsListener>();
  private readonly failedListeners = new WeakSet<StatsListener>();
  private lastFramesAt: number;
  private nextFramesAt: number;
  private nextMemoryAt: number;
  private finished = false;
  private readonly viewState: StatsViewState;
  /** The errors sent since the last reload, by place and message, with their repeats (oldest first). */
  private readonly repeats = new Map<string, ErrorRepeats>();

  constructor(options: StatsHubOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.readMemory = options.readMemory ?? processMemory;
    this.readGpu = options.readGpu ?? noGpu;
    this.readDebug = options.readDebug ?? (() => noDebug);
    this.readAudio = options.readAudio ?? (() => undefined);
    this.framesEveryMs = options.framesEveryMs ?? 1000;
    this.memoryEveryMs = options.memoryEveryMs ?? 10_000;
    this.viewState = new StatsViewState(options.frameHistoryLength ?? 60, options.reloadHistoryLength ?? 8);
    this.frameWindow = new FrameWindow(options.framesPerWindow ?? 1024);
    this.memoryTracker = new MemoryTracker(options.leakAlarm, this.memoryEveryMs / 1000);
    this.startMs = this.now();
    this.lastFramesAt = this.startMs;
    this.nextFramesAt = this.startMs + this.framesEveryMs;
    this.nextMemoryAt = this.startMs + this.memoryEveryMs;
  }

  /** The leak-alarm settings in force (defaults merged with options). */
  get leakAlarm(): Readonly<LeakAlarmOptions> {
    return this.memoryTracker.options;
  }

  /** Seconds since the hub started, by its clock. */
  seconds(now = this.now()): number {
    return roundSeconds(now - this.startMs);
  }

  /**
   * Records one drawn frame: CPU time spent on it and the time since the previous frame began
   * (pass NaN for the first frame). Then ticks, so one call per frame is all the loop needs.
   */
  recordFrame(cpuMs: number, intervalMs: number, now = this.now()): void {
    this.frameWindow.add(cpuMs, intervalMs);
    this.tick(now);
  }

  /**
   * Emits the frames and memory events that are due. Call it when no frame is drawn (paused); a late
   * tick emits each event once, never a backlog. Periods stay on a fixed grid from start.
   */
  tick(now = this.now()): void {
    for (const repeats of this.repeats.values()) if (repeats.unsent > 0 && now - repeats.sentAt >= ERROR_REPEAT_MS) this.sendRepeats(repeats, now);
    if (now >= this.nextFramesAt) {
      this.nextFramesAt = this.nextDue(now, this.framesEveryMs);
      this.emitFrames(now);
      this.emitDebug(now);
      this.emitAudio(now);
    }
    if (now >= this.nextMemoryAt) {
      this.nextMemoryAt = this.nextDue(now, this.memoryEveryMs);
      this.emit(this.sampleMemory(now));
    }
  }

  /**
   * At exit: a run shorter than a period (`--frames 5`) would otherwise end with nothing written.
   * Emits the frames drawn since the last summary (if any), the debug values and a last memory
   * sample, whatever the periods say. Only the first call does anything.
   */
  finish(now = this.now()): void {
    if (this.finished) return;
    this.finished = true;
    for (const repeats of this.repeats.values()) this.sendRepeats(repeats, now);
    if (this.frameWindow.frameCount > 0) this.emitFrames(now);
    this.emitDebug(now);
    this.emitAudio(now);
    this.emit(this.sampleMemory(now));
  }

  /** Whether the next tick at `now` samples memory (a soak lets the GPU go idle first). */
  memoryDue(now = this.now()): boolean {
    return now >= this.nextMemoryAt;
  }

  /** Accepts a reload-ledger entry and forwards it. A successful reload clears the current error. */
  reload(entry: ReloadEntry): void {
    const { t, ...rest } = entry;
    const now = this.now();
    for (const repeats of this.repeats.values()) this.sendRepeats(repeats, now);
    this.repeats.clear();
    this.emit({ type: "reload", t: t ?? this.seconds(now), ...rest });
  }

  /**
   * Reports an error that is not a failed reload (a frame-time exception, a timer's throw, a device
   * error). The same error again is counted, not sent: the count goes out at most once a second
   * (ERROR_REPEAT_MS), so a throw 60 times a second is one line a second in every view.
   */
  error(entry: ErrorEntry): void {
    const { t, ...rest } = entry;
    const now = this.now();
    const key = `${rest.file}:${rest.line}:${rest.column}:${rest.message}`;
    const known = this.repeats.get(key);
    if (known) {
      known.count++;
      known.unsent++;
      if (now - known.sentAt >= ERROR_REPEAT_MS) this.sendRepeats(known, now);
      return;
    }
    if (this.repeats.size >= REPEATING_ERRORS_KEPT) {
      const [oldestKey, oldest] = this.repeats.entries().next().value!;
      this.sendRepeats(oldest, now);
      this.repeats.delete(oldestKey);
    }
    this.repeats.set(key, { entry: rest, count: 1, unsent: 0, sentAt: now });
    this.emit({ type: "error", t: t ?? this.seconds(now), ...rest });
  }

  /** Sends the count of an error's repeats not sent yet, if any. */
  private sendRepeats(repeats: ErrorRepeats, now: number): void {
    if (repeats.unsent === 0) return;
    repeats.unsent = 0;
    repeats.sentAt = now;
    this.emit({ type: "error", t: this.seconds(now), ...repeats.entry, count: repeats.count });
  }

  /** Reports a soak's progress (runtime/soak.ts, after each memory sample). */
  soak(entry: SoakEntry): void {
    this.emit({ type: "soak", t: this.seconds(), ...entry });
  }

  /** Clears the current error shown by views (the stream keeps it). */
  clearError(): void {
    this.viewState.clearError();
  }

  /** Calls `listener` with every later event, synchronously. Returns the unsubscribe function. */
  subscribe(listener: StatsListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The latest state for views, at the hub's current time. */
  view(): StatsView {
    return this.viewState.snapshot(this.seconds());
  }

  private emitFrames(now: number): void {
    const event = this.frameWindow.take(this.seconds(now), (now - this.lastFramesAt) / 1000);
    this.lastFramesAt = now;
    this.emit(event);
  }

  private emitDebug(now: number): void {
    const t = this.seconds(now);
    for (const [name, { value }] of this.readDebug()) {
      this.emit({ type: "debug", t, name, value: typeof value === "number" && !Number.isFinite(value) ? String(value) : value });
    }
  }

  private emitAudio(now: number): void {
    const audio = this.readAudio();
    if (audio) this.emit({ type: "audio", t: this.seconds(now), ...audio });
  }

  private nextDue(now: number, period: number): number {
    return this.startMs + (Math.floor((now - this.startMs) / period) + 1) * period;
  }

  private sampleMemory(now: number): MemoryEvent {
    const memory = this.readMemory();
    const gpu = this.readGpu();
    const rssMB = memory.rssBytes / BYTES_PER_MB;
    const reading = this.memoryTracker.add((now - this.startMs) / 1000, rssMB);
    const event: MemoryEvent = {
      type: "memory",
      t: this.seconds(now),
      rssMB: round2(rssMB),
      heapMB: round2(memory.heapBytes / BYTES_PER_MB),
      gpuMB: round2(gpu.bytes / BYTES_PER_MB),
      last10sMB: round2(reading.last10sMB),
      totalMB: round2(reading.totalMB),
      leak: {
        ...reading.leak,
        slopeMBh: roundOrNull(reading.leak.slopeMBh),
        lowerMBh: roundOrNull(reading.leak.lowerMBh),
        upperMBh: roundOrNull(reading.leak.upperMBh),
      },
      alarm: reading.alarm,
    };
    if (gpu.breakdown) {
      const breakdown: Record<string, number> = {};
      for (const [name, bytes] of Object.entries(gpu.breakdown)) breakdown[name] = round2(bytes / BYTES_PER_MB);
      event.gpuBreakdownMB = breakdown;
    }
    return event;
  }

  /**
   * A throwing subscriber (a full disk under the sink) must not stop the frame loop or the other
   * views, so its error is reported once on stderr and the event goes on to the rest.
   */
  private emit(event: StatsEvent): void {
    this.viewState.apply(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        if (this.failedListeners.has(listener)) continue;
        this.failedListeners.add(listener);
        console.error("stats: a subscriber threw; further errors from it are not shown:", error);
      }
    }
  }
}
