import { join } from "node:path";
import { ShaderOperator, color, defineOperator, float, vec2, type CookContext, type ParamValue } from "vivid";

/** Concentric rings moving out from `center`, between two colours: one WGSL pass, no inputs. */
export class Rings extends ShaderOperator {
  static override readonly description = "Concentric rings moving outwards";
  // An absolute path: the project's own shader, beside this file. Saving it recompiles only this pass.
  static override readonly shader = join(import.meta.dir, "rings.wgsl");
  // The params, declared once: name, default, range. `bun vivid operators`-style listing, range checks,
  // the uniform buffer's layout and the check against the WGSL struct all come from here.
  static override readonly params = {
    frequency: float(12, 1, 60),
    speed: float(1, 0, 10),
    center: vec2([0.5, 0.5], 0, 1),
    colorA: color([0.05, 0.05, 0.1, 1]),
    colorB: color([0.2, 0.9, 0.8, 1]),
  };
  // Uniforms the chain file does not set: written every cook by writeInternals.
  static override readonly internals = { time: float(0), aspect: float(1) };

  // Only for the editor: the properties defineOperator makes from `params` above, with their types.
  declare frequency: number;
  declare speed: number;
  declare center: readonly number[];
  declare colorA: readonly number[];
  declare colorB: readonly number[];

  /** Moving while speed > 0, so it cooks every frame; otherwise only when a param changes. */
  override isTimeDependent(): boolean {
    return this.speed > 0;
  }

  protected override writeInternals(ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const [width, height] = this.outputSize;
    set("time", ctx.time);
    set("aspect", width / height);
  }
}
defineOperator(Rings);
