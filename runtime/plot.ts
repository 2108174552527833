/**
 * A small CPU raster for charts written as PNG (the soak's RSS plot): rectangles, lines and text
 * in RGBA pixels, no GPU. Text uses the bundled Roboto Mono, whose glyph outlines the Canvas
 * operator already flattens (operators/2d/canvas-text.ts); here they are filled by scanline with
 * the non-zero rule, 4 sub-rows per pixel and exact horizontal coverage, so small labels stay legible.
 */
import { defaultFont } from "../operators/2d/canvas-text.ts";

export type Rgb = readonly [number, number, number];

export class Raster {
  readonly rgba: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    this.rgba = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  /** Blends `color` over pixel (x, y) with coverage `alpha` (0..1); outside the raster, nothing. */
  blend(x: number, y: number, color: Rgb, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || alpha <= 0) return;
    const i = (y * this.width + x) * 4;
    const a = Math.min(1, alpha);
    for (let c = 0; c < 3; c++) this.rgba[i + c] = Math.round(this.rgba[i + c]! * (1 - a) + color[c]! * a);
    this.rgba[i + 3] = 255;
  }

  /** The colour at (x, y). */
  pixel(x: number, y: number): Rgb {
    const i = (y * this.width + x) * 4;
    return [this.rgba[i]!, this.rgba[i + 1]!, this.rgba[i + 2]!];
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb, alpha = 1): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let py = y0; py < y1; py++) for (let px = x0; px < x1; px++) this.blend(px, py, color, alpha);
  }

  /**
   * A line `thickness` px wide from (ax, ay) to (bx, by): a square brush stamped along it, one
   * stamp per pixel of length. `dash` > 0 leaves gaps of that many px every as many px.
   */
  line(ax: number, ay: number, bx: number, by: number, color: Rgb, thickness = 1, dash = 0): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(bx - ax), Math.abs(by - ay))));
    const half = (thickness - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      if (dash > 0 && Math.floor(s / dash) % 2 === 1) continue;
      const x = ax + ((bx - ax) * s) / steps;
      const y = ay + ((by - ay) * s) / steps;
      for (let dy = Math.round(y - half); dy <= Math.round(y + half); dy++) {
        for (let dx = Math.round(x - half); dx <= Math.round(x + half); dx++) this.blend(dx, dy, color);
      }
    }
  }

  /** Width of `text` in px at `sizePx`. */
  textWidth(text: string, sizePx: number): number {
    return defaultFont().measure(text) * sizePx;
  }

  /**
   * Draws `text` with its baseline at y and, by `align`, its left edge, centre or right edge at x.
   * `rotate` turns it a quarter counter-clockwise about (x, y), for a vertical axis title.
   */
  text(text: string, x: number, y: number, sizePx: number, color: Rgb, align: "left" | "center" | "right" = "left", rotate = false): void {
    const font = defaultFont();
    const width = this.textWidth(text, sizePx);
    const start = align === "left" ? 0 : align === "center" ? -width / 2 : -width;
    // Edges of every glyph outline, in text space: along the baseline from (0, 0), y down.
    const edges: number[] = [];
    let pen = start;
    let previous: string | undefined;
    for (const char of text) {
      if (previous !== undefined) pen += font.kerning(previous, char) * sizePx;
      for (const contour of font.glyph(char).contours) {
        const n = contour.length / 2;
        for (let k = 0; k < n; k++) {
          const j = (k + 1) % n;
          edges.push(pen + contour[k * 2]! * sizePx, contour[k * 2 + 1]! * sizePx, pen + contour[j * 2]! * sizePx, contour[j * 2 + 1]! * sizePx);
        }
      }
      pen += font.glyph(char).advance * sizePx;
      previous = char;
    }
    if (!rotate) {
      this.fillEdges(edges, x, y, color);
      return;
    }
    // A quarter turn counter-clockwise: text-space (u, v) lands at (x + v, y − u).
    const turned: number[] = [];
    for (let e = 0; e < edges.length; e += 2) turned.push(edges[e + 1]!, -edges[e]!);
    this.fillEdges(turned, x, y, color);
  }

  /** Fills closed outlines given as edges (x0, y0, x1, y1 each, offset by ox, oy) by the non-zero rule. */
  private fillEdges(edges: number[], ox: number, oy: number, color: Rgb): void {
    if (!edges.length) return;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let e = 0; e < edges.length; e += 2) {
      minX = Math.min(minX, edges[e]! + ox);
      maxX = Math.max(maxX, edges[e]! + ox);
      minY = Math.min(minY, edges[e + 1]! + oy);
      maxY = Math.max(maxY, edges[e + 1]! + oy);
    }
    const x0 = Math.max(0, Math.floor(minX));
    const x1 = Math.min(this.width, Math.ceil(maxX) + 1);
    const y0 = Math.max(0, Math.floor(minY));
    const y1 = Math.min(this.height, Math.ceil(maxY) + 1);
    const SUB = 4;
    const coverage = new Float32Array(Math.max(0, x1 - x0));
    const crossings: { x: number; dir: number }[] = [];
    for (let py = y0; py < y1; py++) {
      coverage.fill(0);
      for (let sub = 0; sub < SUB; sub++) {
        const sy = py + (sub + 0.5) / SUB;
        crossings.length = 0;
        for (let e = 0; e < edges.length; e += 4) {
          const ay = edges[e + 1]! + oy;
          const by = edges[e + 3]! + oy;
          if (ay <= sy === by <= sy) continue;
          const ax = edges[e]! + ox;
          const bx = edges[e + 2]! + ox;
          crossings.push({ x: ax + ((sy - ay) / (by - ay)) * (bx - ax), dir: by > ay ? 1 : -1 });
        }
        crossings.sort((a, b) => a.x - b.x);
        let winding = 0;
        for (let c = 0; c < crossings.length - 1; c++) {
          winding += crossings[c]!.dir;
          if (winding === 0) continue;
          // Inside from crossings[c].x to crossings[c + 1].x: add the exact overlap with each pixel.
          const from = crossings[c]!.x;
          const to = crossings[c + 1]!.x;
          for (let px = Math.max(x0, Math.floor(from)); px < Math.min(x1, Math.ceil(to)); px++) {
            coverage[px - x0]! += (Math.min(to, px + 1) - Math.max(from, px)) / SUB;
          }
        }
      }
      for (let px = x0; px < x1; px++) this.blend(px, py, color, coverage[px - x0]!);
    }
  }
}

/** Tick positions for an axis from lo to hi: steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}
