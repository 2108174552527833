import { ShaderOperator, TextureOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { float, vec2, type ParamValue } from "../../runtime/chain/params.ts";
import { OUTPUT_FORMAT, type TextureHandle } from "../../runtime/gpu/gpu.ts";


/**
 * Trails: each frame, out = mix(previous × decay, input, mix), where `previous` is the last output
 * moved by `offset` (pixels), scaled by `zoom` (> 1 grows outwards) and turned by `rotate` (radians)
 * about the centre. Params and ranges as the original's Feedback.
 *
 * Two pooled textures, "ping" and "pong", take turns as the one read and the one written; `current`
 * (which holds the latest result) is JS state handed over in `adopt`, and the pool gives a reloaded
 * Feedback of the same name the same two textures, so the trails survive a reload. It advances once
 * per new `ctx.time`: the first cook of a freshly built chain runs at the running frame's time, so a
 * reload shows exactly the adopted pixels and adds no extra step. Outside the previous frame (zoom < 1,
 * offsets) reads black rather than smearing the edge.
 */
export class Feedback extends ShaderOperator {
  static override readonly description = "Trails: blends the input with its own decayed, zoomed, rotated previous output";
  static override readonly shader = "2d/feedback.wgsl";
  static override readonly inputCount = 1;
  /** The pass reads the input and the previous output. */
  static override readonly passInputs = 2;
  static override readonly params = {
    decay: float(0.95, 0, 1),
    mix: float(0.5, 0, 1),
    offset: vec2([0, 0], -100, 100),
    zoom: float(1, 0.5, 2),
    rotate: float(0, -0.1, 0.1),
  };
  static override readonly internals = { resolution: vec2([1, 1]) };

  declare decay: number;
  declare mix: number;
  declare offset: readonly number[];
  declare zoom: number;
  declare rotate: number;

  /** Which of the two buffers holds the latest result (0 = ping, 1 = pong). */
  current = 0;
  private buffers?: [TextureHandle, TextureHandle];
  private lastStepTime = Number.NaN;

  override isTimeDependent(): boolean {
    return true;
  }

  /** The pass's target: the buffer that does not hold the latest result. */
  protected override ensureOutput(): TextureHandle {
    const [width, height] = this.outputSize;
    if (!this.buffers || this.buffers[0].width !== width || this.buffers[0].height !== height) {
      if (this.buffers) for (const buffer of this.buffers) this.scope.drop(buffer);
      const spec = { width, height, format: OUTPUT_FORMAT, usage: this.textureUsage };
      this.buffers = [this.scope.texture({ ...spec, slot: "ping" }), this.scope.texture({ ...spec, slot: "pong" })];
      this.current = 0;
      this.lastStepTime = Number.NaN;
    }
    this.output = this.buffers[1 - this.current]!;
    return this.output;
  }

  protected override inputTextures(_count: number): TextureHandle[] {
    return [(this.inputs[0] as TextureOperator).outputTexture!, this.buffers![this.current]!];
  }

  override cook(ctx: CookContext): void {
    if (ctx.time === this.lastStepTime) {
      this.ensureOutput();
      this.output = this.buffers![this.current];
      return;
    }
    super.cook(ctx);
    this.current = 1 - this.current;
    this.output = this.buffers![this.current];
    this.lastStepTime = ctx.time;
  }

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    set("resolution", this.outputSize);
  }

  /** Same buffers (same name, type and size): carry on from the old instance's latest result. */
  override adopt(previous: this): void {
    if (!this.buffers || this.buffers[0] !== previous.buffers?.[0]) return;
    this.current = previous.current;
    this.lastStepTime = previous.lastStepTime;
    this.output = this.buffers[this.current];
  }
}
defineOperator(Feedback);
