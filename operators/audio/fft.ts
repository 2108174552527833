import { TextureOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { float, int } from "../../runtime/chain/params.ts";
import { SAMPLE_RATE } from "../../runtime/audio/format.ts";
import { OUTPUT_FORMAT, type TextureHandle } from "../../runtime/gpu/gpu.ts";
import { audioInput } from "./source.ts";
import { Spectrum, powerOfTwoSize, smoothingFor } from "./spectrum.ts";

const SPECTRUM_USAGE = 0x04 /* TEXTURE_BINDING */ | 0x02 /* COPY_DST */ | 0x01 /* COPY_SRC */;

/**
 * The spectrum of its audio input (fft.js, Hann window), each frame: `bins` (size / 2 magnitudes,
 * a Float32Array; bin k is k · 48000 / size Hz; a full-scale sine reads 1.0 at its bin), `bin(i)`,
 * `binFrequency(i)`, `band(loHz, hiHz)` (the mean of the bins from loHz to hiHz, as the original's).
 *
 * It is also a texture, like Hydra's `a.fft`: size / 2 × 1 texels, bin k at x = k, its magnitude in
 * r, g and b (alpha 1), so any operator takes it as a texture input (`displace.input("fft", 1)`).
 * The texture is made once per size through runtime/gpu and counted; each frame rewrites it with
 * `queue.writeTexture` (no GPU object per frame).
 *
 * Params as the original's FFT (`smoothing` 0.8). `size` is a param here (the original's setSize,
 * which rounded to 256..4096): 256..8192, rounded down to a power of two. Smoothing as the
 * original's per 1024-frame block, applied as s^(frames since the last frame / 1024).
 */
export class FFT extends TextureOperator {
  static override readonly description = "Spectrum of an audio input: bins, bands, and a 1-D texture";
  static override readonly params = {
    size: int(1024, 256, 8192),
    smoothing: float(0.8, 0, 0.999),
  };

  declare size: number;
  declare smoothing: number;

  private spectrum?: Spectrum;
  /** The smoothed magnitudes: what `bins` is. */
  private smoothed = new Float32Array(0);
  /** Half floats for the texture (4 per bin), reused. */
  private texels = new Uint16Array(0);
  private lastPosition?: number;

  override get outputSize(): [number, number] {
    return [powerOfTwoSize(this.size) / 2, 1];
  }

  /** size / 2 smoothed magnitudes. */
  get bins(): Float32Array {
    return this.smoothed;
  }

  get binCount(): number {
    return this.smoothed.length;
  }

  bin(index: number): number {
    return this.smoothed[index] ?? 0;
  }

  binFrequency(index: number): number {
    return (index * SAMPLE_RATE) / (this.smoothed.length * 2);
  }

  /** The mean magnitude of the bins from loHz to hiHz (both rounded to a bin, included). */
  band(loHz: number, hiHz: number): number {
    const spectrum = this.spectrum;
    if (!spectrum) return 0;
    let lo = spectrum.binOf(loHz);
    let hi = spectrum.binOf(hiHz);
    if (lo > hi) [lo, hi] = [hi, lo];
    let sum = 0;
    for (let k = lo; k <= hi; k++) sum += this.smoothed[k]!;
    return sum / (hi - lo + 1);
  }

  init(): void {
    audioInput(this);
    this.ensureSize();
  }

  override isTimeDependent(): boolean {
    return true;
  }

  /** Allocates the spectrum, arrays and texture for the current size (only when it changed). */
  private ensureSize(): TextureHandle {
    const size = powerOfTwoSize(this.size);
    if (this.spectrum?.size !== size) {
      this.spectrum = new Spectrum(size);
      const previous = this.smoothed;
      this.smoothed = new Float32Array(size / 2);
      if (previous.length === this.smoothed.length) this.smoothed.set(previous);
      this.texels = new Uint16Array((size / 2) * 4);
    }
    if (this.output && this.output.width !== size / 2) {
      this.scope.drop(this.output);
      this.output = undefined;
    }
    this.output ??= this.scope.texture({ width: size / 2, height: 1, format: OUTPUT_FORMAT, usage: SPECTRUM_USAGE, slot: "spectrum" });
    return this.output;
  }

  cook(ctx: CookContext): void {
    const texture = this.ensureSize();
    const source = audioInput(this);
    const end = source.position;
    const hop = this.lastPosition === undefined ? 1024 : Math.abs(end - this.lastPosition);
    this.lastPosition = end;
    const magnitudes = this.spectrum!.analyse(source, end);
    const s = smoothingFor(this.smoothing, hop);
    const smoothed = this.smoothed;
    const texels = this.texels;
    for (let k = 0; k < smoothed.length; k++) {
      const value = smoothed[k]! * s + magnitudes[k]! * (1 - s);
      smoothed[k] = value;
      const half = toHalf(value);
      texels[k * 4] = half;
      texels[k * 4 + 1] = half;
      texels[k * 4 + 2] = half;
      texels[k * 4 + 3] = HALF_ONE;
    }
    ctx.gpu.queue.writeTexture({ texture: texture.texture }, texels, { bytesPerRow: smoothed.length * 8, rowsPerImage: 1 }, [smoothed.length, 1]);
    this.wrote(texture);
  }

  override adopt(previous: this): void {
    if (previous.smoothed.length === this.smoothed.length) this.smoothed.set(previous.smoothed);
    this.lastPosition = previous.lastPosition;
  }
}
defineOperator(FFT);

const HALF_ONE = 0x3c00;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** A float as IEEE half bits (round to nearest; below 2^-14 flushed to 0, above 65504 to infinity). */
export function toHalf(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  if (exponent <= 0) return sign;
  if (exponent >= 31) return sign | 0x7c00;
  const half = (exponent << 10) + Math.round((bits & 0x7fffff) / 8192);
  return sign | Math.min(half, 0x7c00);
}
