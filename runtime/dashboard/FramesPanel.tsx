import { Text } from "ink";
import type { FramesEvent } from "../stats/events.ts";
import { Sparkline } from "./Sparkline.tsx";

const SPARKLINE_WIDTH = 24;

/** FPS, CPU and frame time of the last second, and a sparkline of frame-time p99 over recent seconds. */
export function FramesPanel({ frames, history }: { frames: FramesEvent | null; history: readonly FramesEvent[] }) {
  if (!frames) return <Text dimColor>Frames  waiting for the first second…</Text>;
  const { fps, cpuMs, intervalMs } = frames;
  return (
    <Text wrap="truncate-end">
      <Text bold>Frames</Text>
      {`  ${fps.toFixed(1)} fps  cpu ${cpuMs.avg.toFixed(2)} / ${cpuMs.p99.toFixed(2)} ms  frame ${intervalMs.avg.toFixed(2)} / ${intervalMs.p99.toFixed(2)} ms  `}
      <Text dimColor>(avg / p99)</Text>
      {"  "}
      <Sparkline values={history.map((event) => event.intervalMs.p99)} width={SPARKLINE_WIDTH} />
    </Text>
  );
}
