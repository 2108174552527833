/** Text formatting shared by the plain reporter and the dashboard, so both say the same thing. */
import type { ErrorLocation, ReloadCounts } from "./events.ts";

/** `+3`, `-2`, and `+0` (never `-0`) at the given number of decimals. */
export function signed(value: number, decimals = 0): string {
  const text = value.toFixed(decimals);
  const isZero = Number(text) === 0;
  if (isZero) return `+${text.replace("-", "")}`;
  return value > 0 ? `+${text}` : text;
}

/** `[10.0s]`: the stamp that starts every plain line. */
export function stamp(t: number): string {
  return `[${t.toFixed(1)}s]`;
}

/** `file:line:column`, leaving out the parts that are unknown; empty when there is no file. */
export function formatLocation(location: Pick<ErrorLocation, "file" | "line" | "column">): string {
  if (!location.file) return "";
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  return text;
}

const COUNT_NAMES: Record<keyof ReloadCounts, [string, string]> = {
  shaderModules: ["shader module", "shader modules"],
  pipelines: ["pipeline", "pipelines"],
  bindGroups: ["bind group", "bind groups"],
  textures: ["texture", "textures"],
  buffers: ["buffer", "buffers"],
};

/** `2 pipelines, 1 shader module`, non-zero kinds only; `nothing` when all are zero. */
export function formatCounts(counts: ReloadCounts): string {
  const parts: string[] = [];
  for (const key of Object.keys(COUNT_NAMES) as (keyof ReloadCounts)[]) {
    const count = counts[key];
    if (count) parts.push(`${count} ${COUNT_NAMES[key][count === 1 ? 0 : 1]}`);
  }
  return parts.length ? parts.join(", ") : "nothing";
}

/**
 * The source line, trimmed of its indentation, with a caret under `column` (1-based) on the next
 * line, both prefixed by the line number gutter. Empty when there is no source line.
 */
export function formatSourceExcerpt(location: Pick<ErrorLocation, "line" | "column" | "sourceLine">): string[] {
  if (location.sourceLine === undefined) return [];
  const gutter = location.line !== undefined ? String(location.line) : "";
  const source = location.sourceLine.replace(/\t/g, " ").trimEnd();
  const lines = [`${gutter} | ${source}`];
  if (location.column !== undefined && location.column >= 1) {
    lines.push(`${" ".repeat(gutter.length)} | ${" ".repeat(location.column - 1)}^`);
  }
  return lines;
}
