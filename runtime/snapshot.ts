/**
 * PNG output of a texture, through pngjs (a maintained encoder; we do not write our own).
 * Values are clamped to 0..1 and written as 8-bit without an sRGB curve: the same bytes the
 * window's bgra8unorm surface shows.
 */
import { PNG } from "pngjs";
import { writeFileSync } from "node:fs";

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
