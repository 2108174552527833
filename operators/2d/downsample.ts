import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { choice, int } from "../../runtime/chain/params.ts";

export const DOWNSAMPLE_FILTERS = ["nearest", "linear"] as const;
export type DownsampleFilter = (typeof DOWNSAMPLE_FILTERS)[number];

/**
 * Shows the input as if rendered at targetW × targetH and scaled back up: blocky (nearest) or
 * smooth (linear). The output keeps input 0's resolution, as in the original, so downstream pixel
 * effects (Dither, Scanlines) still work per screen pixel. The original's `.filter(FilterMode::…)`
 * is the `filter` param; its linear mode sampled cell corners, here it interpolates cell centres.
 */
export class Downsample extends ShaderOperator {
  static override readonly description = "Low-resolution look: targetW × targetH cells, nearest or linear upscale";
  static override readonly shader = "2d/downsample.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    targetW: int(320, 16, 1920),
    targetH: int(240, 16, 1080),
    filter: choice<DownsampleFilter>("nearest", DOWNSAMPLE_FILTERS),
  };

  declare targetW: number;
  declare targetH: number;
  declare filter: DownsampleFilter;
}
defineOperator(Downsample);
