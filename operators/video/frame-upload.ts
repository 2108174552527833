/**
 * How VideoPlayer and Webcam put a decoded frame on the GPU: its RGBA8 bytes written as they are into
 * a pooled RGBA8 texture (`queue.writeTexture`, a copy), then one pass (shaders/video/frame.wgsl) into
 * the operator's RGBA16F output. Converting bytes to half floats on the CPU instead took ~20–70 ms a
 * 1080p frame on the frame thread (docs/performance.md). Everything is made once per size.
 */
import { FullscreenPass } from "../../runtime/gpu/fullscreen-pass.ts";
import type { Frame, GpuScope, TextureHandle } from "../../runtime/gpu/gpu.ts";
import { loadShader } from "../../runtime/gpu/shaders.ts";

const UPLOAD_USAGE = 0x04 /* TEXTURE_BINDING */ | 0x02 /* COPY_DST */;

export class FrameUpload {
  private pass: FullscreenPass;
  private upload?: TextureHandle;

  constructor(private scope: GpuScope) {
    this.pass = new FullscreenPass(scope, { shader: loadShader("video/frame.wgsl"), inputCount: 1, uniformSize: 16, slot: "frame" });
  }

  /** Records `pixels` (width × height RGBA8, rows from the top) into `frame`, drawn into `output`. */
  draw(frame: Frame, queue: GPUQueue, owner: string, pixels: Uint8Array, width: number, height: number, output: TextureHandle): void {
    if (this.upload && (this.upload.width !== width || this.upload.height !== height)) {
      this.scope.drop(this.upload);
      this.upload = undefined;
    }
    this.upload ??= this.scope.texture({ width, height, format: "rgba8unorm", usage: UPLOAD_USAGE, slot: "upload" });
    queue.writeTexture({ texture: this.upload.texture }, pixels as Uint8Array<ArrayBuffer>, { bytesPerRow: width * 4, rowsPerImage: height }, [width, height]);
    this.pass.draw(frame, owner, output.view, [this.upload]);
  }
}
