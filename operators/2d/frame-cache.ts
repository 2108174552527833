import { TextureOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { int } from "../../runtime/chain/params.ts";
import { OUTPUT_FORMAT, type TextureHandle } from "../../runtime/gpu/gpu.ts";

const RING_USAGE = 0x04 /* TEXTURE_BINDING */ | 0x02 /* COPY_DST */ | 0x01 /* COPY_SRC */;
const OUT_USAGE = 0x04 /* TEXTURE_BINDING */ | 0x10 /* RENDER_ATTACHMENT */ | 0x02 /* COPY_DST */ | 0x01 /* COPY_SRC */;

/**
 * Remembers the last `frameCount` frames of its input in a ring: one pooled 2D-array texture with a
 * layer per frame, written by a GPU copy (no pass, no shader). Its own output is the newest frame;
 * TimeMachine reads the ring. Params and ranges as the original's FrameCache.
 *
 * `newest` (the layer last written) and `filled` are JS state handed over in `adopt`; the pool gives a
 * reloaded FrameCache of the same name, size and frameCount the same ring texture, so the cached
 * frames survive a reload. One frame is stored per new `ctx.time` (a reload's first cook stores
 * none). Changing frameCount or the input's size starts an empty ring.
 */
export class FrameCache extends TextureOperator {
  static override readonly description = "Ring of the last N frames of its input (for TimeMachine)";
  static override readonly params = {
    frameCount: int(32, 2, 128),
  };

  declare frameCount: number;

  /** The ring: `frameCount` layers, one frame each. */
  ring?: TextureHandle;
  /** Layer holding the newest frame (-1 before the first). */
  newest = -1;
  /** How many layers hold a frame. */
  filled = 0;
  /** Layers of `ring` (frameCount when it was acquired). */
  layers = 0;
  private lastTime = Number.NaN;

  override isTimeDependent(): boolean {
    return true;
  }

  init(): void {
    this.requireInputs(1);
    this.ensureTextures();
  }

  private ensureTextures(): { ring: TextureHandle; out: TextureHandle } {
    const [width, height] = this.outputSize;
    const layers = this.frameCount;
    const ring = this.ring;
    if (!ring || ring.width !== width || ring.height !== height || this.layers !== layers) {
      if (ring) this.scope.drop(ring);
      this.ring = this.scope.texture({ width, height, layers, format: OUTPUT_FORMAT, usage: RING_USAGE, slot: "ring" });
      this.layers = layers;
      this.newest = -1;
      this.filled = 0;
      this.lastTime = Number.NaN;
    }
    if (!this.output || this.output.width !== width || this.output.height !== height) {
      if (this.output) this.scope.drop(this.output);
      this.output = this.scope.texture({ width, height, format: OUTPUT_FORMAT, usage: OUT_USAGE, slot: "out" });
    }
    return { ring: this.ring!, out: this.output };
  }

  cook(ctx: CookContext): void {
    const { ring, out } = this.ensureTextures();
    if (ctx.time === this.lastTime) return;
    const source = (this.inputs[0] as TextureOperator).outputTexture!;
    if (source.format !== OUTPUT_FORMAT) throw new Error(`FrameCache "${this.name}": input is ${source.format}, expected ${OUTPUT_FORMAT}`);
    this.lastTime = ctx.time;
    this.newest = (this.newest + 1) % this.layers;
    this.filled = Math.min(this.filled + 1, this.layers);
    const extent = [source.width, source.height, 1];
    ctx.frame.encoder.copyTextureToTexture({ texture: source.texture }, { texture: ring.texture, origin: [0, 0, this.newest] }, extent);
    ctx.frame.encoder.copyTextureToTexture({ texture: source.texture }, { texture: out.texture }, extent);
  }

  /** Same ring texture (same name, size and frameCount): keep the cached frames and the write position. */
  override adopt(previous: this): void {
    if (!this.ring || this.ring !== previous.ring) return;
    this.newest = previous.newest;
    this.filled = previous.filled;
    this.lastTime = previous.lastTime;
  }
}
defineOperator(FrameCache);
