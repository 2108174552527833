/**
 * Decoding audio files with ffmpeg, run as a subprocess (off the frame thread: the frame loop only
 * awaits the result between frames): any format ffmpeg reads (WAV, MP3, FLAC, OGG, …) comes back as
 * 32-bit float PCM, stereo, 48 kHz, in a SharedArrayBuffer the output worker reads without a copy.
 *
 * Decoded files are shared by path, modification time and size, and counted: a reload that keeps the
 * file gets the same samples back without decoding again; the last holder's release frees them.
 */
import { statSync } from "node:fs";
import { CHANNELS, SAMPLE_RATE } from "./format.ts";

export interface DecodedAudio {
  path: string;
  /** Frames (one sample per channel each). */
  frames: number;
  /** Interleaved stereo float samples, on a SharedArrayBuffer. */
  samples: Float32Array;
}

/** A file that is missing or that ffmpeg cannot decode; the message names the path. */
export class AudioFileError extends Error {
  override name = "AudioFileError";
}

/** Decodes `path` with ffmpeg into stereo 48 kHz float samples. */
export async function decodeWithFfmpeg(path: string): Promise<DecodedAudio> {
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "f32le", "-acodec", "pcm_f32le", "-ac", String(CHANNELS), "-ar", String(SAMPLE_RATE), "-"], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch (err) {
    throw new AudioFileError(`cannot decode ${path}: ffmpeg could not be started (${err instanceof Error ? err.message : String(err)}); scripts/setup.sh installs it`);
  }
  const [bytes, errorText, code] = await Promise.all([
    new Response(proc.stdout as ReadableStream).arrayBuffer(),
    new Response(proc.stderr as ReadableStream).text(),
    proc.exited,
  ]);
  const frames = Math.floor(bytes.byteLength / (4 * CHANNELS));
  if (code !== 0 || frames === 0) {
    const reason = errorText.trim().split("\n").filter(Boolean).pop() ?? (frames === 0 ? "no audio in it" : `ffmpeg exited ${code}`);
    throw new AudioFileError(`cannot decode ${path}: ${reason.replace(`${path}: `, "")}`);
  }
  const shared = new SharedArrayBuffer(frames * CHANNELS * 4);
  const samples = new Float32Array(shared);
  samples.set(new Float32Array(bytes, 0, frames * CHANNELS));
  return { path, frames, samples };
}

interface CacheEntry {
  decoded: Promise<DecodedAudio>;
  holders: number;
}

const cache = new Map<string, CacheEntry>();
let decodes = 0;

/** How many files were decoded since the process started (tests: a reload that keeps the file decodes nothing). */
export function decodeCount(): number {
  return decodes;
}

/** Live decoded files (tests: back to 0 after teardown). */
export function decodedLive(): number {
  return cache.size;
}

/**
 * The decoded samples of `path`, shared with every other holder of the same file (same path,
 * modification time and size). Throws an AudioFileError naming the path when it is missing.
 * Each acquire is paired with one `releaseDecoded(key)`.
 */
export function acquireDecoded(path: string): { key: string; decoded: Promise<DecodedAudio> } {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new AudioFileError(`audio file not found: ${path}`);
  }
  if (!stat.isFile()) throw new AudioFileError(`not a file: ${path}`);
  const key = `${path}\0${stat.mtimeMs}\0${stat.size}`;
  let entry = cache.get(key);
  if (!entry) {
    decodes++;
    entry = { decoded: decodeWithFfmpeg(path), holders: 0 };
    // A failed decode is not kept: the next acquire (after the user fixed the file) tries again.
    entry.decoded.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    cache.set(key, entry);
  }
  entry.holders++;
  return { key, decoded: entry.decoded };
}

export function releaseDecoded(key: string): void {
  const entry = cache.get(key);
  if (!entry) return;
  if (--entry.holders <= 0) cache.delete(key);
}
