import { Box, Text } from "ink";
import type { ErrorEvent } from "../stats/events.ts";
import { formatLocation, formatRepeatCount, formatSourceExcerpt } from "../stats/format.ts";

/** The current error: where, what, and the offending source line with a caret. */
export function ErrorPanel({ error }: { error: ErrorEvent | null }) {
  if (!error) return null;
  const where = formatLocation(error);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="red" paddingX={1}>
      <Text color="red">
        <Text bold>Error</Text>
        {where ? ` ${where}` : ""}: {error.message}
        {error.count !== undefined && error.count > 1 ? ` (${formatRepeatCount(error.count)})` : ""}
      </Text>
      {formatSourceExcerpt(error).map((line, index) => (
        <Text key={index}>{line}</Text>
      ))}
    </Box>
  );
}
