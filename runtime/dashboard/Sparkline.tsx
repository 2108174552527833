import { Text } from "ink";

const BARS = "▁▂▃▄▅▆▇█";

/**
 * The last `width` values as block characters, scaled between their own minimum and maximum (a flat
 * series is a flat row of the lowest bar). Non-finite values draw as a space.
 */
export function sparkline(values: readonly number[], width: number): string {
  const shown = values.slice(-width);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of shown) {
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const range = max - min;
  let text = "";
  for (const value of shown) {
    if (!Number.isFinite(value)) text += " ";
    else text += BARS[range > 0 ? Math.round(((value - min) / range) * (BARS.length - 1)) : 0];
  }
  return text;
}

export function Sparkline({ values, width }: { values: readonly number[]; width: number }) {
  return <Text color="cyan">{sparkline(values, width)}</Text>;
}
