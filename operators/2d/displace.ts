import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { float } from "../../runtime/chain/params.ts";

/**
 * Moves each pixel of the source (input 0) by the map (input 1): red displaces x, green y, 0.5 is
 * no displacement. `source(name)` and `map(name)` are the original's names for input 0 and 1.
 * Params as the original's Displace.
 */
export class Displace extends ShaderOperator {
  static override readonly description = "Displace the source by a map's red/green channels (inputs: source, map)";
  static override readonly shader = "2d/displace.wgsl";
  static override readonly inputCount = 2;
  static override readonly params = {
    strength: float(0.1, 0, 1),
    strengthX: float(1, 0, 2),
    strengthY: float(1, 0, 2),
  };

  declare strength: number;
  declare strengthX: number;
  declare strengthY: number;

  /** The image that is displaced (input 0). */
  source(name: string): this {
    return this.input(name, 0);
  }

  /** The displacement map (input 1). */
  map(name: string): this {
    return this.input(name, 1);
  }
}
defineOperator(Displace);
