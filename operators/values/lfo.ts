import { ValueOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { choice, float } from "../../runtime/chain/params.ts";

export const LFO_WAVEFORMS = ["sine", "triangle", "saw", "square", "noise"] as const;
export type LfoWaveform = (typeof LFO_WAVEFORMS)[number];

/**
 * Low-frequency oscillator: a number that moves with time, for driving params through bindings
 * (`noise.bind("scale", () => lfo.value, 2, 15)`). Params and ranges as the original's LFO; its
 * `.waveform(LFOWaveform::…)` method is the `waveform` param here.
 *
 * value = wave(cycles + phase) × amplitude + offset, where every wave runs 0..1 as in the original
 * (sine 0.5 + 0.5·sin 2πt, triangle |2·fract(t) − 1|, saw fract(t), square fract(t) < pulseWidth,
 * noise a held random value per cycle).
 *
 * Deviations: the original computed `time × frequency`, so changing `frequency` made the wave jump;
 * here `cycles` accumulates `Δtime × frequency` (it equals time × frequency while the frequency is
 * constant) and is handed over on reload, so a frequency edit or a reload never jumps. Its noise used
 * `fract(floor(t) × 12.9898)`, which walks in even steps; here it is an integer hash of the cycle
 * number. It does not render a texture (the original also drew a grey image): it holds no GPU objects.
 */
export class LFO extends ValueOperator {
  static override readonly description = "Low-frequency oscillator (sine, triangle, saw, square, noise) as a number";
  static override readonly params = {
    frequency: float(1, 0.01, 20),
    amplitude: float(1, 0, 2),
    offset: float(0, -1, 1),
    phase: float(0, 0, 1),
    pulseWidth: float(0.5, 0, 1),
    waveform: choice<LfoWaveform>("sine", LFO_WAVEFORMS),
  };

  declare frequency: number;
  declare amplitude: number;
  declare offset: number;
  declare phase: number;
  declare pulseWidth: number;
  declare waveform: LfoWaveform;

  /** Whole and fractional cycles run so far. */
  cycles = 0;
  private lastTime?: number;

  override isTimeDependent(): boolean {
    return true;
  }

  cook(ctx: CookContext): void {
    this.cycles = this.lastTime === undefined ? ctx.time * this.frequency : this.cycles + (ctx.time - this.lastTime) * this.frequency;
    this.lastTime = ctx.time;
    this.value = lfoWave(this.waveform, this.cycles + this.phase, this.pulseWidth) * this.amplitude + this.offset;
  }

  override adopt(previous: this): void {
    this.cycles = previous.cycles;
    this.lastTime = previous.lastTime;
    this.value = previous.value;
  }
}
defineOperator(LFO);

/** One waveform at `t` cycles, in 0..1. */
export function lfoWave(waveform: LfoWaveform, t: number, pulseWidth: number): number {
  const f = t - Math.floor(t);
  switch (waveform) {
    case "sine":
      return 0.5 + 0.5 * Math.sin(2 * Math.PI * t);
    case "triangle":
      return Math.abs(f * 2 - 1);
    case "saw":
      return f;
    case "square":
      return f < pulseWidth ? 1 : 0;
    case "noise":
      return hash01(Math.floor(t));
  }
}

/** A well-mixed integer hash (lowbias32, after a golden-ratio step so 0 does not map to 0) of `n`, in 0..1. */
export function hash01(n: number): number {
  let x = (Math.imul(n | 0, 0x9e3779b9) + 0x7f4a7c15) | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}
