import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { float } from "../../runtime/chain/params.ts";

/**
 * Hue rotation (in turns, wrapping) and saturation / value multipliers. Params as the original's HSV;
 * saturation is clamped to 1 after the multiply (past 1 the original produced negative channels).
 */
export class HSV extends ShaderOperator {
  static override readonly description = "Shift hue, scale saturation and value";
  static override readonly shader = "2d/hsv.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    hueShift: float(0, 0, 1),
    saturation: float(1, 0, 3),
    value: float(1, 0, 3),
  };

  declare hueShift: number;
  declare saturation: number;
  declare value: number;
}
defineOperator(HSV);
