import { Box, Text } from "ink";
import type { ControlEvent } from "../stats/events.ts";

/**
 * What arrives from outside, one line per source (an OSC port, a MIDI or serial port, an OSC
 * destination): messages in the last second, the last address, params set (mapping hits) and errors.
 */
export function ControlPanel({ control }: { control: readonly ControlEvent[] }) {
  if (control.length === 0) return null;
  return (
    <Box flexDirection="column">
      <Text bold>Control</Text>
      {control.map((source) => (
        <Text key={source.source} wrap="truncate-end">
          {`  ${formatControlSummary(source)}`}
        </Text>
      ))}
    </Box>
  );
}

/** `osc:8000 120 msg/s · last /noise/scale · 118 mapped/s · 0 errors` (and dropped / clamped when any). */
export function formatControlSummary(source: ControlEvent): string {
  const parts = [`${source.source} ${source.messagesPerS} msg/s`, `last ${source.lastAddress ?? "—"}`, `${source.mappedPerS} mapped/s`];
  parts.push(`${source.errors} error${source.errors === 1 ? "" : "s"}`);
  if (source.clamped > 0) parts.push(`${source.clamped} clamped`);
  if (source.dropped > 0) parts.push(`${source.dropped} dropped`);
  return parts.join(" · ");
}
