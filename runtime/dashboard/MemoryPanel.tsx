import { Box, Text } from "ink";
import type { MemoryEvent } from "../stats/events.ts";
import { signed } from "../stats/format.ts";

/** The latest memory sample: levels on one line; deltas, slope and the leak alarm on the next. */
export function MemoryPanel({ memory }: { memory: MemoryEvent | null }) {
  if (!memory) return <Text dimColor>Memory  first sample after warm-up (10 s)…</Text>;
  const slope = memory.slopeMBh === null ? "—" : `${signed(memory.slopeMBh, 1)} MB/h`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Memory</Text>
        {`  RSS ${memory.rssMB.toFixed(1)} MB  heap ${memory.heapMB.toFixed(1)} MB  GPU ${memory.gpuMB.toFixed(1)} MB`}
      </Text>
      <Text wrap="truncate-end">
        {`        last 10s ${signed(memory.last10sMB, 1)} MB  total ${signed(memory.totalMB, 1)} MB  slope ${slope}  `}
        {memory.alarm ? (
          <Text color="red" bold>
            LEAK ALARM
          </Text>
        ) : (
          <Text color="green">no leak</Text>
        )}
      </Text>
    </Box>
  );
}
