import { readFileSync, statSync } from "node:fs";
import { extname, isAbsolute } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { TextureOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { bool, path } from "../../runtime/chain/params.ts";
import { OUTPUT_FORMAT, type TextureHandle } from "../../runtime/gpu/gpu.ts";

const IMAGE_USAGE = 0x04 /* TEXTURE_BINDING */ | 0x10 /* RENDER_ATTACHMENT */ | 0x02 /* COPY_DST */ | 0x01 /* COPY_SRC */;

/** What is on the GPU: which file, as of which modification, at what size. */
interface LoadedImage {
  path: string;
  mtimeMs: number;
  width: number;
  height: number;
}

/**
 * A PNG (pngjs) or JPEG (jpeg-js) file at its native size. It is decoded and uploaded once, with
 * `queue.writeTexture`, into a pooled RGBA16F texture (bytes / 255, no colour-space curve: the same
 * values a snapshot writes back); it cooks again only when `file` changes. A reload that keeps the name
 * and the file (same modification time) neither decodes nor uploads: the pool hands back the same
 * texture, pixels and all.
 *
 * Paths: `file` must be absolute. A chain file names its own assets with
 * `join(import.meta.dir, "assets/photo.png")` (import.meta.dir is the chain file's folder, i.e. the
 * project folder); a relative path is an error that says so, rather than a guess between the project
 * folder and the directory `bun vivid` was started in.
 *
 * Params as the original's Image. Deviations: only PNG and JPEG (the original also read BMP, TGA, EXR);
 * `getPixel` / `getAverageColor` (with keepCpuData) return RGBA in 0..1.
 */
export class Image extends TextureOperator {
  static override readonly description = "A PNG or JPEG file at its native size";
  static override readonly params = {
    file: path("", "*.png;*.jpg;*.jpeg"),
    keepCpuData: bool(false),
  };

  declare file: string;
  declare keepCpuData: boolean;

  private loaded?: LoadedImage;
  /** The decoded RGBA8 pixels, kept only with keepCpuData. */
  private pixels?: Uint8Array;

  /** The file's size (1×1 until it is loaded). */
  override get outputSize(): [number, number] {
    return this.loaded ? [this.loaded.width, this.loaded.height] : [1, 1];
  }

  init(): void {}

  /** Its texture is pooled: a build that failed after uploading another image into it makes it upload its own again. */
  override contentsOverwritten(): boolean {
    return this.output !== undefined && !this.holdsOwnWrite(this.output);
  }

  cook(ctx: CookContext): void {
    const file = this.file;
    if (file === "") throw new Error(`Image "${this.name}": no file set (${this.name}.file = join(import.meta.dir, "photo.png"))`);
    if (!isAbsolute(file)) {
      throw new Error(`Image "${this.name}": file "${file}" is relative; pass an absolute path, e.g. join(import.meta.dir, "${file}") for a file beside the chain file`);
    }
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      throw new Error(`Image "${this.name}": file not found: ${file}`);
    }
    const loaded = this.loaded;
    if (loaded && loaded.path === file && loaded.mtimeMs === mtimeMs && (!this.keepCpuData || this.pixels)) {
      // Uploaded already, by this instance or by the one it replaced if the pool gave back its
      // texture, and no other instance has written into it since.
      if (this.holdsOwnWrite(this.acquire(loaded.width, loaded.height))) return;
    }
    const image = decodeImage(file);
    this.loaded = { path: file, mtimeMs, width: image.width, height: image.height };
    this.pixels = this.keepCpuData ? image.data : undefined;
    const texture = this.acquire(image.width, image.height);
    ctx.gpu.queue.writeTexture({ texture: texture.texture }, rgba8ToHalf(image.data), { bytesPerRow: image.width * 8, rowsPerImage: image.height }, [image.width, image.height]);
    this.wrote(texture);
  }

  /** The pooled texture for this size (dropping one of another size). */
  private acquire(width: number, height: number): TextureHandle {
    if (this.output && (this.output.width !== width || this.output.height !== height)) {
      this.scope.drop(this.output);
      this.output = undefined;
    }
    this.output ??= this.scope.texture({ width, height, format: OUTPUT_FORMAT, usage: IMAGE_USAGE, slot: "image" });
    return this.output;
  }

  /** RGBA (0..1) of pixel (x, y); needs keepCpuData. */
  getPixel(x: number, y: number): [number, number, number, number] {
    const [r, g, b, a] = this.getAverageColor(x, y, 1, 1);
    return [r, g, b, a];
  }

  /** Mean RGBA (0..1) over a rectangle, clipped to the image; needs keepCpuData. */
  getAverageColor(x: number, y: number, width: number, height: number): [number, number, number, number] {
    const pixels = this.pixels;
    const loaded = this.loaded;
    if (!pixels || !loaded) throw new Error(`Image "${this.name}": set keepCpuData = true (and let it cook) to read pixels on the CPU`);
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(loaded.width, Math.floor(x + width));
    const y1 = Math.min(loaded.height, Math.floor(y + height));
    const sum = [0, 0, 0, 0];
    for (let row = y0; row < y1; row++) {
      for (let col = x0; col < x1; col++) {
        const i = (row * loaded.width + col) * 4;
        for (let c = 0; c < 4; c++) sum[c]! += pixels[i + c]!;
      }
    }
    const n = Math.max(1, (x1 - x0) * (y1 - y0));
    return [sum[0]! / n / 255, sum[1]! / n / 255, sum[2]! / n / 255, sum[3]! / n / 255];
  }

  /** Keep what the previous instance uploaded: `cook` checks that the pool gave back the same texture. */
  override adopt(previous: this): void {
    this.loaded = previous.loaded;
    this.pixels = previous.pixels;
    if (previous.output) this.adoptWrite(previous.output, previous);
  }
}
defineOperator(Image);

/** Decodes a PNG or JPEG file to RGBA8. */
export function decodeImage(file: string): { width: number; height: number; data: Uint8Array } {
  const bytes = readFileSync(file);
  const extension = extname(file).toLowerCase();
  if (extension === ".png") {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  }
  if (extension === ".jpg" || extension === ".jpeg") {
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return { width: image.width, height: image.height, data: image.data };
  }
  throw new Error(`${file}: unsupported image type "${extension}" (PNG and JPEG are)`);
}

/** 8-bit channel value → IEEE half bits, for the 256 possible bytes. */
const BYTE_TO_HALF = (() => {
  const table = new Uint16Array(256);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < 256; i++) {
    f32[0] = i / 255;
    const bits = u32[0]!;
    const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    // i/255 ≥ 1/255 is a normal half; round the 23-bit mantissa to 10 bits (ties up), carrying into the exponent.
    table[i] = i === 0 ? 0 : (exponent << 10) + Math.round((bits & 0x7fffff) / 8192);
  }
  return table;
})();

function rgba8ToHalf(data: Uint8Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = BYTE_TO_HALF[data[i]!]!;
  return out;
}
