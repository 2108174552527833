import { ShaderOperator, TextureOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { GraphError } from "../../runtime/chain/chain.ts";
import { bool, float, int, type ParamValue } from "../../runtime/chain/params.ts";
import type { TextureHandle } from "../../runtime/gpu/gpu.ts";
import { FrameCache } from "./frame-cache.ts";

/**
 * Slit-scan / time displacement: each pixel shows a frame from a FrameCache, chosen by the brightness
 * of a displacement map (bright = newest, dark = oldest; `invert` swaps them). `depth` is how far back
 * the map reaches (0 = newest only, 1 = the whole cache), `offset` adds a constant age (0..1 of the
 * cache). Between two cached frames it blends. Params and ranges as the original's TimeMachine.
 *
 * The original took pointers (`cache(FrameCache*)`, `displacementMap(TextureOperator*)`); here both are
 * operator names, i.e. inputs: `tm.cache("framecache")` is input 0 and `tm.displacementMap("gradient")`
 * input 1. Without a map, the vertical position is used (top newest, bottom oldest: a classic
 * slit-scan). The output has the cache's size.
 */
export class TimeMachine extends ShaderOperator {
  static override readonly description = "Slit-scan: per-pixel frame choice from a FrameCache by a grey map";
  static override readonly shader = "2d/time-machine.wgsl";
  static override readonly inputCount = 2;
  static override readonly inputDimensions = ["2d-array", "2d"] as const;
  static override readonly params = {
    depth: float(1, 0, 1),
    offset: float(0, 0, 1),
    invert: bool(false),
  };
  static override readonly internals = { newest: int(0), filled: int(0), layers: int(1), hasMap: bool(false) };

  declare depth: number;
  declare offset: number;
  declare invert: boolean;

  /** Reads frames from the FrameCache called `name` (input 0). */
  cache(name: string): this {
    return this.input(name, 0);
  }

  /** Picks each pixel's frame by the brightness of the operator called `name` (input 1). */
  displacementMap(name: string): this {
    return this.input(name, 1);
  }

  private get frameCache(): FrameCache {
    return this.inputs[0] as FrameCache;
  }

  private get map(): TextureOperator | undefined {
    return this.inputs[1] as TextureOperator | undefined;
  }

  protected override requireInputs(_count: number): void {
    if (!(this.inputs[0] instanceof FrameCache)) {
      const what = this.inputs[0] ? `"${this.inputs[0].name}" is a ${this.inputs[0].typeName}` : "none is set";
      throw new GraphError(`TimeMachine "${this.name}" reads a FrameCache (${what}): call ${this.name}.cache("<FrameCache name>")`, this.inputSites[0] ?? this.addSite);
    }
    if (this.inputs[1] !== undefined && !(this.inputs[1] instanceof TextureOperator)) {
      throw new GraphError(`TimeMachine "${this.name}": the displacement map "${this.inputs[1].name}" is a ${this.inputs[1].outputKind} operator, not a texture`, this.inputSites[1]);
    }
  }

  /** The ring (a 2D array) and the map; without a map, any texture fills the slot (the shader ignores it). */
  protected override inputTextures(_count: number): TextureHandle[] {
    const cache = this.frameCache;
    return [cache.ring!, this.map?.outputTexture ?? cache.outputTexture!];
  }

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const cache = this.frameCache;
    set("newest", Math.max(cache.newest, 0));
    set("filled", Math.max(cache.filled, 1));
    set("layers", cache.layers);
    set("hasMap", this.map !== undefined);
  }
}
defineOperator(TimeMachine);
