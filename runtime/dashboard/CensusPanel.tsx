import { Box, Text } from "ink";
import type { CensusSnapshot, GpuKind } from "../gpu/census.ts";

const TOP_OWNERS = 5;
const MB = 1024 * 1024;

/**
 * GPU objects per kind (live / created / released; kinds never created are left out) and the owners
 * holding the most GPU bytes, which names the operator to look at when GPU memory grows.
 */
export function CensusPanel({ census }: { census: CensusSnapshot | null }) {
  if (!census) return null;
  const kinds = (Object.entries(census.kinds) as [GpuKind, CensusSnapshot["kinds"][GpuKind]][]).filter(([, count]) => count.created > 0);
  const owners = Object.entries(census.owners)
    .sort(([, a], [, b]) => b.bytes - a.bytes)
    .slice(0, TOP_OWNERS);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>GPU objects</Text>
        {"  "}
        <Text dimColor>live / created / released</Text>
        {`  textures ${(census.textureBytes / MB).toFixed(1)} MB, buffers ${(census.bufferBytes / MB).toFixed(1)} MB`}
      </Text>
      <Box flexWrap="wrap">
        {kinds.map(([kind, count]) => (
          <Box key={kind} width={33}>
            <Text>{`  ${kind} ${count.live} / ${count.created} / ${count.released}`}</Text>
          </Box>
        ))}
      </Box>
      {owners.length > 0 ? (
        <Text wrap="truncate-end">
          <Text bold>Top GPU owners</Text>
          {owners.map(([name, owner]) => `  ${name} ${(owner.bytes / MB).toFixed(1)} MB (${owner.live})`).join("")}
        </Text>
      ) : null}
    </Box>
  );
}
