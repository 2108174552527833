/**
 * The audio analysers on synthetic signals with known answers: real WAV files decoded by ffmpeg,
 * analysed at a fixed frame rate (the deterministic clock: file read at frame / fps seconds).
 */
import { afterAll, describe, expect, test } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AudioFile, AudioIn, AudioOutput, BandSplit, BeatDetect, FFT, Levels, SolidColor } from "../../../operators/index.ts";
import type { Context } from "../../../runtime/chain/context.ts";
import { decodedLive } from "../../../runtime/audio/decode.ts";
import { audio } from "../../../runtime/audio/system.ts";
import { GPU_KINDS, PER_FRAME_KINDS, createdSince } from "../../../runtime/gpu/census.ts";
import { engineFor, sharedGpu } from "../../helpers/render.ts";
import { expectParamTable } from "../param-table.ts";
import { RATE, clicks, sine, tempDir, whiteNoise, writeMono } from "./signals.ts";

const dir = tempDir();

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
  expect(decodedLive()).toBe(0);
  expect(audio.live).toBe(0);
});

/** A chain: AudioFile "a" playing `file`, the given analysers on it, `output` to the screen (a SolidColor if none). */
async function analyse(file: string, add: (ctx: Context) => void, fps = 30, output?: string) {
  return engineFor((ctx) => {
    const a = ctx.chain.add(AudioFile, "a");
    a.file = file;
    add(ctx);
    if (!output) ctx.chain.add(SolidColor, "screen").resolution(4, 4);
    ctx.chain.output(output ?? "screen");
  }, { fixedFps: fps });
}

describe("params match the original's tables", () => {
  test("analysers and sources", () => {
    expectParamTable(FFT, [["size", "int", 1024, 256, 8192], ["smoothing", "float", 0.8, 0, 0.999]]);
    expectParamTable(BandSplit, [["smoothing", "float", 0.9, 0, 0.999]]);
    expectParamTable(BeatDetect, [["sensitivity", "float", 1.5, 0.5, 3], ["decay", "float", 0.95, 0.8, 0.999], ["holdTime", "float", 100, 0, 500]]);
    expectParamTable(Levels, [["smoothing", "float", 0.9, 0, 0.999]]);
    expectParamTable(AudioFile, [["file", "path", ""], ["volume", "float", 1, 0, 1], ["loop", "bool", false]]);
    expectParamTable(AudioIn, [["device", "path", ""], ["volume", "float", 1, 0, 2], ["mute", "bool", false]]);
    expectParamTable(AudioOutput, [["volume", "float", 1, 0, 2]]);
  });
});

describe("FFT", () => {
  const file = writeMono(dir, "sine440.wav", sine(440, 3));
  for (const size of [256, 1024, 2048, 8192]) {
    test(`a full-scale 440 Hz sine peaks in the bin holding 440 Hz (size ${size})`, async () => {
      const engine = await analyse(file, (ctx) => {
        const fft = ctx.chain.add(FFT, "fft").input("a");
        fft.size = size;
        fft.smoothing = 0;
      });
      for (let i = 0; i < 30; i++) engine.frame(); // 1 s in: the window is full of sine
      const fft = engine.chain!.get("fft", FFT);
      expect(fft.bins.length).toBe(size / 2);
      let peak = 0;
      for (let k = 1; k < fft.bins.length; k++) if (fft.bins[k]! > fft.bins[peak]!) peak = k;
      const binHz = RATE / size;
      // The bin whose centre is nearest 440 Hz (written out: 440 / bin width, rounded).
      expect(peak).toBe(Math.round(440 / binHz));
      expect(Math.abs(fft.binFrequency(peak) - 440)).toBeLessThanOrEqual(binHz / 2);
      // Full scale reads 1.0 at its bin, less the Hann window's scalloping (≤ 1.42 dB off-centre).
      expect(fft.bins[peak]!).toBeGreaterThan(0.84);
      expect(fft.bins[peak]!).toBeLessThan(1.01);
      expect(fft.band(400, 480)).toBeGreaterThan(20 * fft.band(2000, 4000));
      await engine.dispose();
    });
  }

  test("the spectrum is a 1-D texture: texel k holds bin k; made once, rewritten per frame with no GPU object", async () => {
    const gpu = await sharedGpu();
    const long = writeMono(dir, "sine440-long.wav", sine(440, 6)); // 105 frames at 30 fps: 3.5 s in
    const engine = await analyse(long, (ctx) => {
      const fft = ctx.chain.add(FFT, "fft").input("a");
      fft.size = 1024;
      fft.smoothing = 0;
    }, 30, "fft");
    for (let i = 0; i < 5; i++) engine.frame();
    const before = gpu.census.snapshot();
    for (let i = 0; i < 100; i++) engine.frame();
    const created = createdSince(before, gpu.census.snapshot());
    for (const kind of GPU_KINDS) if (!PER_FRAME_KINDS.has(kind)) expect({ kind, created: created[kind] }).toEqual({ kind, created: 0 });
    // All the FFT holds: one texture of 512 × 1 RGBA16F texels (8 bytes each) and its one view.
    expect(gpu.census.snapshot().owners["fft"]).toEqual({ live: 2, bytes: 512 * 8 });
    const { width, height, pixels } = await engine.readOutput();
    expect([width, height]).toEqual([512, 1]);
    const fft = engine.chain!.get("fft", FFT);
    const peak = Math.round(440 / (RATE / 1024));
    // Half-float precision: 2^-11 relative.
    expect(fft.bins[peak]!).toBeGreaterThan(0.84);
    expect(pixels[peak * 4]!).toBeCloseTo(fft.bins[peak]!, 2);
    expect(pixels[peak * 4 + 3]!).toBe(1);
    let texelPeak = 0;
    for (let k = 0; k < width; k++) if (pixels[k * 4]! > pixels[texelPeak * 4]!) texelPeak = k;
    expect(texelPeak).toBe(peak);
    await engine.dispose();
  });

  test("white noise gives a flat spectrum: every 1/16 of 100 Hz..20 kHz within ±12 % of the whole, at the level its variance predicts", async () => {
    const amplitude = 0.5;
    const file = writeMono(dir, "noise.wav", whiteNoise(12, amplitude));
    const size = 2048;
    const engine = await analyse(file, (ctx) => {
      const fft = ctx.chain.add(FFT, "fft").input("a");
      fft.size = size;
      fft.smoothing = 0.95;
    });
    for (let i = 0; i < 300; i++) engine.frame(); // 10 s: the smoothing averages ~ 100 spectra
    const bins = engine.chain!.get("fft", FFT).bins;
    const lo = Math.ceil(100 / (RATE / size));
    const hi = Math.floor(20000 / (RATE / size));
    let total = 0;
    for (let k = lo; k < hi; k++) total += bins[k]!;
    const mean = total / (hi - lo);
    const groups = 16;
    const width = Math.floor((hi - lo) / groups);
    for (let g = 0; g < groups; g++) {
      let sum = 0;
      for (let k = lo + g * width; k < lo + (g + 1) * width; k++) sum += bins[k]!;
      expect(Math.abs(sum / width / mean - 1)).toBeLessThan(0.12);
    }
    // Uniform noise has σ² = A²/3. With the Hann window (Σw = N/2, Σw² = 3N/8) and the 2/Σw scale,
    // E|X|² = 6σ²/N per bin, and a Rayleigh magnitude's mean is √(π/4 · E|X|²).
    const expected = Math.sqrt((Math.PI / 4) * ((6 * amplitude * amplitude) / 3 / size));
    expect(mean / expected).toBeGreaterThan(0.9);
    expect(mean / expected).toBeLessThan(1.1);
    await engine.dispose();
  });
});

describe("BandSplit", () => {
  const loudest = (bands: BandSplit) => (["subBass", "bass", "lowMid", "mid", "highMid", "high"] as const).reduce((a, b) => (bands[b] > bands[a] ? b : a));
  const cases: Array<[number, string]> = [
    [60, "bass"],
    [8000, "high"],
    [35, "subBass"],
    [120, "bass"],
    [350, "lowMid"],
    [1000, "mid"],
    [3000, "highMid"],
  ];
  for (const [hz, band] of cases) {
    test(`a ${hz} Hz sine lands in ${band}`, async () => {
      const file = writeMono(dir, `sine${hz}.wav`, sine(hz, 2));
      const engine = await analyse(file, (ctx) => {
        ctx.chain.add(BandSplit, "bands").input("a").smoothing = 0;
      });
      for (let i = 0; i < 30; i++) engine.frame();
      const bands = engine.chain!.get("bands", BandSplit);
      expect(loudest(bands)).toBe(band);
      // A full-scale sine well inside one band reads ~1 there (amplitude of what is in the band).
      if (hz !== 60) expect(bands[band as "bass"]).toBeGreaterThan(0.9);
      if (hz !== 60) expect(bands[band as "bass"]).toBeLessThan(1.1);
      await engine.dispose();
    });
  }
});

describe("Levels", () => {
  test("a full-scale sine is −3.01 dBFS rms and 0 dBFS peak; half scale −9.03", async () => {
    for (const [amplitude, rmsDb] of [
      [1, 20 * Math.log10(Math.SQRT1_2)],
      [0.5, 20 * Math.log10(0.5 * Math.SQRT1_2)],
    ] as const) {
      const file = writeMono(dir, `level${amplitude}.wav`, sine(1000, 3, amplitude));
      const engine = await analyse(file, (ctx) => {
        ctx.chain.add(Levels, "levels").input("a");
      });
      for (let i = 0; i < 60; i++) engine.frame(); // default smoothing 0.9: settled after 2 s
      const levels = engine.chain!.get("levels", Levels);
      expect(levels.rmsDb).toBeCloseTo(rmsDb, 1);
      expect(levels.peakDb).toBeCloseTo(20 * Math.log10(amplitude), 1);
      expect(levels.rmsLeft).toBeCloseTo(amplitude * Math.SQRT1_2, 2);
      expect(levels.value).toBe(levels.rms);
      await engine.dispose();
    }
  });
});

describe("BeatDetect", () => {
  for (const [bpm, fps] of [
    [120, 30],
    [93, 30],
    [93, 60],
  ] as const) {
    test(`a ${bpm} BPM click track at ${fps} fps: one beat per click (±1 frame), bpm within ±2`, async () => {
      const seconds = 12;
      const track = clicks(bpm, seconds);
      const file = writeMono(dir, `clicks${bpm}.wav`, track.samples);
      const onBeat: number[] = [];
      const engine = await analyse(file, (ctx) => {
        ctx.chain.add(BeatDetect, "beat").input("a").onBeat(() => onBeat.push(ctx.frame));
      }, fps);
      const beatFrames: number[] = [];
      const frames = Math.floor(seconds * fps) - 1;
      for (let i = 0; i < frames; i++) {
        engine.frame();
        if (engine.chain!.get("beat", BeatDetect).beat) beatFrames.push(engine.ctx.frame - 1);
      }
      // Frame n reads the file up to n / fps s: a click at t is first heard in frame ⌈t · fps⌉.
      const expected = track.times.map((t) => Math.ceil(t * fps));
      expect(beatFrames.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) expect(Math.abs(beatFrames[i]! - expected[i]!)).toBeLessThanOrEqual(1);
      expect(onBeat).toEqual(beatFrames);
      const beat = engine.chain!.get("beat", BeatDetect);
      expect(beat.count).toBe(expected.length);
      expect(Math.abs(beat.bpm - bpm)).toBeLessThanOrEqual(2);
      await engine.dispose();
    });
  }
});

test("BeatDetect across a looping file: the loop's jump back neither stops nor doubles the beats", async () => {
  const track = clicks(120, 2); // clicks at 0.25, 0.75, 1.25, 1.75 s; the file is 2 s: it loops on the beat
  const file = writeMono(dir, "loop120.wav", track.samples);
  const engine = await engineFor((ctx) => {
    const a = ctx.chain.add(AudioFile, "a");
    a.file = file;
    a.loop = true;
    ctx.chain.add(BeatDetect, "beat").input("a");
    ctx.chain.add(SolidColor, "screen").resolution(4, 4);
    ctx.chain.output("screen");
  }, { fixedFps: 30 });
  for (let i = 0; i < 300; i++) engine.frame(); // frames 0..299: up to 9.967 s, five passes of the file
  const beat = engine.chain!.get("beat", BeatDetect);
  // Clicks at 0.25 + 0.5 k s up to 9.967 s, less the one a frame may not have reached yet.
  const clicksPlayed = Math.floor((299 / 30 - 0.25) / 0.5) + 1;
  expect(Math.abs(beat.count - clicksPlayed)).toBeLessThanOrEqual(1);
  expect(Math.abs(beat.bpm - 120)).toBeLessThanOrEqual(2);
  await engine.dispose();
});

describe("errors", () => {
  test("a missing file or one ffmpeg cannot decode fails the build with the path in the message", async () => {
    const missing = join(dir, "nope.wav");
    await expect(analyse(missing, () => {})).rejects.toThrow(`audio file not found: ${missing}`);
    const corrupt = join(dir, "corrupt.wav");
    writeFileSync(corrupt, new Uint8Array(4096).map((_, i) => (i * 7919) & 255));
    await expect(analyse(corrupt, () => {})).rejects.toThrow(new RegExp(`AudioFile "a": cannot decode ${corrupt.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
    expect(decodedLive()).toBe(0);
  });

  test("an analyser without an audio input names the call to make", async () => {
    await expect(
      engineFor((ctx) => {
        ctx.chain.add(SolidColor, "c").resolution(4, 4);
        ctx.chain.add(Levels, "levels").input("c");
        ctx.chain.output("c");
      }),
    ).rejects.toThrow(`Levels "levels": input "c" is a SolidColor (texture), not sound: connect an AudioFile or AudioIn`);
  });
});
