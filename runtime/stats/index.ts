export type {
  ControlEntry,
  ControlEvent,
  DebugEvent,
  DebugValues,
  ErrorEntry,
  ErrorEvent,
  ErrorLocation,
  FramesEvent,
  GrowthSummary,
  GpuMemory,
  MemoryEvent,
  ProcessMemory,
  ReloadCounts,
  ReloadEntry,
  ReloadEvent,
  SoakEntry,
  SoakEvent,
  StatsEvent,
  StatsListener,
} from "./events.ts";
export { FrameWindow } from "./frames.ts";
export { StatsHub, type StatsHubOptions } from "./hub.ts";
export { CONTROL_SOURCES_SHOWN, DEBUG_HISTORY_LENGTH, DEBUG_NAMES_SHOWN, type DebugSeries, type StatsView, StatsViewState } from "./view.ts";
export { leastSquaresSlope, percentileSorted } from "./math.ts";
export { LEAK_ALARM_DEFAULTS, type LeakAlarmOptions, type MemoryReading, MemoryTracker } from "./memory.ts";
export { createPlainReporter, formatControlLine, formatErrorLines, formatMemoryLine, formatReloadLine } from "./reporter.ts";
export { RingBuffer } from "./ring.ts";
export { type JsonlSink, openJsonlSink } from "./sink.ts";
