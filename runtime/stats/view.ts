import type { ErrorEvent, FramesEvent, MemoryEvent, ReloadEvent, SoakEvent, StatsEvent } from "./events.ts";

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
  /** A soak's latest progress; null outside a soak. */
  soak: SoakEvent | null;
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
  private soak: SoakEvent | null = null;
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
        break;
      case "memory":
        this.memory = event;
        break;
      case "reload":
        pushBounded(this.reloads, event, this.reloadHistoryLength);
        // A failed reload's error is the current error; a successful one fixes whatever was wrong.
        if (event.ok) this.error = null;
        else if (event.error) this.error = { type: "error", t: event.t, ...event.error };
        break;
      case "error":
        this.error = event;
        break;
      case "soak":
        this.soak = event;
        break;
    }
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
      soak: this.soak,
      version: this.version,
    };
  }
}

function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.shift();
}
