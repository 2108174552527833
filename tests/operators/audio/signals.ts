/**
 * Synthetic signals with known answers for the audio tests, written as real WAV files (32-bit
 * float) that ffmpeg then decodes, as a user's files are.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeWav } from "../../../runtime/audio/wav.ts";

export const RATE = 48000;

export function tempDir(prefix = "vivid-audio-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `samples` as both channels of a WAV in `dir`; returns its path. */
export function writeMono(dir: string, name: string, samples: Float32Array): string {
  const path = join(dir, name);
  writeFileSync(path, encodeWav([samples, samples]));
  return path;
}

export function sine(hz: number, seconds: number, amplitude = 1): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / RATE);
  return out;
}

/** Uniform white noise in [−amplitude, amplitude] from a fixed-seed generator (mulberry32). */
export function whiteNoise(seconds: number, amplitude = 0.5, seed = 1): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  let state = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = (u * 2 - 1) * amplitude;
  }
  return out;
}

/** 10 ms clicks (a decaying 2 kHz burst) at `bpm` from `offset` s: the samples and the click times. */
export function clicks(bpm: number, seconds: number, offset = 0.25): { samples: Float32Array; times: number[] } {
  const samples = new Float32Array(Math.round(seconds * RATE));
  const times: number[] = [];
  for (let k = 0; ; k++) {
    const time = offset + (k * 60) / bpm;
    if (time >= seconds - 0.02) break;
    times.push(time);
    const start = Math.round(time * RATE);
    for (let i = 0; i < 0.01 * RATE; i++) samples[start + i] = 0.8 * Math.sin((2 * Math.PI * 2000 * i) / RATE) * Math.exp(-i / (0.003 * RATE));
  }
  return { samples, times };
}
