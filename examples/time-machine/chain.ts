// Time Machine — slit-scan (port of the original's showcase/time-machine).
// Webcam (or, without a camera, the video-player example's clip) → FrameCache (64 frames) →
// TimeMachine: each row of the picture is a different moment, chosen by a Gradient map: a vertical
// ramp (the top the newest, the bottom about two seconds ago: a classic slit-scan), or, with M, a
// radial one (the centre newest, the rim oldest).
// As in the original, a camera is used when there is one and a video otherwise; the clip is made
// with ffmpeg on the first run, like examples/video-player's.
//
// Keys: M toggles the gradient map; Up / Down change the depth; I inverts; F fullscreen.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FrameCache, Gradient, listCameras, TimeMachine, VideoPlayer, Webcam, type Context } from "vivid";

const CLIP = join(import.meta.dir, "clip.mp4");

/** The fallback clip: ffmpeg's testsrc2, moving, 640×360, 8 s. */
function ensureClip(): void {
  if (existsSync(CLIP)) return;
  const made = Bun.spawnSync(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=8", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", CLIP]);
  if (made.exitCode !== 0) throw new Error(`could not make ${CLIP} with ffmpeg: ${made.stderr.toString().trim() || "is ffmpeg installed? (apt-get install ffmpeg)"}`);
}

export function setup(ctx: Context) {
  const chain = ctx.chain;
  if (listCameras().length > 0) {
    chain.add(Webcam, "source").resolution(640, 360);
  } else {
    ensureClip();
    const video = chain.add(VideoPlayer, "source");
    video.file = CLIP;
    video.loop = true;
  }
  chain.add(FrameCache, "cache").input("source").frameCount = 64;
  const map = chain.add(Gradient, "map").resolution(640, 360);
  map.angle = Math.PI * 1.5; // bright at the top: the newest frame there
  const machine = chain.add(TimeMachine, "machine").cache("cache").displacementMap("map");
  machine.depth = 1;
  chain.output("machine");
}

export function update(ctx: Context) {
  const machine = ctx.chain.get<TimeMachine>("machine");
  const map = ctx.chain.get<Gradient>("map");
  if (ctx.key("M").pressed) map.mode = map.mode === "linear" ? "radial" : "linear";
  if (ctx.key("Up").pressed) machine.depth = Math.min(1, machine.depth + 0.1);
  if (ctx.key("Down").pressed) machine.depth = Math.max(0, machine.depth - 0.1);
  if (ctx.key("I").pressed) machine.invert = !machine.invert;
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
}
