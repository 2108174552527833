/**
 * The parts of opentype.js 2.0 the Canvas uses. opentype.js 2.0 ships no types, and
 * @types/opentype.js describes 1.x, whose `font.names.fontFamily.en` is gone in 2.0 (names are now
 * split per platform; `getEnglishName` reads them). Declaring only what we call keeps the compiler
 * honest about the version installed.
 */
declare module "opentype.js" {
  export type PathCommand =
    | { type: "M" | "L"; x: number; y: number }
    | { type: "Q"; x1: number; y1: number; x: number; y: number }
    | { type: "C"; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
    | { type: "Z" };

  export interface Path {
    commands: PathCommand[];
  }

  export interface Glyph {
    advanceWidth?: number;
    /** The outline at (x, y), scaled so one em is `fontSize` units; y grows downwards. */
    getPath(x: number, y: number, fontSize: number): Path;
  }

  export interface Font {
    unitsPerEm: number;
    ascender: number;
    descender: number;
    tables: Record<string, unknown>;
    charToGlyph(char: string): Glyph;
    getKerningValue(left: Glyph, right: Glyph): number;
    /** A name-table entry in English (any platform), e.g. "fontFamily". */
    getEnglishName(name: string): string | undefined;
  }

  export function parse(buffer: ArrayBuffer): Font;

  const opentype: { parse: typeof parse };
  export default opentype;
}
