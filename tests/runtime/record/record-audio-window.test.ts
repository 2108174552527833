/**
 * Shift+R with sound, through the real CLI under Xvfb: a chain that plays a click track through an
 * AudioOutput (the audio worker's null sink: no sound card here) is recorded live for ~3 s; the file
 * has an AAC stream as long as the picture, with the clicks in it half a second apart, as the track
 * has them.
 */
import { expect, test } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { clickTrack, encodeWav } from "../../../runtime/audio/wav.ts";
import { cleanup, events, tempProject, waitFor } from "../../helpers/live-run.ts";
import { FakeInput, KEYSYM, spawnOnDisplay, startXvfb } from "../window/xvfb.ts";

const CHAIN = `import { join } from "node:path";
import { AudioFile, AudioOutput, SolidColor } from "vivid";
export function setup(ctx) {
  const music = ctx.chain.add(AudioFile, "music");
  music.file = join(import.meta.dir, "clicks.wav");
  music.loop = true;
  ctx.chain.add(AudioOutput, "speakers").input("music");
  ctx.chain.add(SolidColor, "blue").resolution(64, 64).color = [0, 0, 1, 1];
  ctx.chain.output("blue");
}
`;

test("Shift+R with an AudioOutput: recording_1.mp4 has H.264 and AAC of one length, the clicks 0.5 s apart", async () => {
  const xvfb = await startXvfb(320, 240);
  cleanup.push(() => xvfb.stop());
  const project = tempProject("vivid-window-record-audio-", CHAIN);
  writeFileSync(join(project.dir, "clicks.wav"), encodeWav(clickTrack({ bpm: 120, seconds: 2, offset: 0.1 })));
  const run = spawnOnDisplay(xvfb.display, [project.dir, "--fullscreen", "--no-dashboard", "--stats", project.stats], { VIVID_AUDIO_DEVICE: "none" });
  const { child } = run;
  await waitFor("the first frames event", () => events(project.stats).find((e) => e.type === "frames"), 60_000);
  const fake = new FakeInput(xvfb.display);
  cleanup.push(() => fake.close());
  fake.moveTo(160, 120);
  const shiftR = () => fake.chord(KEYSYM.shiftL, KEYSYM.r);
  shiftR();
  const file = join(project.dir, "recording_1.mp4");
  await waitFor("the recording's file", () => (existsSync(file) ? true : undefined), 60_000);
  await Bun.sleep(3000);
  shiftR();
  await waitFor(() => `the recording's line (stdout: ${run.stdout().slice(-1000)})`, () => /recorded \d+ frames .* with [\d.]+ s of sound \(aac\) to/.exec(run.stdout()) ?? undefined, 60_000);
  child.kill("SIGTERM");
  expect(await child.exited).toBe(0);

  const probe = Bun.spawnSync(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,duration", "-of", "json", file]);
  const streams = JSON.parse(probe.stdout.toString()).streams as Array<{ codec_type: string; codec_name: string; duration: string }>;
  expect(streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(["video:h264", "audio:aac"]);
  const [video, sound] = streams as [(typeof streams)[0], (typeof streams)[0]];
  expect(Number(video.duration)).toBeGreaterThan(2);
  expect(Math.abs(Number(sound.duration) - Number(video.duration))).toBeLessThan(0.15);
  const decoded = Bun.spawnSync(["ffmpeg", "-v", "error", "-i", file, "-map", "0:a", "-f", "f32le", "-ac", "1", "-ar", "48000", "pipe:1"]);
  const samples = new Float32Array(new Uint8Array(decoded.stdout).buffer);
  const clicks: number[] = [];
  let lastLoud = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) <= 0.05) continue;
    if (i - lastLoud > 4800) clicks.push(i / 48000);
    lastLoud = i;
  }
  expect(clicks.length).toBeGreaterThanOrEqual(4);
  // The worker's clock, recorded whole: the gaps are the track's 0.5 s, to within a block (21 ms).
  for (let i = 1; i < clicks.length; i++) expect(Math.abs(clicks[i]! - clicks[i - 1]! - 0.5)).toBeLessThan(0.022);
}, 150_000);
