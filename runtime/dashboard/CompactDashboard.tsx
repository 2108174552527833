import { Box, Text } from "ink";
import { basename } from "node:path";
import type { ReactElement } from "react";
import type { StatsView } from "../stats/view.ts";
import { formatGrowthShort, formatLocation, formatRecordProgress, formatSoakPhase } from "../stats/format.ts";
import { formatControlSummary } from "./ControlPanel.tsx";
import type { DashboardInfo } from "./info.ts";
import { Sparkline } from "./Sparkline.tsx";

/** Lines the error's message may take in the compact layout; the rest is cut with "…". */
const ERROR_MESSAGE_LINES = 2;

/**
 * The dashboard for a small terminal (down to 40×10): one line per subject, each cut to the width,
 * and never more than `rows - 1` lines (Ink redraws a frame as tall as the terminal by clearing the
 * screen, which scrolls). What matters most comes first and the key hints stay last: header, frames,
 * memory, the leak or soak line, the last reload, the current error, the busiest outside source.
 */
export function CompactDashboard({ view, info, columns, rows }: { view: StatsView; info: DashboardInfo; columns: number; rows: number }) {
  const lines: ReactElement[] = [];
  lines.push(
    <Text key="header" wrap="truncate-end">
      <Text bold>Vivid</Text>
      {` ${info.project} `}
      {info.paused ? <Text color="yellow" bold>{"PAUSED "}</Text> : null}
      {`${info.width}×${info.height} `}
      <Text dimColor>{view.t.toFixed(1)}s</Text>
    </Text>,
  );
  const frames = view.frames;
  lines.push(
    frames ? (
      <Text key="frames" wrap="truncate-end">
        {`${frames.fps.toFixed(1)} fps ${frames.intervalMs.avg.toFixed(1)}/${frames.intervalMs.p99.toFixed(1)} ms `}
        <Sparkline values={view.frameHistory.map((event) => event.intervalMs.p99)} width={Math.max(0, columns - 24)} />
      </Text>
    ) : (
      <Text key="frames" dimColor wrap="truncate-end">
        frames: waiting…
      </Text>
    ),
  );
  const memory = view.memory;
  if (memory) {
    lines.push(<Text key="memory" wrap="truncate-end">{`RSS ${memory.rssMB.toFixed(0)} heap ${memory.heapMB.toFixed(0)} GPU ${memory.gpuMB.toFixed(0)} MB`}</Text>);
  }
  if (view.soak) {
    lines.push(<Text key="soak" wrap="truncate-end">{`soak ${formatSoakPhase(view.soak)}`}</Text>);
  } else if (memory) {
    lines.push(
      memory.alarm ? (
        <Text key="leak" color="red" bold wrap="truncate-end">
          {`LEAK ALARM ${formatGrowthShort(memory.leak)}`}
        </Text>
      ) : (
        <Text key="leak" wrap="truncate-end">{`leak ${formatGrowthShort(memory.leak)}`}</Text>
      ),
    );
  }
  if (view.record) {
    lines.push(
      <Text key="record" wrap="truncate-end" color={view.record.state === "failed" ? "red" : undefined}>
        {view.record.state === "failed" ? (view.record.message ?? "recording stopped") : formatRecordProgress(view.record)}
      </Text>,
    );
  }
  const reload = view.reloads.at(-1);
  if (reload) {
    lines.push(
      <Text key="reload" wrap="truncate-end">
        {"reload "}
        {reload.ok ? <Text color="green">ok</Text> : <Text color="red">failed</Text>}
        {` ${basename(reload.file)} ${reload.ms.toFixed(0)} ms`}
      </Text>,
    );
  }
  const error = view.error;
  if (error) {
    // The file's name, not its path: the place must fit the line.
    const where = error.file ? formatLocation({ ...error, file: basename(error.file) }) : "";
    lines.push(
      <Text key="error" color="red" bold wrap="truncate-end">
        {`Error${where ? ` ${where}` : ""}`}
      </Text>,
    );
    splitLines(error.message, columns, ERROR_MESSAGE_LINES).forEach((text, index) =>
      lines.push(
        <Text key={`message${index}`} color="red" wrap="truncate-end">
          {text}
        </Text>,
      ),
    );
  }
  // The busiest outside source, one line.
  const busiest = [...view.control].sort((a, b) => b.messagesPerS - a.messagesPerS)[0];
  if (busiest) lines.push(<Text key="control" wrap="truncate-end">{formatControlSummary(busiest)}</Text>);
  const keys = (
    <Text key="keys" dimColor wrap="truncate-end">
      q quit · r reload · s snapshot · p pause
    </Text>
  );
  return (
    <Box flexDirection="column" width={columns}>
      {[...lines.slice(0, Math.max(0, rows - 2)), keys]}
    </Box>
  );
}

/** `text` in lines of at most `width` characters, at most `count` of them, the last cut with "…". */
export function splitLines(text: string, width: number, count: number): string[] {
  const lines: string[] = [];
  let rest = text.replace(/\s+/g, " ").trim();
  while (rest.length > 0 && lines.length < count) {
    if (rest.length <= width) {
      lines.push(rest);
      rest = "";
      break;
    }
    let cut = rest.lastIndexOf(" ", width);
    if (cut <= 0) cut = width;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) {
    const last = lines.pop()!;
    lines.push(`${last.slice(0, width - 1)}…`);
  }
  return lines;
}
