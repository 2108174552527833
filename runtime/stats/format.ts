/** Text formatting shared by the plain reporter and the dashboard, so both say the same thing. */
import type { ErrorLocation, GrowthSummary, RecordEntry, ReloadCounts, SoakEvent } from "./events.ts";

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

/** `+1.23` / `−0.40`: a slope with its sign, two decimals. */
export function signedSlope(value: number): string {
  return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}`;
}

/**
 * The judgement in a few words, for the leak lines of the dashboard and of the plain reporter:
 * `slope ≤ +0.56 MB/h (limit +1.00)` · `slope ≥ +5.20 MB/h (limit +1.00)` ·
 * `slope +0.90 MB/h (−0.20…+1.70), measuring (12 min more)` · `slope: measuring (3 min more)`.
 * Never a slope without its bounds: a bare slope from a few minutes means nothing.
 */
export function formatGrowthShort(j: GrowthSummary): string {
  const limit = `(limit ${signedSlope(j.limitMBh)})`;
  if (j.state === "pass") return `slope ≤ ${signedSlope(j.upperMBh!)} MB/h ${limit}`;
  if (j.state === "fail") return `slope ≥ ${signedSlope(j.lowerMBh!)} MB/h ${limit}`;
  const more = j.moreMinutes === null ? "measuring (too close to the limit to tell soon)" : `measuring (${j.moreMinutes} min more)`;
  if (j.lowerMBh === null || j.upperMBh === null || j.slopeMBh === null) return `slope: ${more}`;
  return `slope ${signedSlope(j.slopeMBh)} MB/h (${signedSlope(j.lowerMBh)}…${signedSlope(j.upperMBh)}), ${more}`;
}

/** `12:05`: minutes and seconds. */
export function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/**
 * A soak's phase and time: `warm-up (reloads 120/500, frames 1500/10000, settle 60 s) · 2:00 of
 * 30:00, 28:00 left` or `measuring · 14:10 of 30:00, 15:50 left`.
 */
export function formatSoakPhase(event: SoakEvent): string {
  const time = `${clock(event.elapsedS)} of ${clock(event.totalS)}, ${clock(event.totalS - event.elapsedS)} left`;
  if (event.phase === "measuring") return `measuring · ${time}`;
  const { reloads, frames, settleS } = event.waitingFor;
  const parts: string[] = [];
  if (reloads) parts.push(`reloads ${reloads[0]}/${reloads[1]}`);
  if (frames) parts.push(`frames ${frames[0]}/${frames[1]}`);
  if (settleS !== undefined) parts.push(`settle ${Math.ceil(settleS)} s`);
  return `warm-up${parts.length ? ` (${parts.join(", ")})` : ""} · ${time}`;
}

/**
 * A soak's verdict so far, once measuring: `RSS slope ≤ +0.56 MB/h (limit +1.00): PASS so far`,
 * or the bounds and the minutes more while it cannot tell; null during the warm-up.
 */
export function formatSoakVerdict(event: SoakEvent): string | null {
  if (!event.rss) return null;
  const so = event.rss.state === "pass" ? ": PASS so far" : event.rss.state === "fail" ? ": FAIL so far" : "";
  const leftMinutes = (event.totalS - event.elapsedS) / 60;
  const late = event.rss.state === "inconclusive" && event.rss.moreMinutes !== null && event.rss.moreMinutes > leftMinutes ? ", past this soak's end" : "";
  return `RSS ${formatGrowthShort(event.rss)}${late}${so}`;
}

/** Both in one line, for the plain reporter. */
export function formatSoakProgress(event: SoakEvent): string {
  const verdict = formatSoakVerdict(event);
  return verdict ? `${formatSoakPhase(event)} · ${verdict}` : formatSoakPhase(event);
}

/** `×61 so far`: how many times a repeated error has happened (see ErrorEvent's `count`). */
export function formatRepeatCount(count: number): string {
  return `×${count} so far`;
}

/**
 * A recording's progress bar: `record [██████░░░░░░]  90/150 frames · 28.4 fps · ETA 0:02`; without
 * --record-duration, `record out.mp4 · 90 frames · 0:03 · 28.4 fps`; dropped frames appended.
 */
export function formatRecordProgress(progress: RecordEntry, barWidth = 24): string {
  const { frames, totalFrames } = progress;
  const dropped = progress.dropped ? ` · ${progress.dropped} dropped` : "";
  const rate = `${progress.fps.toFixed(1)} fps`;
  if (totalFrames === undefined) return `record ${progress.path} · ${frames} frames · ${clock(progress.elapsedS)} · ${rate}${dropped}`;
  const filled = Math.round((Math.min(frames, totalFrames) / totalFrames) * barWidth);
  const bar = "█".repeat(filled) + "░".repeat(barWidth - filled);
  const eta = progress.etaS === undefined ? "ETA …" : `ETA ${clock(progress.etaS)}`;
  return `record [${bar}] ${String(frames).padStart(String(totalFrames).length)}/${totalFrames} frames · ${rate} · ${eta}${dropped}`;
}
