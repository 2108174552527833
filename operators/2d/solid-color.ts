import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { color } from "../../runtime/chain/params.ts";

/** One colour everywhere. */
export class SolidColor extends ShaderOperator {
  static override readonly description = "A single colour";
  static override readonly shader = "2d/solid-color.wgsl";
  static override readonly params = {
    color: color([0, 0, 0, 1]),
  };

  declare color: readonly number[];
}
defineOperator(SolidColor);
