import { ValueOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { choice, float } from "../../runtime/chain/params.ts";

export const LOGIC_OPERATIONS = ["greaterThan", "lessThan", "equal", "notEqual", "greaterOrEqual", "lessOrEqual", "inRange", "and", "or", "not", "toggle"] as const;
export type LogicOperation = (typeof LOGIC_OPERATIONS)[number];

/**
 * Comparisons and boolean logic on numbers: `result` (boolean) and `value` (1 or 0). Inputs above 0.5
 * count as true for and / or / not; equal and notEqual compare within `epsilon`. `toggle` flips its
 * state on each rising edge passed to `trigger(on)`. Params and ranges as the original's Logic; its
 * `.operation(LogicOperation::…)` method is the `operation` param here.
 *
 * Deviation: the original's `trigger()` did not mark the operator dirty, so a toggle showed only
 * after some param changed; here a flip re-cooks it the same frame. The toggle state is handed over on
 * reload.
 */
export class Logic extends ValueOperator {
  static override readonly description = "Comparison / boolean logic on two numbers, as 1 or 0";
  static override readonly params = {
    inputA: float(0, -1000, 1000),
    inputB: float(0, -1000, 1000),
    rangeMin: float(0, -1000, 1000),
    rangeMax: float(1, -1000, 1000),
    epsilon: float(0.0001, 0, 1),
    operation: choice<LogicOperation>("greaterThan", LOGIC_OPERATIONS),
  };

  declare inputA: number;
  declare inputB: number;
  declare rangeMin: number;
  declare rangeMax: number;
  declare epsilon: number;
  declare operation: LogicOperation;

  result = false;
  private toggleState = false;
  private lastTrigger = false;

  /** For `toggle`: a rising edge (false → true) flips the state. */
  trigger(on: boolean): void {
    if (on && !this.lastTrigger) {
      this.toggleState = !this.toggleState;
      this.dirty = true;
    }
    this.lastTrigger = on;
  }

  cook(_ctx: CookContext): void {
    this.result = this.operation === "toggle" ? this.toggleState : logicOperation(this.operation, this.inputA, this.inputB, this);
    this.value = this.result ? 1 : 0;
  }

  override adopt(previous: this): void {
    this.toggleState = previous.toggleState;
    this.lastTrigger = previous.lastTrigger;
  }
}
defineOperator(Logic);

/** Every operation but toggle (which has state). */
export function logicOperation(
  operation: Exclude<LogicOperation, "toggle">,
  a: number,
  b: number,
  limits: { rangeMin: number; rangeMax: number; epsilon: number },
): boolean {
  switch (operation) {
    case "greaterThan":
      return a > b;
    case "lessThan":
      return a < b;
    case "equal":
      return Math.abs(a - b) < limits.epsilon;
    case "notEqual":
      return Math.abs(a - b) >= limits.epsilon;
    case "greaterOrEqual":
      return a >= b;
    case "lessOrEqual":
      return a <= b;
    case "inRange":
      return a >= limits.rangeMin && a <= limits.rangeMax;
    case "and":
      return a > 0.5 && b > 0.5;
    case "or":
      return a > 0.5 || b > 0.5;
    case "not":
      return !(a > 0.5);
  }
}
