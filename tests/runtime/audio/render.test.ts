/**
 * The audio-reactive example rendered by `bun vivid` itself (runtime/cli.ts in a child process) with
 * --fixed-fps: the file is read at frame / 30 s with no device, so renders repeat byte for byte; the
 * stats stream carries the chain's ctx.debug values (bpm, beats) and the audio event.
 */
import { expect, test } from "vitest";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readPng } from "../../../runtime/snapshot.ts";
import { events, tempProject, type Json } from "../../helpers/live-run.ts";
import { REPO } from "../../helpers/render.ts";

const EXAMPLE = join(REPO, "examples/audio-reactive/chain.ts");

async function vivid(dir: string, args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(["nice", "-n", "19", "bun", join(REPO, "runtime/cli.ts"), dir, "--headless", "--fixed-fps", "30", ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err };
}

function project(prefix: string) {
  const p = tempProject(prefix, "");
  copyFileSync(EXAMPLE, p.file);
  return p;
}

/** The example's track: clicks at 0.3 + 0.6 k s (100 BPM from 0.3 s), as its header says. */
const clicksBefore = (seconds: number) => Math.max(0, Math.floor((seconds - 0.3) / 0.6) + 1);

test("300 frames at 30 fps of the generated 100 BPM track: the stats stream shows bpm 100 ± 3 and one beat per click", async () => {
  const p = project("vivid-audio-stats-");
  const run = await vivid(p.dir, ["--frames", "300", "--size", "64x36", "--stats", p.stats]);
  expect(run.code, run.out).toBe(0);
  const records = events(p.stats);
  const debug = (name: string) => records.filter((r) => r.type === "debug" && r.name === name);
  const bpm = debug("bpm");
  expect(bpm.length).toBeGreaterThan(0);
  expect(Math.abs((bpm.at(-1)!.value as number) - 100)).toBeLessThanOrEqual(3);
  // Each report: the beats counted so far against the clicks the file has played by then.
  const beats = debug("beats");
  const played = debug("music s");
  expect(beats.length).toBe(played.length);
  for (let i = 0; i < beats.length; i++) {
    expect(beats[i]!.t).toBe(played[i]!.t);
    expect(Math.abs((beats[i]!.value as number) - clicksBefore(played[i]!.value as number))).toBeLessThanOrEqual(1);
  }
  // update() runs before the frame's cook: it reads the analysers as the frame before left them,
  // so the last report (frame 299) says 298 / 30 s.
  expect(played.at(-1)!.value).toBeCloseTo(298 / 30, 6);
  expect(beats.at(-1)!.value).toBe(clicksBefore(298 / 30));
  const audioEvents = records.filter((r): r is Json & { sink: string; opens: number } => r.type === "audio");
  expect(audioEvents.length).toBeGreaterThan(0);
  expect(audioEvents.at(-1)!.sink).toBe("fixed");
  expect(audioEvents.at(-1)!.opens).toBe(0);
}, 180_000);

test("--fixed-fps renders repeat byte for byte; a frame on a beat differs from one between beats", async () => {
  const p = project("vivid-audio-snap-");
  const shot = async (name: string, frame: number) => {
    const path = join(p.dir, name);
    const run = await vivid(p.dir, ["--size", "128x72", "--snapshot", path, "--snapshot-frame", String(frame)]);
    expect(run.code, run.out).toBe(0);
    return readFileSync(path);
  };
  const first = await shot("a.png", 90);
  const second = await shot("b.png", 90);
  expect(Buffer.compare(first, second)).toBe(0);
  // Frame 90 is 3.0 s: 0.3 s after the click at 2.7 s. Frame 101 is 33 ms after the click at 3.3 s.
  const between = readPng(first);
  const onBeat = readPng(await shot("c.png", 101));
  // The disc's red follows the level (0.25 + 2 · rms in the example): on the beat the middle is red-white,
  // between beats blue.
  const middleRed = (image: { width: number; height: number; data: Uint8Array }) => {
    let sum = 0;
    for (let y = image.height / 2 - 4; y < image.height / 2 + 4; y++) {
      for (let x = image.width / 2 - 4; x < image.width / 2 + 4; x++) sum += image.data[(y * image.width + x) * 4]!;
    }
    return sum / 64;
  };
  expect(middleRed(between)).toBeLessThan(120);
  expect(middleRed(onBeat)).toBeGreaterThan(middleRed(between) + 80);
}, 180_000);
