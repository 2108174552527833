import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { choice, color, float, type ParamValue } from "../../runtime/chain/params.ts";

export const FLASH_MODES = ["additive", "screen", "replace"] as const;
export type FlashMode = (typeof FLASH_MODES)[number];

/** Below this level the flash is over: the operator writes 0 once and stops cooking every frame. */
const FLASH_OFF = 0.001;

/**
 * A flash that `trigger()` starts at full (or the given) level and that fades by `decay` per 1/60 s,
 * laid over the input additively, as a screen blend, or replacing it. Params as the original's
 * Flash, with two differences: `mode` is a choice (the original's int 0–2 meant additive / screen /
 * replace), and the decay follows time rather than frames, so the fade lasts as long at any frame
 * rate (the same as the original at 60 fps). The level shows in full on the trigger frame.
 */
export class Flash extends ShaderOperator {
  static override readonly description = "Triggered flash that decays (additive, screen or replace)";
  static override readonly shader = "2d/flash.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    decay: float(0.92, 0.5, 0.995),
    color: color([1, 1, 1, 1]),
    mode: choice<FlashMode>("additive", FLASH_MODES),
  };
  static override readonly internals = { level: float(0) };

  declare decay: number;
  declare color: readonly number[];
  declare mode: FlashMode;

  private peak = 0;
  private triggeredAt = 0;
  private pending?: number;
  private level = 0;

  /** Starts a flash at `intensity` (0..1); it shows from the next frame the chain runs. */
  trigger(intensity = 1): void {
    this.pending = Math.min(Math.max(intensity, 0), 1);
    this.dirty = true;
  }

  /** The current flash level, 0..1. */
  get intensity(): number {
    return this.level;
  }

  /** Cooks every frame while a flash is fading (or about to start), not otherwise. */
  override isTimeDependent(): boolean {
    return this.level > 0 || this.pending !== undefined;
  }

  override adopt(previous: this): void {
    this.peak = previous.peak;
    this.triggeredAt = previous.triggeredAt;
    this.pending = previous.pending;
    this.level = previous.level;
  }

  protected override writeInternals(ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    if (this.pending !== undefined) {
      this.peak = this.pending;
      this.triggeredAt = ctx.time;
      this.pending = undefined;
    }
    const frames60 = Math.max(ctx.time - this.triggeredAt, 0) * 60;
    this.level = this.peak * this.decay ** frames60;
    if (this.level < FLASH_OFF) this.level = this.peak = 0;
    set("level", this.level);
  }
}
defineOperator(Flash);
