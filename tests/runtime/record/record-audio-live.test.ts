/**
 * A live recording (what Shift+R starts) with sound, in process with the real ffmpeg and the real
 * audio worker (its null sink here: no sound card): a chain plays a click track through an
 * AudioOutput and flashes white when Levels hears a click; frames are drawn on the wall clock at
 * ~30 fps for 3 s. The file must carry the sound heard while it ran, aligned with the picture: each
 * click in the sound is followed by the flash within what the live analysis allows (Levels reads
 * the last block the worker mixed, so up to a block early, and a frame comes up to 1 / fps after).
 * Then a VideoPlayer's own sound, live: a clip whose picture flashes as its sound clicks, recorded
 * through an AudioOutput, keeps its flashes with its clicks.
 */
import { expect, test } from "vitest";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { clickTrack, encodeWav } from "../../../runtime/audio/wav.ts";
import { native, ownGpuAndFolder } from "../../helpers/native.ts";
import { decodeSound, flashOnsets, frameBrightness, onsets, streams as probeStreams } from "./av-probe.ts";

const nativeRequire = createRequire(import.meta.url);
const { Recorder } = nativeRequire("../../../runtime/record/recorder.ts") as typeof import("../../../runtime/record/recorder.ts");
const { audio } = nativeRequire("../../../runtime/audio/system.ts") as typeof import("../../../runtime/audio/system.ts");
const own = ownGpuAndFolder("vivid-record-audio-live-");

const FPS = 30;

const CHAIN = `import { join } from "node:path";
import { AudioFile, AudioOutput, Levels, SolidColor, type Context } from "vivid";
export function setup(ctx: Context) {
  const music = ctx.chain.add(AudioFile, "music");
  music.file = join(import.meta.dir, "clicks.wav");
  music.loop = true;
  ctx.chain.add(AudioOutput, "speakers").input("music");
  const levels = ctx.chain.add(Levels, "levels").input("music");
  levels.smoothing = 0;
  const flash = ctx.chain.add(SolidColor, "flash").resolution(32, 18);
  flash.bindDirect("color", () => (levels.peak > 0.2 ? [1, 1, 1, 1] : [0, 0, 0, 1]));
  ctx.chain.output("flash");
}
`;

test("live: the sound heard while recording is in the file, each click followed by the flash it caused", async () => {
  const dir = own.dir;
  // A click every 0.5 s from 0.1 s, looping every 2 s.
  writeFileSync(join(dir, "clicks.wav"), encodeWav(clickTrack({ bpm: 120, seconds: 2, offset: 0.1 })));
  const chainFile = join(dir, "chain.ts");
  writeFileSync(chainFile, CHAIN);
  audio.say = () => {};
  const engine = new native.engine.Engine(own.gpu, { projectDir: dir, chainFile, width: 32, height: 18 });
  const loaded = await engine.load();
  if (!loaded.ok) throw new Error(loaded.error.message);
  const out = join(dir, "live.mp4");
  const failures: string[] = [];
  const recorder = new Recorder(own.gpu, Bun.which("ffmpeg")!, { target: { path: out, container: "mp4", codec: "h264" }, fps: FPS, mode: "live", hasAudio: () => true }, (m) => failures.push(m));
  try {
    // Let the worker's clock settle, then record 3 s on the wall clock.
    for (let i = 0; i < 10; i++) {
      engine.frame();
      await Bun.sleep(1000 / FPS);
    }
    const end = performance.now() + 3000;
    let next = performance.now();
    while (performance.now() < end) {
      await recorder.beforeFrame(engine.chain!.outputTexture);
      engine.frame(performance.now(), (frame, output) => recorder.capture(frame, output));
      recorder.afterSubmit();
      next += 1000 / FPS;
      await Bun.sleep(Math.max(0, next - performance.now()));
    }
    const result = await recorder.finish();
    expect(failures).toEqual([]);
    expect(result.ok, result.message).toBe(true);
    expect(result.message).toMatch(/with \d\.\d\d s of sound \(aac\)/);
  } finally {
    await engine.dispose();
    audio.close();
  }

  const streams = probeStreams(out);
  expect(streams.map((s) => s.codec_type)).toEqual(["video", "audio"]);
  const [video, sound] = streams as [(typeof streams)[0], (typeof streams)[0]];
  // The sound lasts as long as the picture (both ~3 s of wall clock), to within a few frames.
  expect(Math.abs(Number(sound.duration) - Number(video.duration))).toBeLessThan(0.15);

  const clicks = onsets(decodeSound(out)).map((t) => t + Number(sound.start_time) - Number(video.start_time));
  const frames = frameBrightness(out);
  // Flash onsets: a bright frame after a dark one, at its time in the file.
  const flashes = flashOnsets(frames, FPS);
  // Six clicks in 3 s (one every 0.5 s), give or take the ends.
  expect(clicks.length).toBeGreaterThanOrEqual(5);
  // Each click's flash: the first flash onset from 0.1 s before it. Frames the encoder could not
  // take (live drops them, and the next recorded frame fills their place) may hide a flash on a
  // loaded machine: at least half the clicks must show theirs.
  const offsets = clicks
    .filter((t) => t < frames.length / FPS - 0.1)
    .map((t) => (flashes.find((f) => f > t - 0.1) ?? Infinity) - t)
    .filter((offset) => offset < 0.3);
  expect(offsets.length, `flashes at ${flashes.map((t) => t.toFixed(3)).join(", ")} s`).toBeGreaterThanOrEqual(3);
  console.log(`live: flash − click per click (ms): ${offsets.map((o) => (o * 1000).toFixed(1)).join(", ")}; clicks at ${clicks.map((t) => t.toFixed(3)).join(", ")} s`);
  // Levels may see a click up to a block (21 ms) before it is heard; the flash then waits for the
  // next frame (33 ms), and each frame sits at the file frame nearest its draw time (± 17 ms), which
  // a loaded machine's uneven frames move further. A sound shifted against the picture moves every
  // click alike: the median must stay near 0 (the bug this guards, ffmpeg's arrival stamps, gave
  // −62 ms for every click), one click may stray further.
  const median = [...offsets].sort((a, b) => a - b)[Math.floor(offsets.length / 2)]!;
  expect(median).toBeGreaterThan(-0.03);
  expect(median).toBeLessThan(0.05);
  for (const offset of offsets) {
    expect(offset).toBeGreaterThan(-0.075);
    expect(offset).toBeLessThan(0.1);
  }
}, 120_000);

test("live: a VideoPlayer's sound through an AudioOutput stays with its picture", async () => {
  const dir = own.dir;
  const clip = join(dir, "clip.mov");
  // A looping 1 s clip at 30 fps: white on frames 15–17, its sound a 10 ms tick at 0.5 s.
  const made = Bun.spawnSync([
    "ffmpeg", "-v", "error",
    "-f", "lavfi", "-i", "color=c=black:s=32x18:r=30:d=1,drawbox=c=white:t=fill:enable='between(n\\,15\\,17)'",
    "-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*2000*t)*between(t\\,0.5\\,0.51)':s=48000:c=stereo:d=1",
    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", "-shortest", "-y", clip,
  ]);
  expect(made.exitCode, made.stderr.toString()).toBe(0);
  const chainFile = join(dir, "video-chain.ts");
  writeFileSync(
    chainFile,
    `import { join } from "node:path";
import { AudioOutput, VideoPlayer, type Context } from "vivid";
export function setup(ctx: Context) {
  const clip = ctx.chain.add(VideoPlayer, "clip");
  clip.file = join(import.meta.dir, "clip.mov");
  clip.loop = true;
  ctx.chain.add(AudioOutput, "speakers").input("clip");
  ctx.chain.output("clip");
}
`,
  );
  audio.say = () => {};
  const engine = new native.engine.Engine(own.gpu, { projectDir: dir, chainFile, width: 32, height: 18 });
  const loaded = await engine.load();
  if (!loaded.ok) throw new Error(loaded.error.message);
  const out = join(dir, "video-live.mp4");
  const recorder = new Recorder(own.gpu, Bun.which("ffmpeg")!, { target: { path: out, container: "mp4", codec: "h264" }, fps: FPS, mode: "live", hasAudio: () => true }, () => {});
  try {
    for (let i = 0; i < 10; i++) {
      await engine.prepareFrame();
      engine.frame();
      await Bun.sleep(1000 / FPS);
    }
    const end = performance.now() + 4000;
    let next = performance.now();
    while (performance.now() < end) {
      await recorder.beforeFrame(engine.chain!.outputTexture);
      await engine.prepareFrame();
      engine.frame(performance.now(), (frame, output) => recorder.capture(frame, output));
      recorder.afterSubmit();
      next += 1000 / FPS;
      await Bun.sleep(Math.max(0, next - performance.now()));
    }
    const result = await recorder.finish();
    expect(result.ok, result.message).toBe(true);
  } finally {
    await engine.dispose();
    audio.close();
  }
  const clicks = onsets(decodeSound(out));
  const flashes = flashOnsets(frameBrightness(out), FPS);
  const offsets = clicks.map((t) => (flashes.find((f) => f > t - 0.1) ?? Infinity) - t).filter((offset) => offset < 0.3);
  console.log(`live VideoPlayer: flash − click per click (ms): ${offsets.map((o) => (o * 1000).toFixed(1)).join(", ")}; clicks at ${clicks.map((t) => t.toFixed(3)).join(", ")} s; flashes at ${flashes.map((t) => t.toFixed(3)).join(", ")} s`);
  // One click a second for 4 s; frames dropped under load may hide a flash.
  expect(clicks.length).toBeGreaterThanOrEqual(3);
  expect(offsets.length).toBeGreaterThanOrEqual(2);
  // The picture's frame shows floor(playhead · 30) and the sound is moved back to the playhead when
  // it drifts past 40 ms: the median flash must be within a frame and that tolerance of its click.
  const median = [...offsets].sort((a, b) => a - b)[Math.floor(offsets.length / 2)]!;
  expect(Math.abs(median)).toBeLessThan(0.075);
}, 120_000);
