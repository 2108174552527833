/**
 * PNG output of a texture, through pngjs (a maintained encoder; we do not write our own).
 * Values are clamped to 0..1 and written as 8-bit without an sRGB curve: the same bytes the
 * window's bgra8unorm surface shows.
 */
import { PNG } from "pngjs";
import { writeFileSync } from "node:fs";
import type { Gpu, TextureHandleLike } from "./gpu/gpu.ts";

/**
 * Float RGBA → 8-bit. With `opaque`, alpha is written as 255: the window shows the colour channels over
 * black (operators output premultiplied colour), and a snapshot should look like the window.
 */
export function rgbaFloatToBytes(pixels: Float32Array, opaque = false): Uint8Array {
  const bytes = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, pixels[i]!)) * 255);
  if (opaque) for (let i = 3; i < bytes.length; i += 4) bytes[i] = 255;
  return bytes;
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png);
}

export function writePng(path: string, width: number, height: number, rgba: Uint8Array): void {
  writeFileSync(path, encodePng(width, height, rgba));
}

export function readPng(data: Buffer): { width: number; height: number; data: Uint8Array } {
  const png = PNG.sync.read(data);
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

/**
 * A texture as 8-bit RGBA (see rgbaFloatToBytes), converted strip by strip as it is read back: an
 * 8192×8192 output is 256 MiB here and never 1 GiB of floats.
 */
export async function readTextureRgba8(gpu: Gpu, texture: TextureHandleLike, opaque: boolean, stripBytes?: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(texture.width * texture.height * 4);
  await gpu.readTextureStrips(texture, (strip, firstRow) => bytes.set(rgbaFloatToBytes(strip, opaque), firstRow * texture.width * 4), stripBytes);
  return bytes;
}

/**
 * Writes `texture` to `path` as an opaque PNG. Never throws: a folder that is read-only or gone, a
 * full disk, a texture too big to read back come back as a message, and the caller goes on running.
 */
export async function saveSnapshot(gpu: Gpu, texture: TextureHandleLike, path: string): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    writePng(path, texture.width, texture.height, await readTextureRgba8(gpu, texture, true));
    return { ok: true };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `snapshot ${path} not written: ${typeof code === "string" && !reason.includes(code) ? `${code}: ` : ""}${reason}` };
  }
}
