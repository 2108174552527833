import type { ErrorEvent, MemoryEvent, ReloadEvent, SoakEvent, StatsListener } from "./events.ts";
import { formatCounts, formatGrowthShort, formatLocation, formatRepeatCount, formatSoakProgress, formatSourceExcerpt, signed, stamp } from "./format.ts";

/**
 * The memory line in the original's format, exactly:
 * `[10.0s] Memory: 109 MB (total: +0 MB, last 10s: +0 MB)` — RSS rounded to whole MB, signed deltas.
 */
export function formatMemoryLine(event: MemoryEvent): string {
  return `${stamp(event.t)} Memory: ${Math.round(event.rssMB)} MB (total: ${signed(event.totalMB)} MB, last 10s: ${signed(event.last10sMB)} MB)`;
}

/**
 * One line per reload, e.g.
 * `[12.3s] Reload ok: operators/2d/blur.ts in 45.0 ms (swap 1.2 ms); created 1 pipeline; released 1 pipeline; RSS +0.4 MB`
 * `[12.3s] Reload failed: operators/2d/blur.ts, previous version kept: shaders/2d/blur.wgsl:12:5: unknown identifier 'x'`
 */
export function formatReloadLine(event: ReloadEvent): string {
  if (!event.ok) {
    const where = event.error ? formatLocation(event.error) : "";
    const message = event.error ? `: ${where ? `${where}: ` : ""}${event.error.message}` : "";
    return `${stamp(event.t)} Reload failed: ${event.file}, previous version kept${message}`;
  }
  return (
    `${stamp(event.t)} Reload ok: ${event.file} in ${event.ms.toFixed(1)} ms (swap ${event.swapMs.toFixed(1)} ms); ` +
    `created ${formatCounts(event.created)}; released ${formatCounts(event.released)}; RSS ${signed(event.rssDeltaMB, 1)} MB`
  );
}

/**
 * An error as a headline and, when the source line is known, the line with a caret:
 * `[12.3s] Error at shaders/2d/blur.wgsl:12:5: unknown identifier 'x'`
 * `        12 | let y = x + 1;`
 * `           |         ^`
 * and its repeats as one line each, at most one a second: `[13.3s] Error at …: … (×61 so far)`.
 */
export function formatErrorLines(event: Pick<ErrorEvent, "t" | "file" | "line" | "column" | "message" | "sourceLine" | "count" | "severity">): string[] {
  const where = formatLocation(event);
  const head = `${stamp(event.t)} ${event.severity === "warning" ? "Warning" : "Error"}${where ? ` at ${where}` : ""}: ${event.message}`;
  // A repeat of the error just shown: one line with the count, the excerpt was shown the first time.
  if (event.count !== undefined && event.count > 1) return [`${head} (${formatRepeatCount(event.count)})`];
  const indent = " ".repeat(stamp(event.t).length + 1);
  return [head, ...formatSourceExcerpt(event).map((line) => indent + line)];
}

/**
 * Raised and cleared leak alarms get a line of their own, with the bound the judgement holds; the
 * memory line keeps the original format.
 */
function formatAlarmLine(event: MemoryEvent): string {
  return event.alarm
    ? `${stamp(event.t)} Memory leak alarm: RSS keeps rising, ${formatGrowthShort(event.leak)}`
    : `${stamp(event.t)} Memory leak alarm cleared: ${formatGrowthShort(event.leak)}`;
}

/** A soak's progress: `[120.0s] Soak warm-up (reloads 120/500, frames 1500/10000, settle 60 s) · 2:00 of 30:00, 28:00 left`. */
export function formatSoakLine(event: SoakEvent): string {
  return `${stamp(event.t)} Soak ${formatSoakProgress(event)}`;
}

/**
 * The view used without a TTY (pipes, CI, `--no-dashboard`): a subscriber that prints the memory
 * line every 10 s (in a soak, its progress line after it), one line per reload and the lines of
 * each error. Frames and debug events print nothing (the dashboard and the `--stats` file show them).
 */
export function createPlainReporter(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): StatsListener {
  let alarm = false;
  return (event) => {
    switch (event.type) {
      case "memory":
        write(formatMemoryLine(event));
        if (event.alarm !== alarm) write(formatAlarmLine(event));
        alarm = event.alarm;
        break;
      case "reload":
        write(formatReloadLine(event));
        break;
      case "error":
        for (const line of formatErrorLines(event)) write(line);
        break;
      case "soak":
        write(formatSoakLine(event));
        break;
      case "frames":
      case "debug":
      case "audio":
        break;
    }
  };
}
