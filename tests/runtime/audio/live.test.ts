/**
 * The live clock (no --fixed-fps): no sound card here, so the audio worker plays to its null sink,
 * which must keep time. A reload keeps the sound going: the playhead continues, the device is not
 * reopened, the file is not decoded again; a reload naming a missing file fails with the path and
 * the running chain (and its sound) goes on.
 */
import { expect, test } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { AudioFile, Levels } from "../../../operators/index.ts";
import type { Engine } from "../../../runtime/engine.ts";
import { native, ownGpuAndFolder } from "../../helpers/native.ts";
import { sine, writeMono } from "../../operators/audio/signals.ts";

// The chain file imports "vivid" natively (tests/helpers/native.ts says why): the audio system and
// the decoder it uses are those same native modules.
const nativeRequire = createRequire(import.meta.url);
const { audio } = nativeRequire("../../../runtime/audio/system.ts") as typeof import("../../../runtime/audio/system.ts");
const { decodeCount, decodedLive } = nativeRequire("../../../runtime/audio/decode.ts") as typeof import("../../../runtime/audio/decode.ts");
const own = ownGpuAndFolder("vivid-audio-live-");

const chain = (file: string, volume: number) => `import { AudioFile, AudioOutput, Levels, SolidColor, type Context } from "vivid";
export function setup(ctx: Context) {
  const music = ctx.chain.add(AudioFile, "music");
  music.file = ${JSON.stringify(file)};
  music.loop = true;
  music.volume = ${volume};
  ctx.chain.add(AudioOutput, "out").input("music");
  ctx.chain.add(Levels, "levels").input("music").smoothing = 0;
  ctx.chain.add(SolidColor, "bg").resolution(4, 4);
  ctx.chain.output("bg");
}
`;

/** Frames for `ms` of wall time, each yielding to the event loop as the frame loop does. */
async function runFor(engine: Engine, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    engine.frame();
    await Bun.sleep(16);
  }
}

test("null sink keeps time; a param-only reload keeps the playhead, the device and the decoded file; a missing file keeps the last good chain", async () => {
  const dir = own.dir;
  const wav = writeMono(dir, "tone.wav", sine(220, 20, 0.5));
  const chainFile = join(dir, "chain.ts");
  writeFileSync(chainFile, chain(wav, 0.8));
  const said: string[] = [];
  audio.say = (line) => said.push(line);
  const engine = new native.engine.Engine(own.gpu, { projectDir: dir, chainFile, width: 64, height: 64 });
  const opensBefore = audio.deviceOpens;
  const loaded = await engine.load();
  if (!loaded.ok) throw new Error(loaded.error.message);
  expect(audio.deviceOpens).toBe(opensBefore + 1);
  // This machine (and CI's) has no sound card: one line says so.
  if (!existsSync("/dev/snd")) expect(said).toEqual(["vivid: audio: no sound card (no /dev/snd); playing to a null sink that keeps time"]);

  // The null sink's clock follows the wall clock (it is paced by it), and so does the playhead.
  const wallStart = performance.now();
  await runFor(engine, 800);
  const clock0 = audio.snapshot().clockSeconds;
  const music0 = engine.chain!.get<AudioFile>("music");
  const position0 = music0.position;
  const t0 = performance.now();
  if (!existsSync("/dev/snd")) expect(audio.snapshot().sink).toBe("null");
  expect(position0 / 48000).toBeGreaterThan(0.5);
  expect(Math.abs(clock0 - (t0 - wallStart) / 1000)).toBeLessThan(0.3);
  // What the analyser reads is what plays: a 0.5-amplitude sine at volume 0.8 has rms 0.4 · √½.
  expect(engine.chain!.get<Levels>("levels").rms).toBeCloseTo(0.4 * Math.SQRT1_2, 2);

  // A param-only save: same name, type and file.
  const decodes = decodeCount();
  writeFileSync(chainFile, chain(wav, 0.5));
  const { entry } = await engine.reload(chainFile);
  expect(entry.ok).toBe(true);
  const music1 = engine.chain!.get<AudioFile>("music");
  expect(music1).not.toBe(music0);
  engine.frame();
  const position1 = music1.position;
  const t1 = performance.now();
  // The playhead went on from where it was (by the time that passed), not from 0.
  expect(Math.abs((position1 - position0) / 48000 - (t1 - t0) / 1000)).toBeLessThan(0.1);
  expect(audio.deviceOpens).toBe(opensBefore + 1);
  expect(decodeCount()).toBe(decodes);
  await runFor(engine, 300);
  expect(engine.chain!.get<Levels>("levels").rms).toBeCloseTo(0.25 * Math.SQRT1_2, 2);

  // A save naming a file that does not exist: the reload fails with the path, the old chain plays on.
  const missing = join(dir, "gone.wav");
  writeFileSync(chainFile, chain(missing, 0.5));
  const failed = await engine.reload(chainFile);
  expect(failed.entry.ok).toBe(false);
  expect(failed.entry.error?.message).toContain(`audio file not found: ${missing}`);
  expect(failed.entry.error?.file).toBe(chainFile);
  expect(engine.chain!.get<AudioFile>("music")).toBe(music1);
  const before = music1.position;
  await runFor(engine, 300);
  expect(music1.position).toBeGreaterThan(before);
  expect(audio.deviceOpens).toBe(opensBefore + 1);

  await engine.dispose();
  expect(audio.live).toBe(0);
  expect(decodedLive()).toBe(0);
  audio.close();
  expect(audio.snapshot().sink).toBe("closed");
}, 60_000);
