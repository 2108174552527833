import { Text } from "ink";
import type { DashboardInfo } from "./info.ts";

/** Who is running what where: project, adapter, resolution, uptime, and whether time is paused. */
export function Header({ info, t }: { info: DashboardInfo; t: number }) {
  return (
    <Text wrap="truncate-end">
      <Text bold>Vivid</Text>
      {`  ${info.project}  `}
      {/* Before the adapter's long name, so a narrow terminal's truncation never hides it. */}
      {info.paused ? <Text color="yellow" bold>{"PAUSED  "}</Text> : null}
      {info.dispatch ? <Text>{`${info.dispatch}  `}</Text> : null}
      <Text dimColor>{info.adapter}</Text>
      {`  ${info.width}×${info.height}  `}
      <Text dimColor>{t.toFixed(1)}s</Text>
    </Text>
  );
}
