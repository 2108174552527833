import { TextureOperator, defineOperator, type CookContext, type InitContext } from "../../runtime/chain/operator.ts";
import { float, int, vec2 } from "../../runtime/chain/params.ts";
import { FullscreenPass } from "../../runtime/gpu/fullscreen-pass.ts";
import type { TextureHandle } from "../../runtime/gpu/gpu.ts";
import { loadPixelShader } from "../../runtime/gpu/dispatch.ts";
import { ensureTexture, PassUniforms } from "./pass-uniforms.ts";
import { blurKernel, gaussianPass, type BlurKernel } from "./gaussian-passes.ts";

/** `struct BloomPass` in shaders/2d/bloom.wgsl: the layout of every Bloom pass's uniform buffer. */
export const BLOOM_PASS = { stepUv: vec2([0, 0]), radius: float(0), threshold: float(0), intensity: float(0) };

type Pass = { pass: FullscreenPass; uniforms: PassUniforms };

/**
 * Glow around bright areas: threshold (input → "bright"), `passes` × Gaussian blur horizontal
 * ("bright" → "tmp") and vertical ("tmp" → "bright"), then combine (input + bright × intensity →
 * output). Params as the original's Bloom. Every pass has its own uniform buffer (one encoder holds
 * them all). One difference: the threshold pass keeps (luma − threshold) / (1 − threshold) of a
 * colour, not (luma − threshold), so a white pixel glows fully whatever the threshold (the original
 * dimmed the glow as the threshold rose: at 0.8, white kept a fifth). Where the GPU dispatches
 * compute, the blur passes run the shared-memory kernel of operators/2d/gaussian-passes.ts.
 */
export class Bloom extends TextureOperator {
  static override readonly description = "Glow: threshold, blur, add";
  static readonly shader = "2d/bloom.wgsl";
  static readonly inputCount = 1;
  static override readonly params = {
    threshold: float(0.8, 0, 1),
    intensity: float(1, 0, 5),
    radius: float(10, 1, 50),
    passes: int(2, 1, 8),
  };

  declare threshold: number;
  declare intensity: number;
  declare radius: number;
  declare passes: number;

  private stages?: { threshold: Pass; horizontal: Pass; vertical: Pass; combine: Pass };
  private bright?: TextureHandle;
  private tmp?: TextureHandle;
  /** How the blur passes run (set at init, from the GPU's dispatch). */
  kernel?: BlurKernel;

  /** Whether compute blur passes use the shared-memory kernel (as Blur's). */
  protected sharedKernel(): boolean {
    return true;
  }

  init(_ctx: InitContext): void {
    this.requireInputs(1);
    // Each stage is a per-pixel function of bloom.wgsl, run as a fragment or compute pass as the GPU dispatches.
    const dispatch = this.scope.gpu.dispatch;
    const make = (slot: string, fn: string, inputCount: number): Pass => {
      const shader = loadPixelShader(Bloom.shader, dispatch, fn);
      const uniforms = new PassUniforms(shader, "BloomPass", BLOOM_PASS);
      return { uniforms, pass: new FullscreenPass(this.scope, { shader, inputCount, uniformSize: uniforms.size, slot, dispatch }) };
    };
    const kernel = (this.kernel = blurKernel(dispatch, this.sharedKernel()));
    const blurShader = loadPixelShader(Bloom.shader, dispatch, "blur");
    const blur = (axis: "horizontal" | "vertical"): Pass => {
      const uniforms = new PassUniforms(blurShader, "BloomPass", BLOOM_PASS);
      return { uniforms, pass: gaussianPass(this.scope, { kernel, axis, pixelShader: blurShader, structName: "BloomPass", uniformSize: uniforms.size }) };
    };
    this.stages = {
      threshold: make("threshold", "threshold", 1),
      horizontal: blur("horizontal"),
      vertical: blur("vertical"),
      combine: make("combine", "combine", 2),
    };
    this.ensureOutput();
    this.bright = ensureTexture(this.scope, this, this.bright, "bright");
    this.tmp = ensureTexture(this.scope, this, this.tmp, "tmp");
  }

  cook(ctx: CookContext): void {
    const out = this.ensureOutput();
    const bright = (this.bright = ensureTexture(this.scope, this, this.bright, "bright"));
    const tmp = (this.tmp = ensureTexture(this.scope, this, this.tmp, "tmp"));
    const [width, height] = this.outputSize;
    const { threshold, horizontal, vertical, combine } = this.stages!;
    const queue = ctx.gpu.queue;
    threshold.uniforms.set("threshold", this.threshold);
    horizontal.uniforms.set("stepUv", [1 / width, 0]).set("radius", this.radius);
    vertical.uniforms.set("stepUv", [0, 1 / height]).set("radius", this.radius);
    combine.uniforms.set("intensity", this.intensity);
    for (const { pass, uniforms } of [threshold, horizontal, vertical, combine]) pass.writeUniforms(queue, uniforms.data);

    const [source] = this.inputTextures(1);
    threshold.pass.write(ctx.frame, this.name, bright, [source!]);
    const iterations = Math.min(Math.max(Math.round(this.passes), 1), Bloom.params.passes.max!);
    for (let i = 0; i < iterations; i++) {
      horizontal.pass.write(ctx.frame, this.name, tmp, [bright]);
      vertical.pass.write(ctx.frame, this.name, bright, [tmp]);
    }
    combine.pass.write(ctx.frame, this.name, out, [source!, bright]);
  }
}
defineOperator(Bloom);
