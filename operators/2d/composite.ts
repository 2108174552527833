import { ShaderOperator, TextureOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { choice, float, int, type ParamValue } from "../../runtime/chain/params.ts";
import type { TextureHandle } from "../../runtime/gpu/gpu.ts";

export const BLEND_MODES = ["over", "add", "multiply", "screen", "overlay", "difference"] as const;
export type BlendMode = (typeof BLEND_MODES)[number];

/** Inputs a Composite or Switch reads: bindings 2..9 of its one pass. */
export const MAX_LAYERS = 8;

/**
 * Throws unless inputs 0..n-1 (1 ≤ n ≤ 8) are all connected texture operators. Shared by Composite and
 * Switch, which take a variable number of inputs.
 */
export function requireLayers(op: TextureOperator): void {
  const count = op.inputs.length;
  if (count < 1 || count > MAX_LAYERS) {
    throw new Error(`${op.typeName} "${op.name}" takes 1 to ${MAX_LAYERS} inputs, has ${count}: call ${op.name}.input("<name>", i) for i = 0, 1, …`);
  }
  op.inputs.forEach((input, i) => {
    if (!(input instanceof TextureOperator)) throw new Error(`${op.typeName} "${op.name}" needs a texture on input ${i}`);
  });
}

/** The connected inputs' textures, padded to 8 with input 0's: unused bindings are never read. */
export function layerTextures(op: TextureOperator): TextureHandle[] {
  const textures = op.inputs.map((input) => (input as TextureOperator).outputTexture!);
  while (textures.length < MAX_LAYERS) textures.push(textures[0]!);
  return textures;
}

/**
 * Blends inputs 1..7 one after another onto input 0 with one `mode` and `opacity` (the layer's alpha
 * times opacity is its weight). Params and modes as the original's Composite; its `.mode(BlendMode::…)`
 * is the `mode` param, and its `inputA` / `inputB` are here too. Output alpha is the layers' coverage
 * composited "over" (a + base·(1 − a)) rather than the original's max(base, a); multiply keeps the
 * base's alpha, as there.
 *
 * One pass with 8 texture bindings, not a chain of passes: every layer is read once per pixel and
 * blended in registers, so there is no intermediate texture, no rounding to 16-bit floats between
 * layers, one render pass and one uniform buffer whatever the layer count. Unused bindings hold
 * input 0's texture (no dummy texture to create), and the shader stops at the connected count.
 */
export class Composite extends ShaderOperator {
  static override readonly description = "Blend up to 8 inputs: over, add, multiply, screen, overlay, difference";
  static override readonly shader = "2d/composite.wgsl";
  static override readonly inputCount = MAX_LAYERS;
  static override readonly params = {
    opacity: float(1, 0, 1),
    mode: choice<BlendMode>("over", BLEND_MODES),
  };
  static override readonly internals = { count: int(1) };

  declare opacity: number;
  declare mode: BlendMode;

  /** The base layer (input 0), the original's `inputA`. */
  inputA(name: string): this {
    return this.input(name, 0);
  }

  /** The first layer on top (input 1), the original's `inputB`. */
  inputB(name: string): this {
    return this.input(name, 1);
  }

  protected override requireInputs(_count: number): void {
    requireLayers(this);
  }

  protected override inputTextures(_count: number): TextureHandle[] {
    return layerTextures(this);
  }

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    set("count", this.inputs.length);
  }
}
defineOperator(Composite);
