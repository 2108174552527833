import { Box, Text } from "ink";
import { DEBUG_NAMES_SHOWN, type DebugSeries } from "../stats/view.ts";
import { Sparkline } from "./Sparkline.tsx";

const NAME_WIDTH = 16;
const VALUE_WIDTH = 10;

/**
 * A debug value as text: whole numbers as they are, others to 4 significant digits without trailing
 * zeros (1.5, 59.81, 0.001234), booleans and text as they are.
 */
export function formatDebugValue(value: DebugSeries["value"]): string {
  if (typeof value !== "number" || Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e4 ? value.toFixed(0) : String(Number(value.toPrecision(4)));
}

/** `ctx.debug(name, value)` values: name, latest value and a sparkline of the last seconds, as the original's debug panel. */
export function DebugPanel({ debug, hidden }: { debug: readonly DebugSeries[]; hidden: number }) {
  if (debug.length === 0) return null;
  return (
    <Box flexDirection="column">
      <Text bold>Debug</Text>
      {debug.map((series) => (
        <Text key={series.name} wrap="truncate-end">
          {`  ${fit(series.name, NAME_WIDTH)} ${formatDebugValue(series.value).padStart(VALUE_WIDTH)}  `}
          <Sparkline values={series.history} width={series.history.length} />
        </Text>
      ))}
      {hidden > 0 ? <Text dimColor>{`  +${hidden} more not shown (the dashboard follows ${DEBUG_NAMES_SHOWN} names; --stats has all)`}</Text> : null}
    </Box>
  );
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}
