import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { float, vec2, type ParamValue } from "../../runtime/chain/params.ts";

/**
 * Scales and rotates the image about `pivot`, then moves it by `translate` (uv units, +y up). Params
 * as the original's Transform. Two differences, both fixes: rotation is aspect-corrected (the
 * original rotated in uv space, which shears a non-square image), and what falls outside the source
 * is transparent black (the original's clamping sampler smeared the edge pixels across it).
 */
export class Transform extends ShaderOperator {
  static override readonly description = "Scale, rotate and translate the image";
  static override readonly shader = "2d/transform.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    scale: vec2([1, 1], 0, 10),
    rotation: float(0, -6.28, 6.28),
    translate: vec2([0, 0], -2, 2),
    pivot: vec2([0.5, 0.5], 0, 1),
  };
  static override readonly internals = { aspect: float(1) };

  declare scale: readonly number[];
  declare rotation: number;
  declare translate: readonly number[];
  declare pivot: readonly number[];

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const [width, height] = this.outputSize;
    set("aspect", width / height);
  }
}
defineOperator(Transform);
