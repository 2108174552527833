import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { bool, float } from "../../runtime/chain/params.ts";

/**
 * Shifts red one way and blue the other: outwards from the centre (radial) or along `angle`.
 * Params as the original's ChromaticAberration.
 */
export class ChromaticAberration extends ShaderOperator {
  static override readonly description = "Red/blue channel offset, radial or along an angle";
  static override readonly shader = "2d/chromatic-aberration.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    amount: float(0.01, 0, 0.1),
    angle: float(0, -6.28, 6.28),
    radial: bool(true),
  };

  declare amount: number;
  declare angle: number;
  declare radial: boolean;
}
defineOperator(ChromaticAberration);
