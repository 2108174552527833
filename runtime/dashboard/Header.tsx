import { Text } from "ink";
import type { DashboardInfo } from "./info.ts";

/** Who is running what where: project, adapter, resolution, uptime, whether time is paused, the inspector's link. */
export function Header({ info, t }: { info: DashboardInfo; t: number }) {
  const line = (
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
  if (!info.inspector) return line;
  return (
    <>
      {line}
      <Text wrap="truncate-end">
        <Text dimColor>{"inspector "}</Text>
        <Text color="cyan">{info.inspector}</Text>
      </Text>
    </>
  );
}
