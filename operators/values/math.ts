import { ValueOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { choice, float } from "../../runtime/chain/params.ts";

export const MATH_OPERATIONS = ["add", "subtract", "multiply", "divide", "clamp", "remap", "abs", "sin", "cos", "pow", "sqrt", "floor", "ceil", "fract", "min", "max"] as const;
export type MathOperation = (typeof MATH_OPERATIONS)[number];

/**
 * Arithmetic on numbers: `value` = operation(inputA, inputB). Feed it with bindings
 * (`math.bindDirect("inputA", () => lfo.value)`). Params and ranges as the original's Math; its
 * `.operation(MathOperation::…)` method is the `operation` param here.
 *
 * Named `MathOp` (the original's file is math_op.h): a chain file that imported a `Math` from "vivid"
 * would lose JavaScript's own `Math` in that file.
 *
 * Deviations (the original returned inf or NaN): remap with inMin = inMax gives outMin, and any
 * result that is not a finite number (pow(−8, 0.5), pow(0, −1)) gives 0, so a bound param never
 * receives NaN. Divide by 0 gives 0 as in the original; sqrt of a negative number gives 0.
 */
export class MathOp extends ValueOperator {
  static override readonly description = "Arithmetic on two numbers (add … remap … min/max) as a number";
  static override readonly params = {
    inputA: float(0, -1000, 1000),
    inputB: float(0, -1000, 1000),
    minVal: float(0, -1000, 1000),
    maxVal: float(1, -1000, 1000),
    inMin: float(0, -1000, 1000),
    inMax: float(1, -1000, 1000),
    outMin: float(0, -1000, 1000),
    outMax: float(1, -1000, 1000),
    operation: choice<MathOperation>("add", MATH_OPERATIONS),
  };

  declare inputA: number;
  declare inputB: number;
  declare minVal: number;
  declare maxVal: number;
  declare inMin: number;
  declare inMax: number;
  declare outMin: number;
  declare outMax: number;
  declare operation: MathOperation;

  cook(_ctx: CookContext): void {
    const result = mathOperation(this.operation, this.inputA, this.inputB, this);
    this.value = Number.isFinite(result) ? result : 0;
  }
}
defineOperator(MathOp);

/** The operation itself (exported for tests and for anyone doing the same maths in `update`). */
export function mathOperation(
  operation: MathOperation,
  a: number,
  b: number,
  range: { minVal: number; maxVal: number; inMin: number; inMax: number; outMin: number; outMax: number },
): number {
  switch (operation) {
    case "add":
      return a + b;
    case "subtract":
      return a - b;
    case "multiply":
      return a * b;
    case "divide":
      return b !== 0 ? a / b : 0;
    case "clamp":
      return Math.min(Math.max(a, range.minVal), range.maxVal);
    case "remap": {
      const span = range.inMax - range.inMin;
      if (span === 0) return range.outMin;
      return range.outMin + ((a - range.inMin) / span) * (range.outMax - range.outMin);
    }
    case "abs":
      return Math.abs(a);
    case "sin":
      return Math.sin(a);
    case "cos":
      return Math.cos(a);
    case "pow":
      return Math.pow(a, b);
    case "sqrt":
      return Math.sqrt(Math.max(0, a));
    case "floor":
      return Math.floor(a);
    case "ceil":
      return Math.ceil(a);
    case "fract":
      return a - Math.floor(a);
    case "min":
      return Math.min(a, b);
    case "max":
      return Math.max(a, b);
  }
}
