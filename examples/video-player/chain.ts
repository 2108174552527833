// Video Player — a clip played, looped and scrubbed, then filtered like any texture.
// VideoPlayer (ffmpeg decodes in its own process) → HSV (hue turning slowly with time).
// The clip is made on the first run: 6 s of ffmpeg's testsrc2 pattern at 640×360, 30 fps, written
// to clip.mp4 beside this file (git-ignored), so the example needs nothing but ffmpeg.
// Under --fixed-fps or --record the frame at time t shows the clip at t exactly:
//   bun vivid examples/video-player --headless --record video.mp4 --record-fps 30 --record-duration 6
//
// Keys: Space play / pause; Left / Right seek 1 s; Home restart; L toggles loop; F fullscreen.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { HSV, VideoPlayer, type Context } from "vivid";

const CLIP = join(import.meta.dir, "clip.mp4");

/** The example's clip, made once with ffmpeg (the same program VideoPlayer decodes with). */
function ensureClip(): void {
  if (existsSync(CLIP)) return;
  const made = Bun.spawnSync(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=6", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", CLIP]);
  if (made.exitCode !== 0) throw new Error(`could not make ${CLIP} with ffmpeg: ${made.stderr.toString().trim() || "is ffmpeg installed? (apt-get install ffmpeg)"}`);
}

export function setup(ctx: Context) {
  ensureClip();
  const video = ctx.chain.add(VideoPlayer, "video");
  video.file = CLIP;
  video.loop = true;
  video.speed = 1;
  const hsv = ctx.chain.add(HSV, "hsv").input("video");
  hsv.saturation = 1.2;
  ctx.chain.output("hsv");
}

export function update(ctx: Context) {
  const video = ctx.chain.get<VideoPlayer>("video");
  ctx.chain.get<HSV>("hsv").hueShift = (ctx.time * 0.05) % 1;
  if (ctx.key("Space").pressed) (video.isPlaying ? video.pause() : video.play());
  if (ctx.key("Right").pressed) video.seek(video.currentTime + 1);
  if (ctx.key("Left").pressed) video.seek(Math.max(0, video.currentTime - 1));
  if (ctx.key("Home").pressed) video.restart();
  if (ctx.key("L").pressed) video.loop = !video.loop;
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  ctx.debug("video time", video.currentTime);
}
