import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { float } from "../../runtime/chain/params.ts";

/** Bulges the image like a CRT's glass; what leaves the frame is black. Params as the original's BarrelDistortion. */
export class BarrelDistortion extends ShaderOperator {
  static override readonly description = "Barrel (CRT glass) distortion";
  static override readonly shader = "2d/barrel-distortion.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    curvature: float(0.1, 0, 1),
  };

  declare curvature: number;
}
defineOperator(BarrelDistortion);
