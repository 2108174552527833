import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { bool, float, vec2, type ParamValue } from "../../runtime/chain/params.ts";

/** Sobel edge detection on luma, white edges on black (or inverted). Params as the original's Edge. */
export class Edge extends ShaderOperator {
  static override readonly description = "Sobel edge detection";
  static override readonly shader = "2d/edge.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    strength: float(1, 0, 5),
    threshold: float(0, 0, 1),
    invert: bool(false),
  };
  static override readonly internals = { texel: vec2([0, 0]) };

  declare strength: number;
  declare threshold: number;
  declare invert: boolean;

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const [width, height] = this.outputSize;
    set("texel", [1 / width, 1 / height]);
  }
}
defineOperator(Edge);
