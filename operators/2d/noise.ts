import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { choice, float, int, vec3, type ParamValue } from "../../runtime/chain/params.ts";

export const NOISE_TYPES = ["perlin", "simplex", "worley", "value"] as const;
export type NoiseType = (typeof NOISE_TYPES)[number];

/**
 * Fractal noise (fBm of `octaves` layers), grey, animated through the third dimension at `speed`.
 * Params and ranges as the original's Noise. The original's `.type(NoiseType::…)` method is the
 * `type` param here (`noise.type = "simplex"`), so it is listed, introspectable and a uniform.
 */
export class Noise extends ShaderOperator {
  static override readonly description = "Fractal Perlin / simplex / Worley / value noise";
  static override readonly shader = "2d/noise.wgsl";
  static override readonly params = {
    scale: float(4, 0.1, 20),
    speed: float(0.5, 0, 5),
    octaves: int(4, 1, 8),
    lacunarity: float(2, 1, 4),
    persistence: float(0.5, 0, 1),
    offset: vec3([0, 0, 0], -100, 100),
    type: choice<NoiseType>("perlin", NOISE_TYPES),
  };
  static override readonly internals = { time: float(0), aspect: float(1) };

  declare scale: number;
  declare speed: number;
  declare octaves: number;
  declare lacunarity: number;
  declare persistence: number;
  declare offset: readonly [number, number, number] | number[];
  declare type: NoiseType;

  /** Animated while speed > 0; otherwise it cooks only when a param changes. */
  override isTimeDependent(): boolean {
    return this.speed > 0;
  }

  protected override writeInternals(ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const [width, height] = this.outputSize;
    set("time", ctx.time);
    set("aspect", width / height);
  }
}
defineOperator(Noise);
