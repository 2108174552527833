import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { choice, float, vec2, type ParamValue } from "../../runtime/chain/params.ts";

export const RAMP_TYPES = ["linear", "radial", "angular", "diamond"] as const;
export type RampType = (typeof RAMP_TYPES)[number];

/**
 * An animated rainbow: a linear, radial, angular or diamond ramp `t` (scaled, repeated `repeat`
 * times, shifted by `offset`) picks a hue = hueOffset + t·hueRange + time·hueSpeed, shown at
 * `saturation` and `brightness`. Params and ranges as the original's Ramp; its `.type(RampType::…)`
 * method is the `type` param here. Cooks every frame while hueSpeed > 0.
 */
export class Ramp extends ShaderOperator {
  static override readonly description = "Animated HSV rainbow ramp: linear, radial, angular or diamond";
  static override readonly shader = "2d/ramp.wgsl";
  static override readonly params = {
    angle: float(0, 0, 6.283),
    scale: float(1, 0.1, 10),
    repeat: float(1, 1, 10),
    offset: vec2([0, 0], -1, 1),
    hueOffset: float(0, 0, 1),
    hueSpeed: float(0.5, 0, 2),
    hueRange: float(1, 0, 1),
    saturation: float(1, 0, 1),
    brightness: float(1, 0, 1),
    type: choice<RampType>("linear", RAMP_TYPES),
  };
  static override readonly internals = { time: float(0), aspect: float(1) };

  declare angle: number;
  declare scale: number;
  declare repeat: number;
  declare offset: readonly number[];
  declare hueOffset: number;
  declare hueSpeed: number;
  declare hueRange: number;
  declare saturation: number;
  declare brightness: number;
  declare type: RampType;

  override isTimeDependent(): boolean {
    return this.hueSpeed > 0;
  }

  protected override writeInternals(ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const [width, height] = this.outputSize;
    set("time", ctx.time);
    set("aspect", width / height);
  }
}
defineOperator(Ramp);
