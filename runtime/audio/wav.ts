/**
 * Writing sound, not reading it (decoding is ffmpeg's, decode.ts): a 32-bit float WAV encoder and
 * the click track the audio-reactive example and the tests generate, so they ship no audio file.
 */
import { SAMPLE_RATE } from "./format.ts";

/** A WAV file (IEEE float, format 3) of the given channels, which must have one length. */
export function encodeWav(channels: Float32Array[], sampleRate = SAMPLE_RATE): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const count = channels.length;
  const dataBytes = frames * count * 4;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const text = (offset: number, s: string) => {
    for (let i = 0; i < s.length; i++) bytes[offset + i] = s.charCodeAt(i);
  };
  text(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 3, true); // IEEE float
  view.setUint16(22, count, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * count * 4, true); // bytes per second
  view.setUint16(32, count * 4, true); // block align
  view.setUint16(34, 32, true); // bits per sample
  text(36, "data");
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < count; c++) view.setFloat32(44 + (i * count + c) * 4, channels[c]![i]!, true);
  }
  return bytes;
}

export interface ClickTrackOptions {
  bpm: number;
  /** Length in seconds. */
  seconds: number;
  /** Time of the first click, in seconds (default 0.3: the analysers have some silence to measure first). */
  offset?: number;
  /** Each click as a short thump: a decaying 80 Hz sine under a 2 kHz tick (default true); false: the tick only. */
  thump?: boolean;
}

/** The click times of a track, in seconds. */
export function clickTimes({ bpm, seconds, offset = 0.3 }: ClickTrackOptions): number[] {
  const times: number[] = [];
  for (let t = offset; t < seconds; t += 60 / bpm) times.push(t);
  return times;
}

/** A mono click track (as two equal channels): one click per beat at `bpm`, silence between. */
export function clickTrack(options: ClickTrackOptions): Float32Array[] {
  const frames = Math.round(options.seconds * SAMPLE_RATE);
  const samples = new Float32Array(frames);
  const thump = options.thump ?? true;
  for (const time of clickTimes(options)) {
    const start = Math.round(time * SAMPLE_RATE);
    const length = Math.round((thump ? 0.12 : 0.01) * SAMPLE_RATE);
    for (let i = 0; i < length && start + i < frames; i++) {
      const t = i / SAMPLE_RATE;
      const tick = Math.sin(2 * Math.PI * 2000 * t) * Math.exp(-t / 0.003);
      const low = thump ? Math.sin(2 * Math.PI * 80 * t) * Math.exp(-t / 0.04) : 0;
      samples[start + i] = 0.5 * tick + 0.6 * low;
    }
  }
  return [samples, samples.slice()];
}
