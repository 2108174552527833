/**
 * A reader for the XWD files `xwd -root` writes, enough for Xvfb's 24-bit TrueColor screens, so window
 * tests need no ImageMagick. Layout (X11/XWDFile.h): a header of 25 big-endian CARD32 fields
 * (header_size first), the window name up to header_size, then ncolors × 12-byte XWDColor entries,
 * then the pixels, `bytes_per_line` per row.
 */

export interface XwdImage {
  width: number;
  height: number;
  /** The pixel at (x, y) as [r, g, b], 0..255. */
  rgb(x: number, y: number): [number, number, number];
}

const FIELD = {
  headerSize: 0,
  fileVersion: 1,
  pixmapDepth: 3,
  width: 4,
  height: 5,
  byteOrder: 7,
  bitsPerPixel: 11,
  bytesPerLine: 12,
  visualClass: 13,
  redMask: 14,
  greenMask: 15,
  blueMask: 16,
  ncolors: 19,
} as const;

const TRUE_COLOR = 4;
const DIRECT_COLOR = 5;

export function parseXwd(bytes: Uint8Array): XwdImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const field = (index: number) => view.getUint32(index * 4, false);
  if (field(FIELD.fileVersion) !== 7) throw new Error(`not an XWD version 7 file (version ${field(FIELD.fileVersion)})`);
  const visualClass = field(FIELD.visualClass);
  const bitsPerPixel = field(FIELD.bitsPerPixel);
  if ((visualClass !== TRUE_COLOR && visualClass !== DIRECT_COLOR) || (bitsPerPixel !== 32 && bitsPerPixel !== 24)) {
    throw new Error(`unsupported XWD: visual class ${visualClass}, ${bitsPerPixel} bits per pixel`);
  }
  const width = field(FIELD.width);
  const height = field(FIELD.height);
  const bytesPerLine = field(FIELD.bytesPerLine);
  const littleEndian = field(FIELD.byteOrder) === 0; // LSBFirst
  const masks = [field(FIELD.redMask), field(FIELD.greenMask), field(FIELD.blueMask)];
  const shifts = masks.map((mask) => Math.log2(mask & -mask));
  const dataStart = field(FIELD.headerSize) + field(FIELD.ncolors) * 12;
  const bytesPerPixel = bitsPerPixel / 8;
  if (dataStart + bytesPerLine * height > bytes.byteLength) throw new Error("XWD file is truncated");

  return {
    width,
    height,
    rgb(x, y) {
      if (x < 0 || y < 0 || x >= width || y >= height) throw new Error(`pixel (${x}, ${y}) outside ${width}×${height}`);
      const at = dataStart + y * bytesPerLine + x * bytesPerPixel;
      let pixel: number;
      if (bytesPerPixel === 4) pixel = view.getUint32(at, littleEndian);
      else pixel = littleEndian ? bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) : (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
      return masks.map((mask, i) => ((pixel & mask) >>> shifts[i]!) & 0xff) as [number, number, number];
    },
  };
}
