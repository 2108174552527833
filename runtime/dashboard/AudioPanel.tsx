import { Box, Text } from "ink";
import type { AudioEvent } from "../stats/events.ts";

/** The audio device in one line: where the sound goes, underruns, DSP load, device opens. */
export function AudioPanel({ audio }: { audio: AudioEvent }) {
  const underruns = audio.underruns > 0 ? <Text color="yellow">{`underruns ${audio.underruns}`}</Text> : <Text>underruns 0</Text>;
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text bold>Audio</Text>
        {`   ${audio.sink === "null" ? "null sink (no device)" : audio.sink === "fixed" ? "fixed clock (no device)" : audio.sink}  ·  `}
        {underruns}
        {`  ·  DSP ${(audio.dspLoad * 100).toFixed(1)} %  ·  opened ${audio.opens}×  ·  ${audio.clockSeconds.toFixed(1)} s played`}
      </Text>
    </Box>
  );
}
