import { Box, Text } from "ink";
import type { MemoryEvent } from "../stats/events.ts";
import { formatGrowthShort, signed } from "../stats/format.ts";

/**
 * The latest memory sample: levels on one line; deltas and the leak judgement on the next — the
 * slope's bound and the verdict, or "measuring (N min more)" while the samples cannot tell, never
 * a bare slope. In a soak the soak line judges RSS against --max-slope instead, so this line
 * leaves the judgement out (`inSoak`).
 */
export function MemoryPanel({ memory, inSoak = false }: { memory: MemoryEvent | null; inSoak?: boolean }) {
  if (!memory) return <Text dimColor>Memory  first sample after warm-up (10 s)…</Text>;
  const deltas = `        last 10s ${signed(memory.last10sMB, 1)} MB  total ${signed(memory.totalMB, 1)} MB`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Memory</Text>
        {`  RSS ${memory.rssMB.toFixed(1)} MB  heap ${memory.heapMB.toFixed(1)} MB  GPU ${memory.gpuMB.toFixed(1)} MB`}
      </Text>
      {inSoak ? (
        <Text wrap="truncate-end">{deltas}</Text>
      ) : (
        <Text wrap="truncate-end">
          {`${deltas}  leak ${formatGrowthShort(memory.leak)}  `}
          {memory.alarm ? (
            <Text color="red" bold>
              LEAK ALARM
            </Text>
          ) : memory.leak.state === "pass" ? (
            <Text color="green">no leak</Text>
          ) : null}
        </Text>
      )}
    </Box>
  );
}
