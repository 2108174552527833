import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { vec2, type ParamValue } from "../../runtime/chain/params.ts";

/** Blocks of `size` pixels, each the colour at its centre. Params as the original's Pixelate. */
export class Pixelate extends ShaderOperator {
  static override readonly description = "Mosaic of size × size pixel blocks";
  static override readonly shader = "2d/pixelate.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    size: vec2([10, 10], 1, 100),
  };
  static override readonly internals = { resolution: vec2([1, 1]) };

  declare size: readonly number[];

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    set("resolution", this.outputSize);
  }
}
defineOperator(Pixelate);
