import { Box, Text } from "ink";
import type { ReloadCounts, ReloadEvent } from "../stats/events.ts";
import { formatLocation, signed } from "../stats/format.ts";

const SHOWN = 5;

const SHORT_NAMES: Record<keyof ReloadCounts, string> = {
  shaderModules: "sm",
  pipelines: "pl",
  bindGroups: "bg",
  textures: "tx",
  buffers: "buf",
};

/** `pl +1/-1 bg +2/-2`: created / released for the kinds a reload touched, so it fits one line. */
export function reloadChanges(reload: ReloadEvent): string {
  const parts: string[] = [];
  for (const key of Object.keys(SHORT_NAMES) as (keyof ReloadCounts)[]) {
    const created = reload.created[key];
    const released = reload.released[key];
    if (created || released) parts.push(`${SHORT_NAMES[key]} +${created}/-${released}`);
  }
  return parts.length ? parts.join(" ") : "no GPU changes";
}

function ReloadLine({ reload }: { reload: ReloadEvent }) {
  return (
    <Text wrap="truncate-end">
      <Text dimColor>{`  ${reload.t.toFixed(1)}s `}</Text>
      {reload.ok ? <Text color="green">{"ok    "}</Text> : <Text color="red">failed</Text>}
      {`  ${reload.file}  ${reload.ms.toFixed(0)} ms  `}
      {reload.ok ? (
        <Text>{`${reloadChanges(reload)}  rss ${signed(reload.rssDeltaMB, 1)} MB`}</Text>
      ) : (
        <Text color="red">{reload.error ? `at ${formatLocation(reload.error)}` : ""}</Text>
      )}
    </Text>
  );
}

/** The last reloads, newest first. */
export function ReloadsPanel({ reloads }: { reloads: readonly ReloadEvent[] }) {
  if (reloads.length === 0) return null;
  const newestFirst = reloads.slice(-SHOWN).reverse();
  return (
    <Box flexDirection="column">
      <Text bold>Reloads</Text>
      {newestFirst.map((reload, index) => (
        <ReloadLine key={index} reload={reload} />
      ))}
    </Box>
  );
}
