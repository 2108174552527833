import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { int } from "../../runtime/chain/params.ts";

/**
 * Posterises each channel to `levels` evenly spaced values, 0 and 1 included (rounding to the
 * nearest). Params as the original's Quantize, whose floor(c·levels)/levels never reached white
 * below exactly 1 and darkened the image by half a step on average.
 */
export class Quantize extends ShaderOperator {
  static override readonly description = "Reduce each channel to N levels";
  static override readonly shader = "2d/quantize.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    levels: int(8, 2, 256),
  };

  declare levels: number;
}
defineOperator(Quantize);
