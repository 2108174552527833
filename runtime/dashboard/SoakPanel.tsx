import { Box, Text } from "ink";
import type { SoakEvent } from "../stats/events.ts";
import { formatSoakPhase, formatSoakVerdict } from "../stats/format.ts";

/** A soak's phase with elapsed and remaining time; under it, once measuring, the verdict so far with its bound. */
export function SoakPanel({ soak }: { soak: SoakEvent }) {
  const verdict = formatSoakVerdict(soak);
  const color = soak.rss?.state === "pass" ? "green" : soak.rss?.state === "fail" ? "red" : "yellow";
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Soak</Text>
        {`    ${formatSoakPhase(soak)}`}
      </Text>
      {verdict ? (
        <Text wrap="truncate-end">
          {"        "}
          <Text color={color}>{verdict}</Text>
        </Text>
      ) : null}
    </Box>
  );
}
