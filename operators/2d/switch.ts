import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { float, int, type ParamValue } from "../../runtime/chain/params.ts";
import type { TextureHandle } from "../../runtime/gpu/gpu.ts";
import { layerTextures, MAX_LAYERS, requireLayers } from "./composite.ts";

/**
 * Shows input `index` (of up to 8), crossfaded by `blend` towards the next one (after the last,
 * input 0). Params as the original's Switch. Two differences: the original declared `blend` but never
 * used it (its shader sampled the selected input only); and the output keeps input 0's resolution
 * rather than the selected input's, so switching never reallocates the output texture.
 */
export class Switch extends ShaderOperator {
  static override readonly description = "Select one of up to 8 inputs, with crossfade";
  static override readonly shader = "2d/switch.wgsl";
  static override readonly inputCount = MAX_LAYERS;
  static override readonly params = {
    index: int(0, 0, 7),
    blend: float(0, 0, 1),
  };
  static override readonly internals = { count: int(1) };

  declare index: number;
  declare blend: number;

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
defineOperator(Switch);
