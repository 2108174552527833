import { Box } from "ink";
import type { CensusSnapshot } from "../gpu/census.ts";
import type { StatsView } from "../stats/hub.ts";
import { AudioPanel } from "./AudioPanel.tsx";
import { CensusPanel } from "./CensusPanel.tsx";
import { CompactDashboard } from "./CompactDashboard.tsx";
import { ControlPanel } from "./ControlPanel.tsx";
import { DebugPanel } from "./DebugPanel.tsx";
import { ErrorPanel } from "./ErrorPanel.tsx";
import { FramesPanel } from "./FramesPanel.tsx";
import { Header } from "./Header.tsx";
import type { DashboardInfo } from "./info.ts";
import { KeyHints } from "./KeyHints.tsx";
import { MemoryPanel } from "./MemoryPanel.tsx";
import { RecordPanel } from "./RecordPanel.tsx";
import { ReloadsPanel } from "./ReloadsPanel.tsx";
import { SoakPanel } from "./SoakPanel.tsx";

export interface DashboardProps {
  view: StatsView;
  info: DashboardInfo;
  census: CensusSnapshot | null;
  /** The terminal's size; without it (not a terminal) the full layout. */
  terminal?: { columns: number; rows: number };
}

/** Narrower than this, the full layout's lines lose what they end with: the compact one is used. */
const FULL_LAYOUT_COLUMNS = 80;

/**
 * The whole dashboard as a pure function of one stats view and one census snapshot: the full layout,
 * or the compact one (CompactDashboard) when the terminal is too narrow or too short for it.
 */
export function Dashboard({ view, info, census, terminal }: DashboardProps) {
  if (terminal && (terminal.columns < FULL_LAYOUT_COLUMNS || fullLayoutLines(view, census, terminal.columns) + (info.inspector ? 1 : 0) >= terminal.rows)) {
    return <CompactDashboard view={view} info={info} columns={terminal.columns} rows={terminal.rows} />;
  }
  return (
    <Box flexDirection="column">
      <Header info={info} t={view.t} />
      <FramesPanel frames={view.frames} history={view.frameHistory} />
      <MemoryPanel memory={view.memory} inSoak={view.soak !== null} />
      {view.soak ? <SoakPanel soak={view.soak} t={view.t} /> : null}
      {view.record ? <RecordPanel record={view.record} /> : null}
      <CensusPanel census={census} />
      <ReloadsPanel reloads={view.reloads} />
      <ErrorPanel error={view.error} />
      {view.audio ? <AudioPanel audio={view.audio} /> : null}
      <DebugPanel debug={view.debug} hidden={view.debugHidden} />
      <ControlPanel control={view.control} />
      <KeyHints />
    </Box>
  );
}

/**
 * How many lines the full layout takes for this view, panel by panel as the panels draw them (a line
 * each unless said): header, frames, memory (2), soak (2), recording, census (title, kinds in 33-column boxes
 * that wrap, top owners), reloads (title + up to 5), the error box (borders, message, source line and
 * caret), debug (title, names, "more"), control (title, sources), key hints.
 */
export function fullLayoutLines(view: StatsView, census: CensusSnapshot | null, columns: number): number {
  let lines = 1 + 1 + (view.memory ? 2 : 1) + (view.soak ? 2 : 0) + (view.audio ? 1 : 0) + (view.record ? 1 : 0) + 1;
  if (census) {
    const kinds = Object.values(census.kinds).filter((count) => count.created > 0).length;
    lines += 1 + Math.ceil(kinds / Math.max(1, Math.floor(columns / 33))) + (Object.keys(census.owners).length > 0 ? 1 : 0);
  }
  if (view.reloads.length > 0) lines += 1 + Math.min(5, view.reloads.length);
  if (view.error) {
    const messageLines = Math.ceil((view.error.message.length + (view.error.file?.length ?? 0) + 16) / Math.max(1, columns - 4));
    lines += 2 + messageLines + (view.error.sourceLine !== undefined && view.error.line ? 2 : 0);
  }
  if (view.debug.length > 0) lines += 1 + view.debug.length + (view.debugHidden > 0 ? 1 : 0);
  if (view.control.length > 0) lines += 1 + view.control.length;
  return lines;
}
