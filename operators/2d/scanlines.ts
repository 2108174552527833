import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { bool, float, int } from "../../runtime/chain/params.ts";

/**
 * Darkens a `thickness` fraction of every `spacing` pixel rows (columns when `vertical`) by
 * `intensity`. Params as the original's Scanlines.
 */
export class Scanlines extends ShaderOperator {
  static override readonly description = "Dark lines every N pixels";
  static override readonly shader = "2d/scanlines.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    spacing: int(2, 1, 20),
    thickness: float(0.5, 0, 1),
    intensity: float(0.3, 0, 1),
    vertical: bool(false),
  };

  declare spacing: number;
  declare thickness: number;
  declare intensity: number;
  declare vertical: boolean;
}
defineOperator(Scanlines);
