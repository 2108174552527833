import type { AudioEvent, DebugEvent, ErrorEvent, FramesEvent, MemoryEvent, ReloadEvent, SoakEvent, StatsEvent } from "./events.ts";
import { RingBuffer } from "./ring.ts";

/** Debug names the view follows at once; the ones past it are counted, not kept (the stream has them all). */
export const DEBUG_NAMES_SHOWN = 12;
/** Values kept per debug name for its sparkline: the last 24, one a second as the stream sends them. */
export const DEBUG_HISTORY_LENGTH = 24;

/** One `ctx.debug` name: its latest value and its recent values. */
export interface DebugSeries {
  name: string;
  value: DebugEvent["value"];
  /** Oldest first, one a second: numbers as they are, true / false as 1 / 0, text as NaN (a gap). */
  history: readonly number[];
}

/** The latest state, for views. Arrays are copies, oldest first; everything in it is bounded. */
export interface StatsView {
  t: number;
  frames: FramesEvent | null;
  /** The last frames summaries (one a second), for the sparkline. */
  frameHistory: readonly FramesEvent[];
  memory: MemoryEvent | null;
  reloads: readonly ReloadEvent[];
  /** The current error: the last one reported, until a reload succeeds or it is cleared. */
  error: ErrorEvent | null;
  /** The chain's debug values, in the order first reported, at most DEBUG_NAMES_SHOWN of them. */
  debug: readonly DebugSeries[];
  /** How many more names the last report had than the view follows. */
  debugHidden: number;
  /** A soak's latest progress; null outside a soak. */
  soak: SoakEvent | null;
  /** The audio device's latest numbers; null while the chain uses no audio. */
  audio: AudioEvent | null;
  /** Increases with every change; a view redraws only when it changed. */
  version: number;
}

/**
 * Folds the event stream into what views show. The hub feeds it every event it emits; a recorded
 * `--stats` file replayed through `apply` gives the same view, which is how the dashboard is tested.
 */
export class StatsViewState {
  private frames: FramesEvent | null = null;
  private readonly frameHistory: FramesEvent[] = [];
  private memory: MemoryEvent | null = null;
  private readonly reloads: ReloadEvent[] = [];
  private error: ErrorEvent | null = null;
  private readonly debugTracks = new Map<string, { value: DebugEvent["value"]; lastT: number; history: RingBuffer }>();
  private debugHidden = 0;
  private debugHiddenT = Number.NaN;
  private lastFramesT = Number.NEGATIVE_INFINITY;
  private soak: SoakEvent | null = null;
  private audio: AudioEvent | null = null;
  private version = 0;
  private lastT = 0;

  constructor(
    private readonly frameHistoryLength = 60,
    private readonly reloadHistoryLength = 8,
  ) {}

  apply(event: StatsEvent): void {
    this.version++;
    this.lastT = event.t;
    switch (event.type) {
      case "frames":
        this.frames = event;
        pushBounded(this.frameHistory, event, this.frameHistoryLength);
        this.dropExpiredDebug(this.lastFramesT);
        this.lastFramesT = event.t;
        break;
      case "memory":
        this.memory = event;
        break;
      case "reload":
        pushBounded(this.reloads, event, this.reloadHistoryLength);
        // A failed reload's error is the current error; a successful one fixes whatever was wrong
        // before it began. What its own build or the new chain reported since (a param clamped in
        // setup: the event comes once the new chain's first frames are done) stays shown.
        if (event.ok) {
          if (this.error && this.error.t < event.t - event.ms / 1000) this.error = null;
        }
        else if (event.error) this.error = { type: "error", t: event.t, ...event.error };
        break;
      case "error":
        this.error = event;
        break;
      case "debug":
        this.applyDebug(event);
        break;
      case "soak":
        this.soak = event;
        break;
      case "audio":
        this.audio = event;
        break;
    }
  }

  private applyDebug(event: DebugEvent): void {
    let track = this.debugTracks.get(event.name);
    if (!track) {
      if (this.debugTracks.size >= DEBUG_NAMES_SHOWN) {
        if (event.t !== this.debugHiddenT) {
          this.debugHiddenT = event.t;
          this.debugHidden = 0;
        }
        this.debugHidden++;
        return;
      }
      track = { value: event.value, lastT: event.t, history: new RingBuffer(DEBUG_HISTORY_LENGTH) };
      this.debugTracks.set(event.name, track);
    }
    track.value = event.value;
    track.lastT = event.t;
    track.history.push(typeof event.value === "number" ? event.value : typeof event.value === "boolean" ? Number(event.value) : Number.NaN);
  }

  /**
   * The hub sends every live debug name right after each frames event, with its t. A name missing
   * from the report that followed the previous frames event (`since`) has expired in the chain (60
   * frames without `ctx.debug`), so the view lets it go and its place can go to another.
   */
  private dropExpiredDebug(since: number): void {
    for (const [name, track] of this.debugTracks) if (track.lastT < since) this.debugTracks.delete(name);
    if (this.debugHiddenT < since) this.debugHidden = 0;
  }

  clearError(): void {
    if (!this.error) return;
    this.error = null;
    this.version++;
  }

  /** The view at `t` seconds (default: the time of the last event). */
  snapshot(t = this.lastT): StatsView {
    return {
      t,
      frames: this.frames,
      frameHistory: this.frameHistory.slice(),
      memory: this.memory,
      reloads: this.reloads.slice(),
      error: this.error,
      debug: Array.from(this.debugTracks, ([name, track]) => ({ name, value: track.value, history: Array.from({ length: track.history.length }, (_, index) => track.history.at(index)) })),
      debugHidden: this.debugHidden,
      soak: this.soak,
      audio: this.audio,
      version: this.version,
    };
  }
}

function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.shift();
}
