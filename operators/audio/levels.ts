import { defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { float } from "../../runtime/chain/params.ts";
import { BLOCK_FRAMES } from "../../runtime/audio/format.ts";
import { AudioAnalyser, audioInput } from "./source.ts";
import { smoothingFor } from "./spectrum.ts";

/**
 * Loudness of its audio input: `rms`, `peak` (0..1 of full scale), `rmsDb`, `peakDb` (dBFS; −100
 * for silence), `rmsLeft`, `rmsRight`; `value` is `rms`, for bindings. Measured over the newest 1024
 * frames (the original's block) each frame; a full-scale sine reads rms 0.707, −3.01 dBFS.
 *
 * Params as the original's Levels (`smoothing` 0.9). Smoothing is the original's per-block
 * `new = old · s + x · (1 − s)`, applied as s^(frames since the last frame / 1024), so it behaves the
 * same at any frame rate; the peak rises at once and falls with the same smoothing.
 */
export class Levels extends AudioAnalyser {
  static override readonly description = "RMS and peak level of an audio input (linear and dBFS)";
  static override readonly params = {
    smoothing: float(0.9, 0, 0.999),
  };

  declare smoothing: number;

  rms = 0;
  peak = 0;
  rmsLeft = 0;
  rmsRight = 0;
  private readonly left = new Float32Array(BLOCK_FRAMES);
  private readonly right = new Float32Array(BLOCK_FRAMES);
  private lastPosition?: number;

  get rmsDb(): number {
    return this.rms > 0 ? 20 * Math.log10(this.rms) : -100;
  }

  get peakDb(): number {
    return this.peak > 0 ? 20 * Math.log10(this.peak) : -100;
  }

  cook(_ctx: CookContext): void {
    const source = audioInput(this);
    const end = source.position;
    const hop = this.lastPosition === undefined ? BLOCK_FRAMES : Math.abs(end - this.lastPosition);
    this.lastPosition = end;
    source.read(this.left, end - BLOCK_FRAMES, BLOCK_FRAMES, "left");
    source.read(this.right, end - BLOCK_FRAMES, BLOCK_FRAMES, "right");
    let sumLeft = 0;
    let sumRight = 0;
    let peak = 0;
    for (let i = 0; i < BLOCK_FRAMES; i++) {
      const l = this.left[i]!;
      const r = this.right[i]!;
      sumLeft += l * l;
      sumRight += r * r;
      const a = Math.max(Math.abs(l), Math.abs(r));
      if (a > peak) peak = a;
    }
    const s = smoothingFor(this.smoothing, hop);
    this.rmsLeft = this.rmsLeft * s + Math.sqrt(sumLeft / BLOCK_FRAMES) * (1 - s);
    this.rmsRight = this.rmsRight * s + Math.sqrt(sumRight / BLOCK_FRAMES) * (1 - s);
    this.rms = this.rms * s + Math.sqrt((sumLeft + sumRight) / (2 * BLOCK_FRAMES)) * (1 - s);
    this.peak = peak > this.peak ? peak : this.peak * s + peak * (1 - s);
    this.value = this.rms;
  }

  override adopt(previous: this): void {
    this.rms = previous.rms;
    this.peak = previous.peak;
    this.rmsLeft = previous.rmsLeft;
    this.rmsRight = previous.rmsRight;
    this.lastPosition = previous.lastPosition;
    this.value = previous.value;
  }
}
defineOperator(Levels);
