import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { float, type ParamValue } from "../../runtime/chain/params.ts";

/** Darkens towards the edges; `roundness` 0 is a rounded rectangle, 1 an ellipse. Params as the original's Vignette. */
export class Vignette extends ShaderOperator {
  static override readonly description = "Darken the edges";
  static override readonly shader = "2d/vignette.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    intensity: float(0.5, 0, 2),
    softness: float(0.5, 0, 2),
    roundness: float(1, 0, 1),
  };
  static override readonly internals = { aspect: float(1) };

  declare intensity: number;
  declare softness: number;
  declare roundness: number;

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const [width, height] = this.outputSize;
    set("aspect", width / height);
  }
}
defineOperator(Vignette);
