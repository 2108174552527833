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

/** Tab stops of source excerpts, in character cells. */
export const TAB_WIDTH = 4;

/**
 * `text` with each tab turned into spaces up to the next tab stop, counting cells as a terminal does
 * (a CJK character is two): then the text and a caret under it line up in any terminal, in the
 * dashboard and in the window overlay, whatever each does with a tab.
 */
export function expandTabs(text: string): string {
  let out = "";
  let cells = 0;
  for (const char of text) {
    if (char === "\t") {
      const spaces = TAB_WIDTH - (cells % TAB_WIDTH);
      out += " ".repeat(spaces);
      cells += spaces;
    } else {
      out += char;
      cells += Bun.stringWidth(char);
    }
  }
  return out;
}

/**
 * The caret renderer (the plain reporter, the dashboard, `formatChainError` and the window overlay all
 * draw excerpts with it): the source line behind its line-number gutter, tabs expanded, and a caret
 * under `column` (1-based, in characters) on the next line. Empty when there is no source line.
 *
 *     12 |   let y = x + 1;
 *        |           ^
 */
export function formatSourceExcerpt(location: Pick<ErrorLocation, "line" | "column" | "sourceLine">): string[] {
  if (location.sourceLine === undefined) return [];
  const gutter = location.line !== undefined ? String(location.line) : "";
  const lines = [`${gutter} | ${expandTabs(location.sourceLine).trimEnd()}`];
  if (location.column !== undefined && location.column >= 1) {
    const pad = Bun.stringWidth(expandTabs(location.sourceLine.slice(0, location.column - 1)));
    lines.push(`${" ".repeat(gutter.length)} | ${" ".repeat(pad)}^`);
  }
  return lines;
}
