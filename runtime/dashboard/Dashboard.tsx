import { Box } from "ink";
import type { CensusSnapshot } from "../gpu/census.ts";
import type { StatsView } from "../stats/hub.ts";
import { CensusPanel } from "./CensusPanel.tsx";
import { DebugPanel } from "./DebugPanel.tsx";
import { ErrorPanel } from "./ErrorPanel.tsx";
import { FramesPanel } from "./FramesPanel.tsx";
import { Header } from "./Header.tsx";
import type { DashboardInfo } from "./info.ts";
import { KeyHints } from "./KeyHints.tsx";
import { MemoryPanel } from "./MemoryPanel.tsx";
import { ReloadsPanel } from "./ReloadsPanel.tsx";
import { SoakPanel } from "./SoakPanel.tsx";

export interface DashboardProps {
  view: StatsView;
  info: DashboardInfo;
  census: CensusSnapshot | null;
}

/** The whole dashboard as a pure function of one stats view and one census snapshot. */
export function Dashboard({ view, info, census }: DashboardProps) {
  return (
    <Box flexDirection="column">
      <Header info={info} t={view.t} />
      <FramesPanel frames={view.frames} history={view.frameHistory} />
      <MemoryPanel memory={view.memory} inSoak={view.soak !== null} />
      {view.soak ? <SoakPanel soak={view.soak} t={view.t} /> : null}
      <CensusPanel census={census} />
      <ReloadsPanel reloads={view.reloads} />
      <ErrorPanel error={view.error} />
      <DebugPanel debug={view.debug} hidden={view.debugHidden} />
      <KeyHints />
    </Box>
  );
}
