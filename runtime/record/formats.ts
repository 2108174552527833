/**
 * What `--record` writes: the container (from the path), the codec (`--record-codec`, or the
 * container's default) and the ffmpeg arguments for them. Pure functions: the CLI checks a command
 * line with them before anything starts, and the encoder spawns ffmpeg with their arguments.
 */

export const RECORD_CODECS = ["h264", "h265", "prores", "vp9", "png"] as const;
export type RecordCodec = (typeof RECORD_CODECS)[number];

export type RecordContainer = "mp4" | "mov" | "webm" | "png-sequence";

/** Which codecs each container holds; the first is its default. */
const CONTAINER_CODECS: Record<RecordContainer, readonly RecordCodec[]> = {
  mp4: ["h264", "h265"],
  mov: ["h264", "h265", "prores"],
  webm: ["vp9"],
  "png-sequence": ["png"],
};

/** The ffmpeg encoder behind each codec (checked against `ffmpeg -encoders` before a recording starts). */
export const ENCODERS: Record<RecordCodec, string> = {
  h264: "libx264",
  h265: "libx265",
  prores: "prores_ks",
  vp9: "libvpx-vp9",
  png: "png",
};

/**
 * The sound a container carries when the chain has an AudioOutput: AAC in MP4/MOV, Opus in WebM
 * (what each container's players expect); a PNG sequence has no sound track, so its sound is a
 * 32-bit float WAV beside the frames (audioSidecarPath), sample 0 at the start of file 1.
 */
export const AUDIO_CODECS: Record<RecordContainer, string[]> = {
  mp4: ["-c:a", "aac", "-b:a", "192k"],
  mov: ["-c:a", "aac", "-b:a", "192k"],
  webm: ["-c:a", "libopus", "-b:a", "160k"],
  "png-sequence": ["-c:a", "pcm_f32le"],
};

/** The sound of the raw stream the recorder writes to ffmpeg's fd 3: interleaved 32-bit float. */
export interface RecordAudioFormat {
  sampleRate: number;
  channels: number;
}

/** `frames/%05d.png` → `frames/audio.wav`; `out/shot_%04d.png` → `out/shot.wav`. */
export function audioSidecarPath(pngPattern: string): string {
  const slash = pngPattern.lastIndexOf("/");
  const dir = pngPattern.slice(0, slash + 1);
  const stem = pngPattern
    .slice(slash + 1)
    .replace(/\.png$/i, "")
    .replace(/%0?\d*d/, "")
    .replace(/^[-_. ]+|[-_. ]+$/g, "");
  return `${dir}${stem || "audio"}.wav`;
}

export interface RecordTarget {
  path: string;
  container: RecordContainer;
  codec: RecordCodec;
}

/**
 * The container and codec for `path` and an optional `--record-codec`, or a message saying what is
 * wrong (the caller names the flag). A PNG sequence is a path with a printf frame number
 * (`frames/%05d.png`), numbered from 1 so that file n is the frame `--snapshot-frame n` captures.
 */
export function recordTarget(path: string, codec?: string): RecordTarget | { error: string } {
  const lower = path.toLowerCase();
  let container: RecordContainer;
  if (lower.endsWith(".png")) {
    if (!/%0?\d*d/.test(path)) return { error: `a PNG sequence needs a frame number in its name, such as frames/%05d.png; got "${path}"` };
    container = "png-sequence";
  } else if (lower.endsWith(".mp4")) container = "mp4";
  else if (lower.endsWith(".mov")) container = "mov";
  else if (lower.endsWith(".webm")) container = "webm";
  else return { error: `expects out.mp4, out.mov, out.webm or dir/%05d.png; got "${path}"` };
  const allowed = CONTAINER_CODECS[container];
  if (codec === undefined) return { path, container, codec: allowed[0]! };
  if (!(RECORD_CODECS as readonly string[]).includes(codec)) return { error: `--record-codec expects one of ${RECORD_CODECS.join(", ")}; got "${codec}"` };
  if (!allowed.includes(codec as RecordCodec)) {
    const where = container === "png-sequence" ? "a PNG sequence" : `.${container}`;
    return { error: `--record-codec ${codec} does not go into ${where} (${where} takes ${allowed.join(" or ")})` };
  }
  return { path, container, codec: codec as RecordCodec };
}

/**
 * ffmpeg's command line for raw RGBA frames of `width` × `height` on stdin at `fps`, written to
 * `target`. H.264/H.265/VP9 are 4:2:0 (what every player plays) at a high quality setting, tagged
 * BT.709; ProRes is 4444 (10-bit 4:4:4); PNG keeps the RGBA bytes exactly.
 * A live recording writes the same constant-rate stream: the recorder places each frame by the time
 * it was drawn (recorder.ts).
 *
 * `audio`: a second input, raw float samples on fd 3 (pipe:3), starting at the first frame's time;
 * muxed as AUDIO_CODECS says. Its thread queue holds 512 packets (~10 s of sound, bounded) so that
 * ffmpeg, which reads the video ahead by the encoder's lookahead, never stalls the sound's pipe.
 */
export function ffmpegArgs(target: RecordTarget, width: number, height: number, fps: number, audio?: RecordAudioFormat): string[] {
  // With sound, ffmpeg must not probe the video first: it opens its inputs one after the other, and
  // while it read seconds of frames to probe them the recorder would wait on the unread sound (a
  // deadlock). Raw video whose size, format and rate are given needs no probing.
  const probe = audio ? ["-probesize", "32", "-analyzeduration", "0"] : [];
  const video = ["-hide_banner", "-nostdin", "-loglevel", "error", ...probe, "-f", "rawvideo", "-pix_fmt", "rgba", "-s", `${width}x${height}`, "-framerate", String(fps), "-i", "pipe:0"];
  const sound = audio ? ["-thread_queue_size", "512", ...probe, "-f", "f32le", "-ar", String(audio.sampleRate), "-ac", String(audio.channels), "-i", "pipe:3"] : [];
  const input = [...video, ...sound];
  // 4:2:0 needs even sides: an odd side gets one black row or column.
  const even = width % 2 === 1 || height % 2 === 1 ? "pad=ceil(iw/2)*2:ceil(ih/2)*2," : "";
  const bt709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"];
  const yuv420 = ["-vf", `${even}scale=out_color_matrix=bt709:out_range=tv,format=yuv420p`, ...bt709];
  let codec: string[];
  switch (target.codec) {
    case "h264":
      // crf 18 is near transparent; "fast" is the speed x264 keeps up with on two cores at 720p.
      codec = ["-c:v", "libx264", "-preset", "fast", "-crf", "18", ...yuv420];
      break;
    case "h265":
      codec = ["-c:v", "libx265", "-preset", "fast", "-crf", "20", "-x265-params", "log-level=error", "-tag:v", "hvc1", ...yuv420];
      break;
    case "prores":
      codec = ["-c:v", "prores_ks", "-profile:v", "4444", "-vf", "scale=out_color_matrix=bt709,format=yuv444p10le", ...bt709];
      break;
    case "vp9":
      codec = ["-c:v", "libvpx-vp9", "-crf", "24", "-b:v", "0", "-deadline", "good", "-cpu-used", "4", "-row-mt", "1", ...yuv420];
      break;
    case "png":
      codec = ["-c:v", "png", "-pix_fmt", "rgba", "-start_number", "1", "-f", "image2"];
      break;
  }
  const container = target.container === "mp4" || target.container === "mov" ? ["-movflags", "+faststart"] : [];
  if (!audio) return [...input, ...codec, ...container, "-y", target.path];
  if (target.container === "png-sequence") return [...input, "-map", "0:v", ...codec, "-y", target.path, "-map", "1:a", ...AUDIO_CODECS["png-sequence"], "-y", audioSidecarPath(target.path)];
  return [...input, "-map", "0:v", "-map", "1:a", ...codec, ...AUDIO_CODECS[target.container], ...container, "-y", target.path];
}
