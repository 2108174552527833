import { defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { float } from "../../runtime/chain/params.ts";
import { SAMPLE_RATE } from "../../runtime/audio/format.ts";
import { AudioAnalyser, audioInput } from "./source.ts";
import { Spectrum, smoothingFor } from "./spectrum.ts";

/** The six bands, in Hz, as the original's: [low, high). */
export const BANDS = {
  subBass: [20, 60],
  bass: [60, 250],
  lowMid: [250, 500],
  mid: [500, 2000],
  highMid: [2000, 4000],
  high: [4000, 20000],
} as const;
export type BandName = keyof typeof BANDS;
const BAND_NAMES = Object.keys(BANDS) as BandName[];
const FFT_SIZE = 2048;
/** A Hann window spreads a sine's power over 1.5 bins (its equivalent noise bandwidth). */
const HANN_POWER_BINS = 1.5;

/**
 * Six frequency bands of its audio input, each frame: `subBass` (20–60 Hz), `bass` (60–250),
 * `lowMid` (250–500), `mid` (500–2000), `highMid` (2000–4000), `high` (4000–20000); `value` is
 * `bass`, for bindings. One 2048-point FFT (fft.js, Hann window, 23.4 Hz a bin).
 *
 * A band's value is the amplitude of what is in it: the square root of the summed power of the bins
 * whose centre lies in [low, high), scaled so a full-scale sine inside one band reads 1.0 there.
 * The original took the mean magnitude of the bins from low to high with both edge bins included,
 * so a band's value fell with its width and a tone on an edge counted in both bands; with the
 * power sum a 60 Hz tone (between bin 2 at 46.9 Hz and bin 3 at 70.3 Hz) lands in `bass`.
 *
 * Params as the original's BandSplit (`smoothing` 0.9), smoothing per 1024-frame block applied as
 * s^(frames since the last frame / 1024).
 */
export class BandSplit extends AudioAnalyser {
  static override readonly description = "Six frequency bands of an audio input (subBass … high)";
  static override readonly params = {
    smoothing: float(0.9, 0, 0.999),
  };

  declare smoothing: number;

  subBass = 0;
  bass = 0;
  lowMid = 0;
  mid = 0;
  highMid = 0;
  high = 0;
  private readonly spectrum = new Spectrum(FFT_SIZE);
  /** Bin ranges [first, last) per band. */
  private readonly ranges = BAND_NAMES.map((name) => {
    const [low, high] = BANDS[name];
    const first = Math.ceil((low * FFT_SIZE) / SAMPLE_RATE);
    const last = Math.min(FFT_SIZE / 2, Math.ceil((high * FFT_SIZE) / SAMPLE_RATE));
    return [first, last] as const;
  });
  private lastPosition?: number;

  cook(_ctx: CookContext): void {
    const source = audioInput(this);
    const end = source.position;
    const hop = this.lastPosition === undefined ? 1024 : Math.abs(end - this.lastPosition);
    this.lastPosition = end;
    const magnitudes = this.spectrum.analyse(source, end);
    const s = smoothingFor(this.smoothing, hop);
    for (let b = 0; b < BAND_NAMES.length; b++) {
      const [first, last] = this.ranges[b]!;
      let power = 0;
      for (let k = first; k < last; k++) power += magnitudes[k]! * magnitudes[k]!;
      const name = BAND_NAMES[b]!;
      this[name] = this[name] * s + Math.sqrt(power / HANN_POWER_BINS) * (1 - s);
    }
    this.value = this.bass;
  }

  /** The band called `name`. */
  band(name: BandName): number {
    return this[name];
  }

  override adopt(previous: this): void {
    for (const name of BAND_NAMES) this[name] = previous[name];
    this.lastPosition = previous.lastPosition;
    this.value = previous.value;
  }
}
defineOperator(BandSplit);
