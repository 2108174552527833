import { Box, Text } from "ink";
import type { SoakEvent } from "../stats/events.ts";
import { formatSoakPhase, formatSoakVerdict } from "../stats/format.ts";

/**
 * A soak's phase with elapsed and remaining time; under it, once measuring, the verdict so far with
 * its bound. The soak reports every 10 s; the clock runs on with the view's time `t` in between.
 */
export function SoakPanel({ soak, t }: { soak: SoakEvent; t: number }) {
  const elapsedS = Math.min(soak.totalS, soak.elapsedS + Math.max(0, t - soak.t));
  const verdict = formatSoakVerdict({ ...soak, elapsedS });
  const color = soak.rss?.state === "pass" ? "green" : soak.rss?.state === "fail" ? "red" : "yellow";
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Soak</Text>
        {`    ${formatSoakPhase({ ...soak, elapsedS })}`}
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
