import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { float, vec2, type ParamValue } from "../../runtime/chain/params.ts";

/**
 * A CRT in one pass: curved glass, convergence error (chromatic), phosphor glow (bloom), scanlines
 * and vignette. Params as the original's CRTEffect. Three fixes: its scanlines were sin(2π·y) at
 * pixel centres, always 0, so they never showed (here every other row is darkened by `scanlines` / 2);
 * its "bloom" added the same pixel again (here it adds a small blur of the neighbours); and its red /
 * blue shift was chromatic × 0.01 of the width, under a pixel over the whole 0–0.1 range at 1280 wide
 * (its own retro-crt example set 0.3), so here it is chromatic × 0.1 (default 0.02: ~2.5 px at 1280).
 */
export class CRTEffect extends ShaderOperator {
  static override readonly description = "CRT: curvature, vignette, scanlines, phosphor glow, colour fringing";
  static override readonly shader = "2d/crt-effect.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    curvature: float(0.1, 0, 0.5),
    vignette: float(0.3, 0, 1),
    scanlines: float(0.2, 0, 1),
    bloom: float(0.1, 0, 1),
    chromatic: float(0.02, 0, 0.1),
  };
  static override readonly internals = { texel: vec2([0, 0]) };

  declare curvature: number;
  declare vignette: number;
  declare scanlines: number;
  declare bloom: number;
  declare chromatic: number;

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const [width, height] = this.outputSize;
    set("texel", [1 / width, 1 / height]);
  }
}
defineOperator(CRTEffect);
