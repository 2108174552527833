import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { choice, float, int, vec2, type ParamValue } from "../../runtime/chain/params.ts";

export const MIRROR_MODES = ["horizontal", "vertical", "quad", "kaleidoscope"] as const;
export type MirrorMode = (typeof MIRROR_MODES)[number];

/**
 * Mirrors the left half onto the right (horizontal), the top onto the bottom (vertical), both (quad),
 * or folds the image into `segments` mirrored wedges around `center` (kaleidoscope; `angle` turns
 * them). The original's `.mode(MirrorMode::…)` is the `mode` param. Kaleidoscope wedges are
 * aspect-corrected here, so they stay even on a wide image.
 */
export class Mirror extends ShaderOperator {
  static override readonly description = "Horizontal, vertical, quad mirror or kaleidoscope";
  static override readonly shader = "2d/mirror.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    segments: int(6, 2, 32),
    angle: float(0, -6.28, 6.28),
    center: vec2([0.5, 0.5], 0, 1),
    mode: choice<MirrorMode>("horizontal", MIRROR_MODES),
  };
  static override readonly internals = { aspect: float(1) };

  declare segments: number;
  declare angle: number;
  declare center: readonly number[];
  declare mode: MirrorMode;

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const [width, height] = this.outputSize;
    set("aspect", width / height);
  }
}
defineOperator(Mirror);
