import { TextureOperator, defineOperator, type CookContext, type InitContext } from "../../runtime/chain/operator.ts";
import { float, int, vec2 } from "../../runtime/chain/params.ts";
import type { FullscreenPass } from "../../runtime/gpu/fullscreen-pass.ts";
import type { TextureHandle } from "../../runtime/gpu/gpu.ts";
import { loadPixelShader } from "../../runtime/gpu/dispatch.ts";
import { ensureTexture, PassUniforms } from "./pass-uniforms.ts";
import { blurKernel, gaussianPass, type BlurKernel } from "./gaussian-passes.ts";

/** `struct BlurPass` in shaders/2d/blur.wgsl (also the layout of each blur pass's uniform buffer). */
export const BLUR_PASS = { stepUv: vec2([0, 0]), radius: float(0) };

/**
 * Separable Gaussian blur: a horizontal pass (input → "tmp") then a vertical one ("tmp" → output),
 * `passes` times over. Params as the original's Blur. Each direction is its own FullscreenPass with
 * its own uniform buffer: every pass of a frame goes into one encoder, and the original's Blur wrote
 * one buffer for both passes, which in one encoder means both run with the last write (vertical), so
 * nothing is blurred horizontally (docs/architecture.md#frame-discipline-nothing-created-per-frame).
 * tests/operators/filters.test.ts checks this. Where the GPU dispatches compute, both directions run
 * the shared-memory kernel of operators/2d/gaussian-passes.ts (same pixels, one texture read per
 * texel per workgroup instead of 2 × radius + 1 per pixel).
 */
export class Blur extends TextureOperator {
  static override readonly description = "Separable Gaussian blur";
  static readonly shader = "2d/blur.wgsl";
  static readonly inputCount = 1;
  static override readonly params = {
    radius: float(5, 0, 50),
    passes: int(1, 1, 10),
  };

  declare radius: number;
  declare passes: number;

  private horizontal?: { pass: FullscreenPass; uniforms: PassUniforms };
  private vertical?: { pass: FullscreenPass; uniforms: PassUniforms };
  private tmp?: TextureHandle;
  /** How the two passes run (set at init, from the GPU's dispatch). */
  kernel?: BlurKernel;

  /** Whether compute passes use the shared-memory kernel; the benchmark's per-pixel Blur says no. */
  protected sharedKernel(): boolean {
    return true;
  }

  init(_ctx: InitContext): void {
    this.requireInputs(1);
    // Fragment or compute passes as the GPU dispatches; on compute, the shared-memory kernel.
    const dispatch = this.scope.gpu.dispatch;
    const kernel = (this.kernel = blurKernel(dispatch, this.sharedKernel()));
    const pixelShader = loadPixelShader(Blur.shader, dispatch);
    const make = (axis: "horizontal" | "vertical") => {
      const uniforms = new PassUniforms(pixelShader, "BlurPass", BLUR_PASS);
      return { uniforms, pass: gaussianPass(this.scope, { kernel, axis, pixelShader, structName: "BlurPass", uniformSize: uniforms.size }) };
    };
    this.horizontal = make("horizontal");
    this.vertical = make("vertical");
    this.ensureOutput();
    this.tmp = ensureTexture(this.scope, this, this.tmp, "tmp");
  }

  /** Radius of the horizontal and of the vertical pass, in pixels: both `radius`. */
  protected passRadii(): [number, number] {
    return [this.radius, this.radius];
  }

  cook(ctx: CookContext): void {
    const out = this.ensureOutput();
    const tmp = (this.tmp = ensureTexture(this.scope, this, this.tmp, "tmp"));
    const [width, height] = this.outputSize;
    const [radiusX, radiusY] = this.passRadii();
    const horizontal = this.horizontal!;
    const vertical = this.vertical!;
    horizontal.uniforms.set("stepUv", [1 / width, 0]).set("radius", radiusX);
    vertical.uniforms.set("stepUv", [0, 1 / height]).set("radius", radiusY);
    horizontal.pass.writeUniforms(ctx.gpu.queue, horizontal.uniforms.data);
    vertical.pass.writeUniforms(ctx.gpu.queue, vertical.uniforms.data);
    const [source] = this.inputTextures(1);
    const iterations = Math.min(Math.max(Math.round(this.passes), 1), Blur.params.passes.max!);
    for (let i = 0; i < iterations; i++) {
      horizontal.pass.write(ctx.frame, this.name, tmp, [i === 0 ? source! : out]);
      vertical.pass.write(ctx.frame, this.name, out, [tmp]);
    }
  }
}
defineOperator(Blur);
