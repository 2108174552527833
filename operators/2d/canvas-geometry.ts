/**
 * CPU geometry for the Canvas: 2D affine transforms, curve flattening, polygon fills (earcut, with
 * holes found by nesting) and strokes as quads with joins and caps, plus CSS colour parsing. Pure
 * functions over plain arrays, tested without a GPU.
 */
import earcut from "earcut";

/** An affine transform [a, b, c, d, e, f]: x' = a·x + c·y + e, y' = b·x + d·y + f (as DOMMatrix). */
export type Matrix = [number, number, number, number, number, number];

export const IDENTITY: Readonly<Matrix> = [1, 0, 0, 1, 0, 0];

/** m · n (n applied first). */
export function multiply(m: Readonly<Matrix>, n: Readonly<Matrix>): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

export function invert(m: Readonly<Matrix>): Matrix | undefined {
  const det = m[0] * m[3] - m[1] * m[2];
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return undefined;
  const inv = 1 / det;
  return [m[3] * inv, -m[1] * inv, -m[2] * inv, m[0] * inv, (m[2] * m[5] - m[3] * m[4]) * inv, (m[1] * m[4] - m[0] * m[5]) * inv];
}

/** The largest factor by which `m` stretches a length (for flattening tolerances). */
export function maxScale(m: Readonly<Matrix>): number {
  return Math.max(Math.hypot(m[0], m[1]), Math.hypot(m[2], m[3]), 1e-6);
}

/** Transforms the points of `xy` (x, y, x, y, …) in place. */
export function transformPoints(m: Readonly<Matrix>, xy: number[] | Float32Array): void {
  for (let i = 0; i < xy.length; i += 2) {
    const x = xy[i]!;
    const y = xy[i + 1]!;
    xy[i] = m[0] * x + m[2] * y + m[4];
    xy[i + 1] = m[1] * x + m[3] * y + m[5];
  }
}

/** Flattening tolerance in device pixels: a curve never strays further from its polyline. */
export const TOLERANCE = 0.25;
const MAX_SEGMENTS = 512;

/** Appends the points of a quadratic Bézier after p0 (p0 itself not included). */
export function flattenQuadratic(out: number[], x0: number, y0: number, cx: number, cy: number, x: number, y: number, tolerance = TOLERANCE): void {
  const dd = Math.hypot(x0 - 2 * cx + x, y0 - 2 * cy + y);
  const n = Math.min(MAX_SEGMENTS, Math.max(1, Math.ceil(Math.sqrt(dd / (4 * tolerance)))));
  for (let i = 1; i <= n; i++) {
    const t = i / n;
    const mt = 1 - t;
    out.push(mt * mt * x0 + 2 * mt * t * cx + t * t * x, mt * mt * y0 + 2 * mt * t * cy + t * t * y);
  }
}

/** Appends the points of a cubic Bézier after p0. */
export function flattenCubic(out: number[], x0: number, y0: number, c1x: number, c1y: number, c2x: number, c2y: number, x: number, y: number, tolerance = TOLERANCE): void {
  const dd = Math.max(Math.hypot(x0 - 2 * c1x + c2x, y0 - 2 * c1y + c2y), Math.hypot(c1x - 2 * c2x + x, c1y - 2 * c2y + y));
  const n = Math.min(MAX_SEGMENTS, Math.max(1, Math.ceil(Math.sqrt((3 * dd) / (4 * tolerance)))));
  for (let i = 1; i <= n; i++) {
    const t = i / n;
    const mt = 1 - t;
    const a = mt * mt * mt;
    const b = 3 * mt * mt * t;
    const c = 3 * mt * t * t;
    const d = t * t * t;
    out.push(a * x0 + b * c1x + c * c2x + d * x, a * y0 + b * c1y + c * c2y + d * y);
  }
}

/** Segments for an arc of `sweep` radians and radius `radius` within `tolerance`. */
export function arcSegments(radius: number, sweep: number, tolerance = TOLERANCE): number {
  if (radius <= tolerance) return Math.max(1, Math.ceil(Math.abs(sweep) / (Math.PI / 2)));
  const step = 2 * Math.acos(1 - tolerance / radius);
  return Math.min(MAX_SEGMENTS, Math.max(1, Math.ceil(Math.abs(sweep) / step)));
}

/**
 * The signed sweep of an HTML-canvas arc from `start` to `end`: clockwise (in y-down pixels) unless
 * `counterclockwise`; a difference of 2π or more is a full turn.
 */
export function arcSweep(start: number, end: number, counterclockwise: boolean): number {
  const TAU = Math.PI * 2;
  let sweep = end - start;
  if (!counterclockwise) {
    if (sweep >= TAU) return TAU;
    sweep %= TAU;
    if (sweep < 0) sweep += TAU;
  } else {
    if (sweep <= -TAU) return -TAU;
    sweep %= TAU;
    if (sweep > 0) sweep -= TAU;
  }
  return sweep;
}

// ── fills ────────────────────────────────────────────────────────────────────────────────────────

function signedArea(xy: ArrayLike<number>): number {
  let area = 0;
  const n = xy.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) area += (xy[j]! - xy[i]!) * (xy[j + 1]! + xy[i + 1]!);
  return area / 2;
}

function contains(xy: ArrayLike<number>, x: number, y: number): boolean {
  let inside = false;
  const n = xy.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = xy[i]!;
    const yi = xy[i + 1]!;
    const xj = xy[j]!;
    const yj = xy[j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Triangulates closed contours (x, y, … each). A contour inside an odd number of others is a hole of
 * the smallest one around it, so glyphs ("o", "%") and paths with cut-outs fill as expected.
 * Calls `emit(x, y)` three times per triangle.
 */
export function fillContours(contours: ArrayLike<number>[], emit: (x: number, y: number) => void): void {
  const shapes = contours
    .filter((c) => c.length >= 6)
    .map((points) => ({ points, area: Math.abs(signedArea(points)), depth: 0, parent: -1, holes: [] as number[] }))
    .filter((s) => s.area > 1e-9)
    .sort((a, b) => b.area - a.area);
  for (let i = 0; i < shapes.length; i++) {
    const shape = shapes[i]!;
    for (let j = i - 1; j >= 0; j--) {
      if (contains(shapes[j]!.points, shape.points[0]!, shape.points[1]!)) {
        shape.parent = j;
        shape.depth = shapes[j]!.depth + 1;
        break;
      }
    }
    if (shape.depth % 2 === 1) shapes[shape.parent]!.holes.push(i);
  }
  for (const shape of shapes) {
    if (shape.depth % 2 === 1) continue;
    const data: number[] = Array.from(shape.points);
    const holeIndices: number[] = [];
    for (const h of shape.holes) {
      holeIndices.push(data.length / 2);
      const hole = shapes[h]!.points;
      for (let k = 0; k < hole.length; k++) data.push(hole[k]!);
    }
    const triangles = earcut(data, holeIndices.length ? holeIndices : undefined, 2);
    for (const index of triangles) emit(data[index * 2]!, data[index * 2 + 1]!);
  }
}

// ── strokes ──────────────────────────────────────────────────────────────────────────────────────

export type LineCap = "butt" | "round" | "square";
export type LineJoin = "miter" | "round" | "bevel";

export interface StrokeStyle {
  halfWidth: number;
  cap: LineCap;
  join: LineJoin;
  miterLimit: number;
  /** Flattening tolerance for round joins and caps, in the stroke's own units. */
  tolerance: number;
}

/** Drops points that repeat the previous one (and, closed, the last that repeats the first). */
function dedupe(xy: ArrayLike<number>, closed: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < xy.length; i += 2) {
    const x = xy[i]!;
    const y = xy[i + 1]!;
    const n = out.length;
    if (n >= 2 && Math.abs(out[n - 2]! - x) < 1e-6 && Math.abs(out[n - 1]! - y) < 1e-6) continue;
    out.push(x, y);
  }
  if (closed && out.length >= 4 && Math.abs(out[0]! - out[out.length - 2]!) < 1e-6 && Math.abs(out[1]! - out[out.length - 1]!) < 1e-6) out.length -= 2;
  return out;
}

/**
 * Triangulates the stroke of a polyline: one quad per segment, joins at corners (miter within
 * `miterLimit`, else bevel; round; bevel) and caps at the ends of an open line. Overlaps between
 * segments are drawn twice (a translucent stroke is darker at joins, as the original's).
 */
export function strokePolyline(xy: ArrayLike<number>, closed: boolean, style: StrokeStyle, tri: (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => void): void {
  const p = dedupe(xy, closed);
  const n = p.length / 2;
  const w = style.halfWidth;
  if (n < 2 || w <= 0) return;
  const segments = closed ? n : n - 1;
  const dirs: number[] = [];
  for (let i = 0; i < segments; i++) {
    const j = (i + 1) % n;
    const dx = p[j * 2]! - p[i * 2]!;
    const dy = p[j * 2 + 1]! - p[i * 2 + 1]!;
    const length = Math.hypot(dx, dy);
    dirs.push(dx / length, dy / length);
  }
  for (let i = 0; i < segments; i++) {
    const j = (i + 1) % n;
    const nx = -dirs[i * 2 + 1]! * w;
    const ny = dirs[i * 2]! * w;
    const ax = p[i * 2]!;
    const ay = p[i * 2 + 1]!;
    const bx = p[j * 2]!;
    const by = p[j * 2 + 1]!;
    tri(ax + nx, ay + ny, bx + nx, by + ny, bx - nx, by - ny);
    tri(ax + nx, ay + ny, bx - nx, by - ny, ax - nx, ay - ny);
  }
  // Joins: at every vertex of a closed line, at the inner vertices of an open one.
  for (let k = closed ? 0 : 1; k < (closed ? n : n - 1); k++) {
    const inSeg = (k - 1 + segments) % segments;
    const outSeg = k % segments;
    join(p[k * 2]!, p[k * 2 + 1]!, dirs[inSeg * 2]!, dirs[inSeg * 2 + 1]!, dirs[outSeg * 2]!, dirs[outSeg * 2 + 1]!, style, tri);
  }
  if (!closed) {
    cap(p[0]!, p[1]!, -dirs[0]!, -dirs[1]!, style, tri);
    const last = segments - 1;
    cap(p[(n - 1) * 2]!, p[(n - 1) * 2 + 1]!, dirs[last * 2]!, dirs[last * 2 + 1]!, style, tri);
  }
}

type Tri = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => void;

function join(x: number, y: number, d0x: number, d0y: number, d1x: number, d1y: number, style: StrokeStyle, tri: Tri): void {
  const cross = d0x * d1y - d0y * d1x;
  const dot = d0x * d1x + d0y * d1y;
  if (Math.abs(cross) < 1e-9 && dot > 0) return; // straight on
  const w = style.halfWidth;
  // The outer side of the turn: away from the direction the line turns to.
  const side = cross > 0 ? -1 : 1;
  const n0x = -d0y * side * w;
  const n0y = d0x * side * w;
  const n1x = -d1y * side * w;
  const n1y = d1x * side * w;
  if (style.join === "round") {
    fan(x, y, Math.atan2(n0y, n0x), Math.atan2(n1y, n1x), w, style.tolerance, tri);
    return;
  }
  if (style.join === "miter") {
    const mx = n0x + n1x;
    const my = n0y + n1y;
    const ml = Math.hypot(mx, my);
    // |miter| / halfWidth = 1 / cos(θ/2); HTML compares that ratio with miterLimit.
    const cosHalf = ml / (2 * w);
    if (cosHalf > 1e-6 && 1 / cosHalf <= style.miterLimit) {
      const length = w / cosHalf;
      const tipX = x + (mx / ml) * length;
      const tipY = y + (my / ml) * length;
      tri(x, y, x + n0x, y + n0y, tipX, tipY);
      tri(x, y, tipX, tipY, x + n1x, y + n1y);
      return;
    }
  }
  tri(x, y, x + n0x, y + n0y, x + n1x, y + n1y);
}

function cap(x: number, y: number, dx: number, dy: number, style: StrokeStyle, tri: Tri): void {
  const w = style.halfWidth;
  const nx = -dy * w;
  const ny = dx * w;
  if (style.cap === "square") {
    const ex = dx * w;
    const ey = dy * w;
    tri(x + nx, y + ny, x + nx + ex, y + ny + ey, x - nx + ex, y - ny + ey);
    tri(x + nx, y + ny, x - nx + ex, y - ny + ey, x - nx, y - ny);
  } else if (style.cap === "round") {
    const start = Math.atan2(ny, nx);
    // Half a turn from +n through the line's direction to −n.
    const through = Math.atan2(dy, dx);
    const sweep = normalizeAngle(through - start) > 0 ? Math.PI : -Math.PI;
    fan(x, y, start, start + sweep, w, style.tolerance, tri);
  }
}

function normalizeAngle(a: number): number {
  while (a > Math.PI) a -= 2 * Math.PI;
  while (a < -Math.PI) a += 2 * Math.PI;
  return a;
}

/** A triangle fan around (x, y) from angle a0 to a1 the short way (or exactly a1 − a0 when |Δ| = π). */
function fan(x: number, y: number, a0: number, a1: number, radius: number, tolerance: number, tri: Tri): void {
  let sweep = a1 - a0;
  if (Math.abs(Math.abs(sweep) - Math.PI) > 1e-9) sweep = normalizeAngle(sweep);
  const n = arcSegments(radius, sweep, tolerance);
  let px = x + Math.cos(a0) * radius;
  let py = y + Math.sin(a0) * radius;
  for (let i = 1; i <= n; i++) {
    const a = a0 + (sweep * i) / n;
    const qx = x + Math.cos(a) * radius;
    const qy = y + Math.sin(a) * radius;
    tri(x, y, px, py, qx, qy);
    px = qx;
    py = qy;
  }
}

// ── colours ──────────────────────────────────────────────────────────────────────────────────────

export type CanvasColor = string | readonly number[];

const NAMED: Record<string, [number, number, number, number]> = {
  transparent: [0, 0, 0, 0],
  black: [0, 0, 0, 1],
  white: [1, 1, 1, 1],
  red: [1, 0, 0, 1],
  lime: [0, 1, 0, 1],
  green: [0, 128 / 255, 0, 1],
  blue: [0, 0, 1, 1],
  yellow: [1, 1, 0, 1],
  cyan: [0, 1, 1, 1],
  aqua: [0, 1, 1, 1],
  magenta: [1, 0, 1, 1],
  fuchsia: [1, 0, 1, 1],
  orange: [1, 165 / 255, 0, 1],
  purple: [128 / 255, 0, 128 / 255, 1],
  gray: [128 / 255, 128 / 255, 128 / 255, 1],
  grey: [128 / 255, 128 / 255, 128 / 255, 1],
  pink: [1, 192 / 255, 203 / 255, 1],
};

/**
 * A colour as [r, g, b, a] (0..1): an array [r, g, b] / [r, g, b, a] in 0..1 (vivid's convention),
 * or a CSS string: "#rgb", "#rgba", "#rrggbb", "#rrggbbaa", "rgb(…)", "rgba(…)", "hsl(…)", "hsla(…)"
 * or a basic colour name.
 */
export function parseColor(value: CanvasColor): [number, number, number, number] {
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const v = value as readonly number[];
    if ((v.length === 3 || v.length === 4) && v.every((c) => typeof c === "number" && Number.isFinite(c))) return [v[0]!, v[1]!, v[2]!, v[3] ?? 1];
  } else if (typeof value === "string") {
    const s = value.trim().toLowerCase();
    if (NAMED[s]) return [...NAMED[s]];
    const hex = /^#([0-9a-f]{3,8})$/.exec(s)?.[1];
    if (hex && [3, 4, 6, 8].includes(hex.length)) {
      const short = hex.length <= 4;
      const digits = short ? [...hex].map((c) => c + c) : hex.match(/../g)!;
      const [r, g, b, a = "ff"] = digits;
      return [parseInt(r!, 16) / 255, parseInt(g!, 16) / 255, parseInt(b!, 16) / 255, parseInt(a, 16) / 255];
    }
    const fn = /^(rgba?|hsla?)\(([^)]*)\)$/.exec(s);
    if (fn) {
      const parts = fn[2]!.split(/[\s,/]+/).filter(Boolean);
      const num = (p: string | undefined, scale: number) => (p === undefined ? 1 : p.endsWith("%") ? parseFloat(p) / 100 : parseFloat(p) / scale);
      if (parts.length >= 3) {
        const alpha = num(parts[3], 1);
        if (fn[1]!.startsWith("rgb")) return [num(parts[0], 255), num(parts[1], 255), num(parts[2], 255), alpha];
        const h = (((parseFloat(parts[0]!) % 360) + 360) % 360) / 360;
        const sat = num(parts[1], 100);
        const light = num(parts[2], 100);
        const q = light < 0.5 ? light * (1 + sat) : light + sat - light * sat;
        const p = 2 * light - q;
        const channel = (t: number) => {
          t = (t + 1) % 1;
          if (t < 1 / 6) return p + (q - p) * 6 * t;
          if (t < 1 / 2) return q;
          if (t < 2 / 3) return p + (q - p) * (2 / 3 - t) * 6;
          return p;
        };
        return [channel(h + 1 / 3), channel(h), channel(h - 1 / 3), alpha];
      }
    }
  }
  throw new TypeError(`not a colour: ${JSON.stringify(value)} (use [r, g, b, a] in 0..1 or a CSS colour such as "#ff8800")`);
}
