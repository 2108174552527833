import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { float, type ParamValue } from "../../runtime/chain/params.ts";

/**
 * Animated film grain: a new pattern `speed` times a second, grains `size` pixels across, the same
 * in every channel (colored 0) or independent per channel (colored 1). Params as the original's
 * FilmGrain. The noise is an integer hash, so it is the same on every GPU.
 */
export class FilmGrain extends ShaderOperator {
  static override readonly description = "Animated film grain";
  static override readonly shader = "2d/film-grain.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    intensity: float(0.15, 0, 1),
    size: float(1, 0.5, 4),
    speed: float(24, 0, 60),
    colored: float(0, 0, 1),
  };
  static override readonly internals = { time: float(0) };

  declare intensity: number;
  declare size: number;
  declare speed: number;
  declare colored: number;

  /** The grain moves while speed > 0; at 0 it is a still pattern and cooks only on changes. */
  override isTimeDependent(): boolean {
    return this.speed > 0;
  }

  protected override writeInternals(ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    set("time", ctx.time);
  }
}
defineOperator(FilmGrain);
