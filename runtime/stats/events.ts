/**
 * The stats protocol: one union type is the whole stream. The same events are appended to the
 * `--stats` JSON-lines file, printed by the plain reporter and drawn by the dashboard, so every view
 * shows the same numbers. `t` is always seconds since the hub started. "MB" means 2^20 bytes.
 */

/** Per-second frame summary. Percentiles are nearest-rank over the frames of that second. */
export interface FramesEvent {
  type: "frames";
  t: number;
  fps: number;
  cpuMs: { avg: number; p50: number; p99: number; max: number };
  intervalMs: { avg: number; p99: number; max: number };
}

/**
 * Whether memory grows over a limit, as runtime/stats/growth.ts judges it: `pass` when the upper
 * 95 % bound of the slope is at or under the limit, `fail` when growth over it is sustained,
 * `inconclusive` while the samples cannot tell, with the minutes more that would (null: not
 * within a day). Bounds are null until the data bounds the slope. A view shows the bound or
 * "measuring", never the slope alone.
 */
export interface GrowthSummary {
  state: "pass" | "fail" | "inconclusive";
  limitMBh: number;
  slopeMBh: number | null;
  lowerMBh: number | null;
  upperMBh: number | null;
  moreMinutes: number | null;
}

/**
 * A memory sample, taken every 10 s. `last10sMB` and `totalMB` are RSS deltas: against the previous
 * sample, and against the warm-up sample (the first one, see MemoryTracker). `leak` judges the
 * RSS of the last half hour against the leak threshold; `alarm` is its `fail`.
 */
export interface MemoryEvent {
  type: "memory";
  t: number;
  rssMB: number;
  heapMB: number;
  gpuMB: number;
  /** GPU bytes by category (e.g. textures, buffers) when the census reader supplies a breakdown. */
  gpuBreakdownMB?: Record<string, number>;
  last10sMB: number;
  totalMB: number;
  leak: GrowthSummary;
  alarm: boolean;
}

/** GPU objects a reload created or released, by the kinds a reload touches. */
export interface ReloadCounts {
  shaderModules: number;
  pipelines: number;
  bindGroups: number;
  textures: number;
  buffers: number;
}

/**
 * An error and where it happened: the one record every view of an error reads (the ledger, the
 * dashboard, the plain reporter, the window overlay, `ChainError` in runtime/reload/errors.ts).
 * Every field but the message is optional: not every error has a place.
 */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  message: string;
  /** The text of the offending line, shown under the message with a caret at `column`. */
  sourceLine?: string;
  /**
   * "warning" for what the chain survives as it is (a param value clamped to its range, a
   * non-finite value ignored): shown as a warning, not as an error the last good chain stands in for.
   */
  severity?: "warning";
}

/**
 * One reload-ledger entry. Produced by the engine (runtime/engine.ts `ReloadEntry` is this record);
 * the hub only stamps and forwards it.
 */
export interface ReloadEvent {
  type: "reload";
  t: number;
  file: string;
  ok: boolean;
  /** Time spent swapping the new chain in (the part the render loop waits for). */
  swapMs: number;
  /** Whole reload: read, build, validate, swap. */
  ms: number;
  /**
   * From the saved file's modification time (the kernel's record of the save) to the new chain
   * swapped in with its first frame submitted, and to that frame finished on the GPU. Absent for a
   * reload with no file behind it (the dashboard's r) and for a failed one.
   */
  savedToSwapMs?: number;
  savedToFrameMs?: number;
  error?: ErrorLocation;
  created: ReloadCounts;
  released: ReloadCounts;
  rssDeltaMB: number;
}

/**
 * An error. The same error repeated (same place, same message) is sent once when it first happens and
 * then at most once a second while it goes on, with `count`: how many times it has happened since it
 * first did. A reload starts the count again.
 */
export interface ErrorEvent extends ErrorLocation {
  type: "error";
  t: number;
  count?: number;
}

/**
 * The latest value of one `ctx.debug(name, value)`, sent with each frames event (once a second), one
 * event per name the chain reported in the last 60 frames. A non-finite number (`1 / ctx.dt` on the
 * first frame) is sent as its name, "Infinity" or "NaN", since JSON has no such numbers.
 */
export interface DebugEvent {
  type: "debug";
  t: number;
  name: string;
  value: number | boolean | string;
}


/**
 * A soak's progress, after each memory sample: the warm-up and what it still waits for, then the
 * measured part with the verdict so far. Only `bun vivid soak` emits it.
 */
export interface SoakEvent {
  type: "soak";
  t: number;
  phase: "warm-up" | "measuring";
  /** During the warm-up, what it still waits for (absent: done): reloads and frames as [done, needed], settle seconds left. */
  waitingFor: { reloads?: [number, number]; frames?: [number, number]; settleS?: number };
  elapsedS: number;
  totalS: number;
  /** RSS growth over the samples after the warm-up against --max-slope; null during the warm-up. */
  rss: GrowthSummary | null;
}

/**
 * The audio device, once a second after the frames event, while the chain uses audio
 * (runtime/audio/system.ts). `sink` is the device's ALSA name, "null" (no device: the clock runs on
 * its own), or "fixed" (--fixed-fps: no device at all); `opens` counts device opens in the process
 * (a reload never adds one); `dspLoad` is mixing time / block time over the last second (0..1);
 * `leadMs` how far ahead of what is heard the device is fed.
 */
export interface AudioEvent {
  type: "audio";
  t: number;
  sink: string;
  opens: number;
  underruns: number;
  dspLoad: number;
  clockSeconds: number;
  leadMs: number;
}

/**
 * A recording's progress (`--record`, runtime/record/recorder.ts), a few times a second while it
 * runs and once when it ends.
 */
export interface RecordEvent {
  type: "record";
  t: number;
  /** The output as given (relative to the working folder when inside it). */
  path: string;
  codec: string;
  width: number;
  height: number;
  /** Frames handed to the encoder. */
  frames: number;
  /** Frames asked for (--record-duration × fps); absent: until the run ends. */
  totalFrames?: number;
  /** Frames handed to the encoder per second of wall time since the recording started. */
  fps: number;
  /** Seconds until totalFrames at that rate; absent without a total or a rate. */
  etaS?: number;
  /** Frames not recorded because every staging slot was busy (live mode only; deterministic never drops). */
  dropped: number;
  elapsedS: number;
  state: "recording" | "done" | "failed";
  /** Why it stopped (state "failed"). */
  message?: string;
}

/**
 * What arrived from one outside source (an OSC port, a MIDI or serial port, an OSC destination sent
 * to) in the last second, sent with each frames event while the source exists. `changes` are the
 * params it set in that second (the last value of each, "noise.scale": 9), so the ledger shows what
 * a controller did. Totals count since the source opened; `opened` (OSC ports) stays 1 across reloads.
 */
export interface ControlEvent {
  type: "control";
  t: number;
  source: string;
  messagesPerS: number;
  /** Params set by auto-mapping or a MIDI mapping in the last second. */
  mappedPerS: number;
  total: number;
  lastAddress: string | null;
  /** Datagrams or bytes that were not valid, unknown params, values of the wrong type. */
  errors: number;
  /** Messages dropped because the frame loop was not draining (a full queue). */
  dropped: number;
  clamped: number;
  opened?: number;
  changes: Record<string, number | boolean | string | readonly number[]>;
}

export type StatsEvent = FramesEvent | MemoryEvent | ReloadEvent | ErrorEvent | DebugEvent | SoakEvent | AudioEvent | RecordEvent | ControlEvent;

export type StatsListener = (event: StatsEvent) => void;

/** What a reload producer passes to `StatsHub.reload`: the event without its stamp. */
export type ReloadEntry = Omit<ReloadEvent, "type" | "t"> & { t?: number };

/** What the recorder passes to `StatsHub.record`. */
export type RecordEntry = Omit<RecordEvent, "type" | "t">;

/** What the soak passes to `StatsHub.soak`. */
export type SoakEntry = Omit<SoakEvent, "type" | "t">;

/** What an error producer passes to `StatsHub.error`. */
export type ErrorEntry = ErrorLocation & { t?: number };

/** The chain's debug values as the hub's reader returns them (the Context's `debugValues`). */
export type DebugValues = ReadonlyMap<string, { readonly value: number | boolean | string }>;

/** What the hub's control reader returns: one entry per source (runtime/control/hub.ts `summaries`). */
export type ControlEntry = Omit<ControlEvent, "type" | "t">;

/** Process memory as the hub's reader returns it, in bytes. */
export interface ProcessMemory {
  rssBytes: number;
  heapBytes: number;
}

/** GPU memory from the census, in bytes, with an optional breakdown (bytes per category). */
export interface GpuMemory {
  bytes: number;
  breakdown?: Record<string, number>;
}
