import { fileURLToPath } from "node:url";
import { ShaderOperator, defineOperator } from "../runtime/chain/operator.ts";
import { float } from "../runtime/chain/params.ts";

/** The benchmark's filter operator: one pass, 4 samples (bench/tap4.wgsl). */
export class Tap4 extends ShaderOperator {
  static override readonly shader = fileURLToPath(new URL("./tap4.wgsl", import.meta.url));
  static override readonly inputCount = 1;
  static override readonly params = { radius: float(1, 0, 8), gain: float(1, 0, 2) };
  declare radius: number;
  declare gain: number;
}
defineOperator(Tap4);
