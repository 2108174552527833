/**
 * Fonts for the Canvas: parsed with opentype.js (TTF, OTF, WOFF), each glyph's outline flattened and
 * triangulated once, in em units, and cached per font, so drawing text is only a transform of cached
 * triangles. The bundled face is Roboto Mono (@fontsource/roboto-mono, latin 400).
 */
/// <reference path="./opentype.d.ts" />
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import opentype, { type Font } from "opentype.js";
import { fillContours, flattenCubic, flattenQuadratic } from "./canvas-geometry.ts";

// Resolved like an import, so it is found wherever the package manager put @fontsource (hoisted
// beside Vivid in a project that installs it, or in this repository's own node_modules).
export const DEFAULT_FONT_PATH = fileURLToPath(import.meta.resolve("@fontsource/roboto-mono/files/roboto-mono-latin-400-normal.woff"));
export const DEFAULT_FONT_FAMILY = "Roboto Mono";

/** Flattening tolerance in em units: 0.25 px at a 125 px font. */
const EM_TOLERANCE = 0.002;

/** One glyph in em units, y down, origin on the baseline at the pen position. */
export interface GlyphShape {
  /** Triangles: x, y per vertex, three vertices each. */
  triangles: Float32Array;
  /** Closed outline contours (for strokeText). */
  contours: Float32Array[];
  /** Advance in em. */
  advance: number;
}

export interface FontMetrics {
  /** Baseline to the top of the em box, in em (positive). */
  ascent: number;
  /** Baseline to the bottom of the em box, in em (positive). */
  descent: number;
  /** Recommended line spacing in em. */
  lineHeight: number;
}

/** A parsed font and its glyph cache. Shared by every canvas that uses the same file. */
export class CanvasFont {
  readonly metrics: FontMetrics;
  private glyphs = new Map<string, GlyphShape>();
  private kernings = new Map<string, number>();

  constructor(
    readonly family: string,
    private font: Font,
  ) {
    const em = font.unitsPerEm;
    const ascent = font.ascender / em;
    const descent = -font.descender / em;
    const lineGap = ((font.tables as { hhea?: { lineGap?: number } }).hhea?.lineGap ?? 0) / em;
    this.metrics = { ascent, descent, lineHeight: ascent + descent + lineGap };
  }

  /** Glyphs cached: a measure of the cache, for tests. */
  get cachedGlyphs(): number {
    return this.glyphs.size;
  }

  /** The shape of one character (a code point), tessellated on first use. */
  glyph(char: string): GlyphShape {
    let shape = this.glyphs.get(char);
    if (!shape) {
      shape = this.tessellate(char);
      this.glyphs.set(char, shape);
    }
    return shape;
  }

  /** Kerning between two characters, in em. */
  kerning(left: string, right: string): number {
    const pair = left + "\u0000" + right;
    let value = this.kernings.get(pair);
    if (value === undefined) {
      value = this.font.getKerningValue(this.font.charToGlyph(left), this.font.charToGlyph(right)) / this.font.unitsPerEm;
      this.kernings.set(pair, value);
    }
    return value;
  }

  /** Width of `text` in em, with `spacingEm` added between characters. */
  measure(text: string, spacingEm = 0): number {
    let width = 0;
    let previous: string | undefined;
    for (const char of text) {
      if (previous !== undefined) width += this.kerning(previous, char) + spacingEm;
      width += this.glyph(char).advance;
      previous = char;
    }
    return width;
  }

  private tessellate(char: string): GlyphShape {
    const glyph = this.font.charToGlyph(char);
    const path = glyph.getPath(0, 0, 1);
    const contours: number[][] = [];
    let current: number[] | undefined;
    let x = 0;
    let y = 0;
    for (const command of path.commands) {
      switch (command.type) {
        case "M":
          current = [command.x, command.y];
          contours.push(current);
          x = command.x;
          y = command.y;
          break;
        case "L":
          current?.push(command.x, command.y);
          x = command.x;
          y = command.y;
          break;
        case "Q":
          if (current) flattenQuadratic(current, x, y, command.x1, command.y1, command.x, command.y, EM_TOLERANCE);
          x = command.x;
          y = command.y;
          break;
        case "C":
          if (current) flattenCubic(current, x, y, command.x1, command.y1, command.x2, command.y2, command.x, command.y, EM_TOLERANCE);
          x = command.x;
          y = command.y;
          break;
        case "Z":
          current = undefined;
          break;
      }
    }
    const triangles: number[] = [];
    fillContours(contours, (px, py) => triangles.push(px, py));
    return {
      triangles: new Float32Array(triangles),
      contours: contours.filter((c) => c.length >= 6).map((c) => new Float32Array(c)),
      advance: (glyph.advanceWidth ?? 0) / this.font.unitsPerEm,
    };
  }
}

const loaded = new Map<string, CanvasFont>();

/** Loads (once per process) the font at `path`; `family` defaults to the file's own family name. */
export function loadCanvasFont(path: string, family?: string): CanvasFont {
  const key = resolve(path);
  let font = loaded.get(key);
  if (!font) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(key);
    } catch {
      throw new Error(`font file not found: ${key}`);
    }
    const parsed = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    font = new CanvasFont(family ?? parsed.getEnglishName("fontFamily") ?? key, parsed);
    loaded.set(key, font);
  }
  return font;
}

/** The bundled Roboto Mono. */
export function defaultFont(): CanvasFont {
  return loadCanvasFont(DEFAULT_FONT_PATH, DEFAULT_FONT_FAMILY);
}
