import { Text } from "ink";
import type { RecordEvent } from "../stats/events.ts";
import { formatRecordProgress } from "../stats/format.ts";

/**
 * A recording's progress bar (frames, fps, ETA, dropped frames), the same line the plain view
 * prints; red with the reason once it has stopped on its own.
 */
export function RecordPanel({ record }: { record: RecordEvent }) {
  if (record.state === "failed") {
    return (
      <Text wrap="truncate-end" color="red">
        {record.message ?? "recording stopped"}
      </Text>
    );
  }
  return (
    <Text wrap="truncate-end" color={record.state === "done" ? "green" : undefined}>
      {formatRecordProgress(record)}
    </Text>
  );
}
