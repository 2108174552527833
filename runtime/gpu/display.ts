/**
 * The display pass: the chain's output texture drawn into the window's surface texture, stretched
 * to fill it (as the original does) or, with `fit`, letterboxed to keep its aspect ratio. Its
 * pipeline, sampler and bind groups come from the caches like everything else, owned by "display"
 * (the main window) or "output:<name>" (an output window, runtime/output-windows.ts).
 */
import { FullscreenPass } from "./fullscreen-pass.ts";
import type { Frame, Gpu, GpuScope, TextureHandle } from "./gpu.ts";
import { loadShader } from "./shaders.ts";

/** uv scale and offset that map window uv to output uv. */
export function displayTransform(fit: boolean, output: [number, number], target: [number, number]): [number, number, number, number] {
  if (!fit) return [1, 0, 1, 0];
  const outputAspect = output[0] / output[1];
  const targetAspect = target[0] / target[1];
  if (targetAspect > outputAspect) {
    const scale = targetAspect / outputAspect; // pillarbox: bars left and right
    return [scale, (1 - scale) / 2, 1, 0];
  }
  const scale = outputAspect / targetAspect; // letterbox: bars top and bottom
  return [1, 0, scale, (1 - scale) / 2];
}

export class DisplayPass {
  private scope: GpuScope;
  private pass: FullscreenPass;
  private overlayPass: FullscreenPass;
  private data = new Float32Array(4);
  private lastTransform = "";

  constructor(
    private gpu: Gpu,
    format: GPUTextureFormat,
    private fit = false,
    /** The census owner; each output window has its own ("output:<name>"), so its uniforms are its own. */
    private owner = "display",
  ) {
    this.scope = gpu.scope(owner);
    this.pass = new FullscreenPass(this.scope, { shader: loadShader("common/display.wgsl"), inputCount: 1, uniformSize: 16, slot: "display", format });
    // Premultiplied "over" for the error overlay.
    const over: GPUBlendComponent = { srcFactor: "one", dstFactor: "one-minus-src-alpha", operation: "add" };
    this.overlayPass = new FullscreenPass(this.scope, { shader: loadShader("common/overlay.wgsl"), inputCount: 1, uniformSize: 16, slot: "overlay", format, blend: { color: over, alpha: over } });
    this.overlayPass.writeUniforms(gpu.queue, new Float32Array([1, 0, 0, 0]));
  }

  /**
   * Records the pass into `frame`, drawing `output` into `target` (a surface texture view); no output:
   * black. An `overlay` (the error text, premultiplied) is blended over it.
   */
  draw(frame: Frame, output: TextureHandle | undefined, target: GPUTextureView, targetSize: [number, number], overlay?: TextureHandle): void {
    if (!output) {
      frame.renderPass(this.owner, { colorAttachments: [{ view: target, loadOp: "clear", storeOp: "store", clearValue: [0, 0, 0, 1] }] }).end();
    } else {
      this.drawOutput(frame, output, target, targetSize);
    }
    if (overlay) this.overlayPass.draw(frame, this.owner, target, [overlay], "load");
  }

  private drawOutput(frame: Frame, output: TextureHandle, target: GPUTextureView, targetSize: [number, number]): void {
    const [sx, ox, sy, oy] = displayTransform(this.fit, [output.width, output.height], targetSize);
    const key = `${sx},${ox},${sy},${oy}`;
    if (key !== this.lastTransform) {
      this.data.set([sx, sy, ox, oy]);
      this.pass.writeUniforms(this.gpu.queue, this.data);
      this.lastTransform = key;
    }
    this.pass.draw(frame, this.owner, target, [output]);
  }

  dispose(): void {
    this.scope.release();
  }
}
