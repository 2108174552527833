import { Box, Text } from "ink";
import type { ErrorEvent } from "../stats/events.ts";
import { formatLocation, formatRepeatCount, formatSourceExcerpt } from "../stats/format.ts";

/** The current error (or warning): where, what, and the offending source line with a caret. */
export function ErrorPanel({ error }: { error: ErrorEvent | null }) {
  if (!error) return null;
  const where = formatLocation(error);
  const warning = error.severity === "warning";
  const color = warning ? "yellow" : "red";
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={color} paddingX={1}>
      <Text color={color}>
        <Text bold>{warning ? "Warning" : "Error"}</Text>
        {where ? ` ${where}` : ""}: {error.message}
        {error.count !== undefined && error.count > 1 ? ` (${formatRepeatCount(error.count)})` : ""}
      </Text>
      {formatSourceExcerpt(error).map((line, index) => (
        <Text key={index}>{line}</Text>
      ))}
    </Box>
  );
}
