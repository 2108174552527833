/**
 * Finding ffmpeg and the encoder a recording needs, before anything starts: a missing program or a
 * build without the encoder is one line that says what to install, not a failure minutes later.
 */
import { ENCODERS, type RecordCodec } from "./formats.ts";

/** What to install, named once for every message. */
export const FFMPEG_PACKAGE = "the Debian/Ubuntu package ffmpeg (apt-get install ffmpeg; scripts/setup.sh installs it)";

/** ffmpeg's path, or a message naming the package. `flag` is the flag that needs it. */
export function locateFfmpeg(flag: string, codec?: RecordCodec): { path: string } | { error: string } {
  const path = Bun.which("ffmpeg");
  if (!path) return { error: `${flag} needs ffmpeg, which is not on the PATH: install ${FFMPEG_PACKAGE}` };
  if (codec) {
    const listed = Bun.spawnSync([path, "-hide_banner", "-encoders"], { stdout: "pipe", stderr: "ignore" });
    const encoder = ENCODERS[codec];
    if (!listed.success || !new RegExp(`^\\s*V\\S*\\s+${encoder.replace("-", "\\-")}\\s`, "m").test(listed.stdout.toString())) {
      return { error: `${flag}: this ffmpeg (${path}) has no ${encoder} encoder for ${codec}; install ${FFMPEG_PACKAGE}` };
    }
  }
  return { path };
}
