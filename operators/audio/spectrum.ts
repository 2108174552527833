import FFTJS from "fft.js";
import { SAMPLE_RATE } from "../../runtime/audio/format.ts";
import type { AudioSource } from "./source.ts";

/**
 * A Hann-windowed magnitude spectrum of the newest `size` frames of a source, with fft.js's real
 * transform. Everything is allocated once per size; `analyse` allocates nothing.
 *
 * Scale: magnitudes are multiplied by 2 / Σwindow, so a full-scale sine reads 1.0 at its bin (the
 * original's 2 / size read 0.5 with its Hann window).
 */
export class Spectrum {
  readonly size: number;
  /** size / 2 magnitudes; bin k is k · 48000 / size Hz. */
  readonly magnitudes: Float32Array;
  private readonly fft: FFTJS;
  private readonly window: Float32Array;
  private readonly input: Float32Array;
  private readonly frame: Float64Array;
  private readonly output: Float64Array;
  private readonly scale: number;

  constructor(size: number) {
    this.size = size;
    this.fft = new FFTJS(size);
    this.window = new Float32Array(size);
    let sum = 0;
    for (let i = 0; i < size; i++) {
      this.window[i] = 0.5 * (1 - Math.cos((2 * Math.PI * i) / (size - 1)));
      sum += this.window[i]!;
    }
    this.scale = 2 / sum;
    this.input = new Float32Array(size);
    this.frame = new Float64Array(size);
    this.output = new Float64Array(size * 2);
    this.magnitudes = new Float32Array(size / 2);
  }

  /** Bin of `hz`, rounded, clamped to the spectrum. */
  binOf(hz: number): number {
    return Math.max(0, Math.min(this.size / 2 - 1, Math.round((hz * this.size) / SAMPLE_RATE)));
  }

  /** The spectrum of frames [end − size, end) of `source` (mono). */
  analyse(source: AudioSource, end: number): Float32Array {
    const { input, frame, window, output, magnitudes, size } = this;
    source.read(input, end - size, size, "mono");
    for (let i = 0; i < size; i++) frame[i] = input[i]! * window[i]!;
    this.fft.realTransform(output, frame);
    for (let k = 0; k < size / 2; k++) {
      const re = output[k * 2]!;
      const im = output[k * 2 + 1]!;
      magnitudes[k] = Math.sqrt(re * re + im * im) * this.scale;
    }
    return magnitudes;
  }
}

/** The closest power of two to `n` at or below it, within 256..8192. */
export function powerOfTwoSize(n: number): number {
  return Math.max(256, Math.min(8192, 2 ** Math.floor(Math.log2(Math.max(1, n)))));
}

/** Smoothing per analysis as the original's (per 1024-frame block), for a hop of `frames`: s^(frames / 1024). */
export function smoothingFor(smoothing: number, frames: number): number {
  return smoothing <= 0 ? 0 : Math.pow(smoothing, frames / 1024);
}
