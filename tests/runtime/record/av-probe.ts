/**
 * Reading a recording back as the tests judge it, through the real ffprobe and ffmpeg: its streams,
 * its sound decoded, each frame's brightness, and where clicks and flashes begin.
 */
import { expect } from "vitest";

/** The rate sounds are decoded at. */
export const RATE = 48000;

export interface Stream {
  codec_type: string;
  codec_name: string;
  start_time: string;
  duration: string;
}

export function streams(path: string): Stream[] {
  const out = Bun.spawnSync(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,start_time,duration", "-of", "json", path]);
  expect(out.exitCode, out.stderr.toString()).toBe(0);
  return JSON.parse(out.stdout.toString()).streams;
}

/** The file's sound decoded by ffmpeg: mono (both channels averaged), 48 kHz float. */
export function decodeSound(path: string): Float32Array {
  const out = Bun.spawnSync(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a", "-f", "f32le", "-ac", "1", "-ar", String(RATE), "pipe:1"]);
  expect(out.exitCode, out.stderr.toString()).toBe(0);
  return new Float32Array(new Uint8Array(out.stdout).buffer);
}

/** Each video frame's brightness (0..255), the picture scaled to one grey pixel. */
export function frameBrightness(path: string): Uint8Array {
  const out = Bun.spawnSync(["ffmpeg", "-v", "error", "-i", path, "-map", "0:v", "-vf", "scale=1:1", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"]);
  expect(out.exitCode, out.stderr.toString()).toBe(0);
  return new Uint8Array(out.stdout);
}

/** Times (s) where the sound rises past 0.05 after at least 0.1 s below it: the clicks' onsets. */
export function onsets(samples: Float32Array): number[] {
  const found: number[] = [];
  let lastLoud = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) <= 0.05) continue;
    if (i - lastLoud > 0.1 * RATE) found.push(i / RATE);
    lastLoud = i;
  }
  return found;
}

/** Times (s) of flashes at `fps`: a bright frame (> 128) after a dark one. */
export function flashOnsets(frames: Uint8Array, fps: number): number[] {
  const flashes: number[] = [];
  for (let i = 1; i < frames.length; i++) if (frames[i]! > 128 && frames[i - 1]! <= 128) flashes.push(i / fps);
  return flashes;
}
