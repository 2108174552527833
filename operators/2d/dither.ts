import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { choice, float, int } from "../../runtime/chain/params.ts";

export const DITHER_PATTERNS = ["bayer2x2", "bayer4x4", "bayer8x8"] as const;
export type DitherPattern = (typeof DITHER_PATTERNS)[number];

/**
 * Ordered (Bayer) dithering down to `levels` per channel, mixed over the original by `strength`.
 * Params as the original's Dither; its `.pattern(DitherPattern::…)` method is the `pattern` param
 * (default Bayer 4×4, as there).
 */
export class Dither extends ShaderOperator {
  static override readonly description = "Ordered Bayer dithering (2×2, 4×4, 8×8)";
  static override readonly shader = "2d/dither.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    levels: int(8, 2, 256),
    strength: float(1, 0, 1),
    pattern: choice<DitherPattern>("bayer4x4", DITHER_PATTERNS),
  };

  declare levels: number;
  declare strength: number;
  declare pattern: DitherPattern;
}
defineOperator(Dither);
