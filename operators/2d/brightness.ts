import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { float } from "../../runtime/chain/params.ts";

/** Brightness (added), contrast (about mid grey), then gamma. Params as the original's Brightness. */
export class Brightness extends ShaderOperator {
  static override readonly description = "Brightness, contrast and gamma";
  static override readonly shader = "2d/brightness.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    brightness: float(0, -1, 1),
    contrast: float(1, 0, 3),
    gamma: float(1, 0.1, 3),
  };

  declare brightness: number;
  declare contrast: number;
  declare gamma: number;
}
defineOperator(Brightness);
