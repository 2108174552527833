/**
 * `--record` with sound, end to end with the real ffmpeg and ffprobe: `bun runtime/cli.ts` records a
 * chain that plays a click track the test generates (AudioFile → AudioOutput) and flashes the picture
 * when Levels hears a click. What is checked is what a viewer gets: one video and one audio stream of
 * the asked duration, the clicks where the track has them relative to the first frame, the flash on
 * the frame after each click, the samples of a PNG sequence's WAV equal to the track's times the
 * output's volume, and no audio stream at all for a chain without an AudioOutput. A VideoPlayer
 * through an AudioOutput: a generated clip whose picture flashes on the frames its sound clicks
 * comes out of the recording with the flashes and the clicks still together.
 */
import { describe, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clickTimes, clickTrack, encodeWav } from "../../../runtime/audio/wav.ts";
import { cleanup } from "../../helpers/live-run.ts";
import { REPO } from "../../helpers/render.ts";
import { RATE, decodeSound, frameBrightness, onsets, streams, type Stream } from "./av-probe.ts";

const FPS = 30;
/**
 * The generated track: clicks at 120 BPM from 0.3 s (0.3, 0.8, 1.3, 1.8 s), each a 2 kHz tick over a
 * 120 ms 80 Hz thump: long enough that Levels, which reads the last 1024 samples before a frame's
 * time (a frame at 30 fps is 1600), hears it on the next frame.
 */
const TRACK = { bpm: 120, seconds: 4 } as const;
/** The output's volume: the recorded sound must be the track at this gain (what is heard, not the file). */
const OUTPUT_VOLUME = 0.5;

const chain = (withOutput: boolean) => `import { join } from "node:path";
import { AudioFile, AudioOutput, Levels, SolidColor, type Context } from "vivid";
export function setup(ctx: Context) {
  const music = ctx.chain.add(AudioFile, "music");
  music.file = join(import.meta.dir, "clicks.wav");
  ${withOutput ? `ctx.chain.add(AudioOutput, "speakers").input("music").volume = ${OUTPUT_VOLUME};` : ""}
  const levels = ctx.chain.add(Levels, "levels").input("music");
  levels.smoothing = 0;
  const flash = ctx.chain.add(SolidColor, "flash").resolution(32, 18);
  flash.bindDirect("color", () => (levels.peak > 0.2 ? [1, 1, 1, 1] : [0, 0, 0, 1]));
  ctx.chain.output("flash");
}
`;

function project(withOutput = true): string {
  const dir = mkdtempSync(join(tmpdir(), "vivid-record-audio-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "clicks.wav"), encodeWav(clickTrack(TRACK)));
  writeFileSync(join(dir, "chain.ts"), chain(withOutput));
  return dir;
}

async function vivid(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn(["bun", join(REPO, "runtime/cli.ts"), ...args], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
  cleanup.push(() => child.kill("SIGKILL"));
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

describe("--record with an AudioOutput", () => {
  test("--fixed-fps 30 --record out.mp4 --record-duration 2: one H.264 and one AAC stream of 2.0 s; clicks at the track's times from the first frame; the flash on the frame after each", async () => {
    const dir = project();
    const out = join(dir, "out.mp4");
    const run = await vivid([dir, "--headless", "--fixed-fps", String(FPS), "--record", out, "--record-duration", "2"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("recorded 60 frames (2.00 s at 30 fps, 32x18, h264) with 2.00 s of sound (aac)");

    const found = streams(out);
    expect(found.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(["video:h264", "audio:aac"]);
    const [video, sound] = found as [Stream, Stream];
    // 2.0 s ± one AAC frame (1024 samples).
    expect(Math.abs(Number(sound.duration) - 2)).toBeLessThanOrEqual(1024 / RATE);
    expect(Number(video.duration)).toBeCloseTo(2, 6);

    // The clicks, on the file's own timeline, measured from the first frame's time.
    const expected = clickTimes({ ...TRACK, seconds: 2 });
    const heard = onsets(decodeSound(out)).map((t) => t + Number(sound.start_time) - Number(video.start_time));
    console.log(`clicks in out.mp4 relative to frame 1 (s): ${heard.map((t) => t.toFixed(5)).join(", ")}; generated at ${expected.join(", ")}`);
    expect(heard).toHaveLength(expected.length);
    for (const [i, time] of expected.entries()) expect(Math.abs(heard[i]! - time), `click ${i + 1}`).toBeLessThan(0.002);

    // The picture: Levels reads what was heard up to the frame's time, so the flash is on the first
    // frame whose time is past the click (frame floor(t·30) + 1, 0-based), and not the frame before.
    const brightness = frameBrightness(out);
    expect(brightness).toHaveLength(60);
    for (const time of expected) {
      const flashFrame = Math.floor(time * FPS + 1e-9) + 1;
      expect(brightness[flashFrame], `frame ${flashFrame} (click at ${time} s)`).toBeGreaterThan(200);
      expect(brightness[flashFrame - 1], `frame ${flashFrame - 1}, before the click at ${time} s`).toBeLessThan(50);
    }
  }, 240_000);

  test("dir/%05d.png: a WAV beside the frames whose samples are exactly the track's times the output's volume, frame 1 at sample 0", async () => {
    const dir = project();
    const frames = join(dir, "frames");
    mkdirSync(frames);
    const run = await vivid([dir, "--headless", "--fixed-fps", String(FPS), "--record", join(frames, "%05d.png"), "--record-duration", "2"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`and 2.00 s of sound in ${join(frames, "audio.wav")}`);
    const wav = readFileSync(join(frames, "audio.wav"));
    // Decoded by ffmpeg, not by us: 32-bit float, stereo, 48 kHz, exactly 2 s.
    const probed = streams(join(frames, "audio.wav"));
    expect(probed.map((s) => s.codec_name)).toEqual(["pcm_f32le"]);
    const out = Bun.spawnSync(["ffmpeg", "-v", "error", "-i", join(frames, "audio.wav"), "-f", "f32le", "pipe:1"]);
    const samples = new Float32Array(new Uint8Array(out.stdout).buffer);
    expect(samples.length).toBe(2 * RATE * 2);
    const [left, right] = clickTrack(TRACK);
    let mismatches = 0;
    for (let i = 0; i < 2 * RATE; i++) {
      if (samples[i * 2] !== Math.fround(left![i]! * OUTPUT_VOLUME) || samples[i * 2 + 1] !== Math.fround(right![i]! * OUTPUT_VOLUME)) mismatches++;
    }
    expect(mismatches, `${wav.length} bytes of WAV`).toBe(0);
    // Not trivially equal: the track has sound in these 2 s.
    expect(onsets(samples.filter((_, i) => i % 2 === 0))).toHaveLength(4);
  }, 240_000);

  test("a chain without an AudioOutput (the same AudioFile, analysed only) records no audio stream, as before", async () => {
    const dir = project(false);
    const out = join(dir, "out.mp4");
    const run = await vivid([dir, "--headless", "--fixed-fps", String(FPS), "--record", out, "--record-duration", "1"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("recorded 30 frames (1.00 s at 30 fps, 32x18, h264) to");
    expect(run.stdout).not.toContain("sound");
    expect(streams(out).map((s) => s.codec_type)).toEqual(["video"]);
  }, 240_000);

  test("out.webm: VP9 and Opus, the clicks at the track's times", async () => {
    const dir = project();
    const out = join(dir, "out.webm");
    const run = await vivid([dir, "--headless", "--fixed-fps", String(FPS), "--record", out, "--record-duration", "2"]);
    expect(run.code, run.stderr).toBe(0);
    expect(streams(out).map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(["video:vp9", "audio:opus"]);
    const heard = onsets(decodeSound(out));
    const expected = clickTimes({ ...TRACK, seconds: 2 });
    expect(heard).toHaveLength(expected.length);
    for (const [i, time] of expected.entries()) expect(Math.abs(heard[i]! - time), `click ${i + 1}`).toBeLessThan(0.002);
  }, 240_000);

  test("a VideoPlayer through an AudioOutput: the clip's clicks (0.5, 1.5, 2.5 s) and its flashes (frames 15, 45, 75) stay together in the recording", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vivid-record-video-sound-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const clip = join(dir, "clip.mov");
    // A 3 s clip at 30 fps: black, white on frames 15, 45 and 75; its sound a 10 ms 2 kHz tick at 0.5, 1.5 and 2.5 s.
    const made = Bun.spawnSync([
      "ffmpeg", "-v", "error",
      "-f", "lavfi", "-i", "color=c=black:s=32x18:r=30:d=3,drawbox=c=white:t=fill:enable='eq(n\\,15)+eq(n\\,45)+eq(n\\,75)'",
      "-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*2000*t)*lt(mod(t-0.5\\,1)\\,0.01)*gte(t\\,0.5)':s=48000:c=stereo:d=3",
      "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", "-shortest", "-y", clip,
    ]);
    expect(made.exitCode, made.stderr.toString()).toBe(0);
    writeFileSync(
      join(dir, "chain.ts"),
      `import { join } from "node:path";
import { AudioOutput, VideoPlayer, type Context } from "vivid";
export function setup(ctx: Context) {
  ctx.chain.add(VideoPlayer, "clip").file = join(import.meta.dir, "clip.mov");
  ctx.chain.add(AudioOutput, "speakers").input("clip");
  ctx.chain.output("clip");
}
`,
    );
    const out = join(dir, "out.mp4");
    const run = await vivid([dir, "--headless", "--fixed-fps", String(FPS), "--record", out, "--record-duration", "3"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("recorded 90 frames (3.00 s at 30 fps, 32x18, h264) with 3.00 s of sound (aac)");
    const [video, sound] = streams(out) as [Stream, Stream];
    expect([video.codec_type, sound?.codec_type]).toEqual(["video", "audio"]);
    const heard = onsets(decodeSound(out)).map((t) => t + Number(sound.start_time) - Number(video.start_time));
    console.log(`VideoPlayer's clicks in out.mp4 (s): ${heard.map((t) => t.toFixed(5)).join(", ")}`);
    expect(heard).toHaveLength(3);
    for (const [i, time] of [0.5, 1.5, 2.5].entries()) expect(Math.abs(heard[i]! - time), `click ${i + 1}`).toBeLessThan(0.002);
    const brightness = frameBrightness(out);
    const bright = [...brightness.keys()].filter((i) => brightness[i]! > 128);
    expect(bright).toEqual([15, 45, 75]);
  }, 240_000);
});
