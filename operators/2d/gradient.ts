import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { choice, color, float, vec2, type ParamValue } from "../../runtime/chain/params.ts";

export const GRADIENT_MODES = ["linear", "radial", "angular", "diamond"] as const;
export type GradientMode = (typeof GRADIENT_MODES)[number];

/**
 * colorA → colorB along a line (at `angle`), from `center` outwards (radial, diamond) or around it
 * (angular). The original's `.mode(GradientMode::…)` method is the `mode` param here.
 */
export class Gradient extends ShaderOperator {
  static override readonly description = "Linear, radial, angular or diamond gradient between two colours";
  static override readonly shader = "2d/gradient.wgsl";
  static override readonly params = {
    angle: float(0, 0, 6.283),
    scale: float(1, 0.1, 10),
    offset: float(0, -1, 1),
    center: vec2([0.5, 0.5], 0, 1),
    colorA: color([0, 0, 0, 1]),
    colorB: color([1, 1, 1, 1]),
    mode: choice<GradientMode>("linear", GRADIENT_MODES),
  };
  static override readonly internals = { aspect: float(1) };

  declare angle: number;
  declare scale: number;
  declare offset: number;
  declare center: readonly number[];
  declare colorA: readonly number[];
  declare colorB: readonly number[];
  declare mode: GradientMode;

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const [width, height] = this.outputSize;
    set("aspect", width / height);
  }
}
defineOperator(Gradient);
