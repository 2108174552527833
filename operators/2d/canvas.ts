import { TextureOperator, defineOperator, type CookContext, type InitContext } from "../../runtime/chain/operator.ts";
import { OUTPUT_FORMAT, type BufferHandle, type LayoutEntry, type TextureHandle } from "../../runtime/gpu/gpu.ts";
import { loadShader } from "../../runtime/gpu/shaders.ts";
import { ALPHA_BLEND } from "./circles.ts";
import {
  IDENTITY,
  TOLERANCE,
  arcSegments,
  arcSweep,
  fillContours,
  flattenCubic,
  flattenQuadratic,
  invert,
  maxScale,
  multiply,
  parseColor,
  strokePolyline,
  type CanvasColor,
  type LineCap,
  type LineJoin,
  type Matrix,
  type StrokeStyle,
} from "./canvas-geometry.ts";
import { defaultFont, loadCanvasFont, type CanvasFont } from "./canvas-text.ts";
import { GrowableBuffer } from "./draw-buffers.ts";

export type { CanvasColor, LineCap, LineJoin } from "./canvas-geometry.ts";
export type TextAlign = "start" | "end" | "left" | "right" | "center";
export type TextBaseline = "top" | "hanging" | "middle" | "alphabetic" | "ideographic" | "bottom";

const LINE_CAPS: readonly LineCap[] = ["butt", "round", "square"];
const LINE_JOINS: readonly LineJoin[] = ["miter", "round", "bevel"];
const TEXT_ALIGNS: readonly TextAlign[] = ["start", "end", "left", "right", "center"];
const TEXT_BASELINES: readonly TextBaseline[] = ["top", "hanging", "middle", "alphabetic", "ideographic", "bottom"];

/** Gradients one frame can evaluate on the GPU; more fall back to per-vertex colours. */
export const MAX_CANVAS_GRADIENTS = 16;
/** Colour stops per gradient (as the original). */
export const MAX_COLOR_STOPS = 8;

const VERTEX_FLOATS = 9; // position.xy, color.rgba, local.xy, paint (u32)
const VERTEX_BYTES = VERTEX_FLOATS * 4;
/** Vertices the GPU buffer starts with; it doubles when a frame needs more. */
const INITIAL_VERTICES = 4096;
const GRADIENT_FLOATS = 52; // 208 bytes, see canvas.wgsl
const UNIFORM_BYTES = 16 + MAX_CANVAS_GRADIENTS * GRADIENT_FLOATS * 4;

const VERTEX_STAGE = 0x1;
const FRAGMENT_STAGE = 0x2;
const UNIFORM = 0x40;
const COPY_DST = 0x08;

const VERTEX_LAYOUT: GPUVertexBufferLayout = {
  arrayStride: VERTEX_BYTES,
  stepMode: "vertex",
  attributes: [
    { shaderLocation: 0, offset: 0, format: "float32x2" },
    { shaderLocation: 1, offset: 8, format: "float32x4" },
    { shaderLocation: 2, offset: 24, format: "float32x2" },
    { shaderLocation: 3, offset: 32, format: "uint32" },
  ],
};

type GradientKind = "linear" | "radial" | "conic";
const GRADIENT_KINDS: Record<GradientKind, number> = { linear: 0, radial: 1, conic: 2 };

/** A gradient made by `createLinearGradient` / `createRadialGradient` / `createConicGradient`. */
export class CanvasGradient {
  readonly stops: Array<{ offset: number; color: [number, number, number, number] }> = [];

  constructor(
    readonly kind: GradientKind,
    /** linear: x0, y0, x1, y1; radial: x0, y0, r0, x1, y1, r1; conic: startAngle, x, y. */
    readonly geometry: readonly number[],
  ) {}

  /** Adds a stop (offset 0..1, kept sorted); at most MAX_COLOR_STOPS. */
  addColorStop(offset: number, color: CanvasColor): void {
    if (!Number.isFinite(offset) || offset < 0 || offset > 1) throw new RangeError(`addColorStop(${offset}, …): the offset must be in 0..1`);
    if (this.stops.length >= MAX_COLOR_STOPS) throw new RangeError(`addColorStop: a gradient holds at most ${MAX_COLOR_STOPS} colour stops`);
    const stop = { offset, color: parseColor(color) };
    let i = this.stops.length;
    while (i > 0 && this.stops[i - 1]!.offset > offset) i--;
    this.stops.splice(i, 0, stop);
  }

  /** The gradient's colour at a user-space point (the CPU fallback; canvas.wgsl does the same). */
  sample(x: number, y: number): [number, number, number, number] {
    const g = this.geometry;
    let t = 0;
    if (this.kind === "linear") {
      const dx = g[2]! - g[0]!;
      const dy = g[3]! - g[1]!;
      t = ((x - g[0]!) * dx + (y - g[1]!) * dy) / Math.max(dx * dx + dy * dy, 1e-8);
    } else if (this.kind === "radial") {
      const range = g[5]! - g[2]!;
      const distance = Math.hypot(x - g[0]!, y - g[1]!);
      t = Math.abs(range) > 1e-4 ? (distance - g[2]!) / range : distance <= g[2]! ? 0 : 1;
    } else {
      const a = (Math.atan2(y - g[2]!, x - g[1]!) - g[0]!) / (Math.PI * 2);
      t = a - Math.floor(a);
    }
    t = Math.min(1, Math.max(0, t));
    const stops = this.stops;
    if (stops.length === 0) return [0, 0, 0, 0];
    if (t <= stops[0]!.offset) return [...stops[0]!.color];
    for (let i = 1; i < stops.length; i++) {
      const a = stops[i - 1]!;
      const b = stops[i]!;
      if (t <= b.offset) {
        const f = (t - a.offset) / Math.max(b.offset - a.offset, 1e-6);
        return a.color.map((c, k) => c + (b.color[k]! - c) * f) as [number, number, number, number];
      }
    }
    return [...stops[stops.length - 1]!.color];
  }

  /** Packs the gradient for canvas.wgsl's `Gradient` (52 floats at `o`). */
  write(floats: Float32Array, words: Uint32Array, o: number): void {
    const g = this.geometry;
    words[o] = GRADIENT_KINDS[this.kind];
    words[o + 1] = Math.max(1, this.stops.length);
    floats.fill(0, o + 2, o + GRADIENT_FLOATS);
    if (this.kind === "linear") floats.set([g[0]!, g[1]!, g[2]!, g[3]!], o + 4);
    else if (this.kind === "radial") {
      floats[o + 2] = g[2]!;
      floats[o + 3] = g[5]!;
      floats.set([g[0]!, g[1]!], o + 4);
    } else {
      floats.set([g[1]!, g[2]!], o + 4);
      floats[o + 8] = g[0]!;
    }
    this.stops.forEach((stop, i) => {
      floats[o + 12 + i] = stop.offset;
      floats.set(stop.color, o + 20 + i * 4);
    });
    if (this.stops.length === 0) floats.set([0, 0, 0, 0], o + 20);
  }
}

export type CanvasStyle = CanvasColor | CanvasGradient;

/** What `save()` keeps and `restore()` brings back. */
interface DrawState {
  transform: Matrix;
  fillStyle: CanvasStyle;
  strokeStyle: CanvasStyle;
  fill: [number, number, number, number] | CanvasGradient;
  stroke: [number, number, number, number] | CanvasGradient;
  lineWidth: number;
  lineCap: LineCap;
  lineJoin: LineJoin;
  miterLimit: number;
  globalAlpha: number;
  font: CanvasFont | undefined;
  fontSize: number;
  textAlign: TextAlign;
  textBaseline: TextBaseline;
  letterSpacing: number;
}

/** A subpath in canvas pixels (transformed when each point was added, as HTML canvas does). */
interface Subpath {
  points: number[];
  closed: boolean;
}

export interface TextMetrics {
  width: number;
  actualBoundingBoxLeft: number;
  actualBoundingBoxRight: number;
  actualBoundingBoxAscent: number;
  actualBoundingBoxDescent: number;
  fontBoundingBoxAscent: number;
  fontBoundingBoxDescent: number;
}

/**
 * An HTML-Canvas-like 2D drawing surface: call its drawing methods from `update()` (or once from
 * `setup()`). Coordinates are pixels of the canvas resolution (`canvas.resolution(w, h)`, default
 * 1280×720), y down. Styles are properties as in the browser (`canvas.fillStyle = "#f80"` or
 * `[1, 0.5, 0, 1]`, `canvas.lineWidth = 3`, `canvas.font = "32px Roboto Mono"`).
 *
 * Everything drawn in a frame is tessellated on the CPU (fills with earcut, strokes as quads, text
 * from cached glyph triangles) into one vertex buffer and drawn in one draw call over the clear
 * colour. A frame in which nothing is drawn does not cook: the last image stays.
 *
 * Beyond HTML (as the original): `clear(color?)`, `fillCircle`, `strokeCircle`, `fontMetrics()`,
 * `loadFont(path, px)`. Not implemented: clip(), drawImage(), shadows, composite operations.
 */
export class Canvas extends TextureOperator {
  static override readonly description = "HTML-Canvas-like 2D drawing: paths, shapes, gradients, transforms, text";
  static override readonly params = {};

  private state: DrawState = {
    transform: [...IDENTITY] as Matrix,
    fillStyle: "#000",
    strokeStyle: "#000",
    fill: [0, 0, 0, 1],
    stroke: [0, 0, 0, 1],
    lineWidth: 1,
    lineCap: "butt",
    lineJoin: "miter",
    miterLimit: 10,
    globalAlpha: 1,
    font: undefined,
    fontSize: 16,
    textAlign: "start",
    textBaseline: "alphabetic",
    letterSpacing: 0,
  };
  private stack: DrawState[] = [];
  private subpaths: Subpath[] = [];
  private current?: Subpath;
  private clearValue: [number, number, number, number] = [0, 0, 0, 0];

  // This frame's geometry (CPU staging), its draw segments and the gradients it uses.
  private vertexData = new Float32Array(INITIAL_VERTICES * VERTEX_FLOATS);
  private vertexWords = new Uint32Array(this.vertexData.buffer);
  private vertices = 0;
  private segments: Array<{ replace: boolean; first: number }> = [];
  private gradients: CanvasGradient[] = [];
  /** Drawn to since the last cook. */
  private pending = false;
  /** Cooked since the last draw call: the next draw call starts a new frame's geometry. */
  private stale = false;
  // The current paint while a shape is emitted.
  private paint = 0;
  private paintColor: [number, number, number, number] = [0, 0, 0, 1];
  private paintGradient?: CanvasGradient;
  private inverse: Matrix = [...IDENTITY] as Matrix;

  // GPU side.
  private vertexBuffer = new GrowableBuffer("vertices", VERTEX_BYTES);
  private uniforms?: BufferHandle;
  private uniformData = new Float32Array(UNIFORM_BYTES / 4);
  private uniformWords = new Uint32Array(this.uniformData.buffer);
  private blendPipeline?: GPURenderPipeline;
  private replacePipeline?: GPURenderPipeline;
  private bindGroup?: GPUBindGroup;
  /** The texture last drawn into: a new one (resize) is drawn again from the kept geometry. */
  private drawnTarget?: TextureHandle;

  // ── styles (HTML properties) ─────────────────────────────────────────────────────────────────

  get fillStyle(): CanvasStyle {
    return this.state.fillStyle;
  }
  set fillStyle(style: CanvasStyle) {
    this.state.fill = style instanceof CanvasGradient ? style : parseColor(style);
    this.state.fillStyle = style;
  }

  get strokeStyle(): CanvasStyle {
    return this.state.strokeStyle;
  }
  set strokeStyle(style: CanvasStyle) {
    this.state.stroke = style instanceof CanvasGradient ? style : parseColor(style);
    this.state.strokeStyle = style;
  }

  /** Stroke width in user-space units (pixels unless scaled); non-positive values are ignored, as in HTML. */
  get lineWidth(): number {
    return this.state.lineWidth;
  }
  set lineWidth(width: number) {
    if (Number.isFinite(width) && width > 0) this.state.lineWidth = width;
  }

  get lineCap(): LineCap {
    return this.state.lineCap;
  }
  set lineCap(cap: LineCap) {
    this.state.lineCap = oneOf("lineCap", cap, LINE_CAPS);
  }

  get lineJoin(): LineJoin {
    return this.state.lineJoin;
  }
  set lineJoin(join: LineJoin) {
    this.state.lineJoin = oneOf("lineJoin", join, LINE_JOINS);
  }

  get miterLimit(): number {
    return this.state.miterLimit;
  }
  set miterLimit(limit: number) {
    if (Number.isFinite(limit) && limit > 0) this.state.miterLimit = limit;
  }

  get globalAlpha(): number {
    return this.state.globalAlpha;
  }
  set globalAlpha(alpha: number) {
    if (Number.isFinite(alpha) && alpha >= 0 && alpha <= 1) this.state.globalAlpha = alpha;
  }

  get textAlign(): TextAlign {
    return this.state.textAlign;
  }
  set textAlign(align: TextAlign) {
    this.state.textAlign = oneOf("textAlign", align, TEXT_ALIGNS);
  }

  get textBaseline(): TextBaseline {
    return this.state.textBaseline;
  }
  set textBaseline(baseline: TextBaseline) {
    this.state.textBaseline = oneOf("textBaseline", baseline, TEXT_BASELINES);
  }

  /** Extra space between characters in pixels (a number, or "2px" as in HTML). */
  get letterSpacing(): number {
    return this.state.letterSpacing;
  }
  set letterSpacing(spacing: number | string) {
    const value = typeof spacing === "string" ? parseFloat(spacing) : spacing;
    if (Number.isFinite(value)) this.state.letterSpacing = value;
  }

  /** "<size>px [family]": the size is used; the family must be Roboto Mono or one loaded with loadFont. */
  get font(): string {
    return `${this.state.fontSize}px ${this.fontFace().family}`;
  }
  set font(spec: string) {
    const match = /(\d+(?:\.\d+)?)px\s*(.*)$/.exec(spec);
    if (!match) throw new TypeError(`${this.name}.font = ${JSON.stringify(spec)}: expects "<size>px [family]", e.g. "24px Roboto Mono"`);
    this.state.fontSize = parseFloat(match[1]!);
    const family = match[2]!.replace(/["']/g, "").trim().toLowerCase();
    if (family && family !== this.fontFace().family.toLowerCase() && family === defaultFont().family.toLowerCase()) this.state.font = defaultFont();
  }

  /** Background of every frame (transparent black unless set); also set by `clear(color)`. */
  get clearColor(): [number, number, number, number] {
    return [...this.clearValue];
  }
  set clearColor(color: CanvasColor) {
    this.clearValue = parseColor(color);
  }

  /** Uses the font file at `path` (TTF, OTF, WOFF; absolute or relative to the working directory) at `sizePx`. */
  loadFont(path: string, sizePx?: number): this {
    this.state.font = loadCanvasFont(path);
    if (sizePx !== undefined) this.state.fontSize = sizePx;
    return this;
  }

  /** The current font's ascent, descent and line height in pixels. */
  fontMetrics(): { ascent: number; descent: number; lineHeight: number } {
    const m = this.fontFace().metrics;
    const size = this.state.fontSize;
    return { ascent: m.ascent * size, descent: m.descent * size, lineHeight: m.lineHeight * size };
  }

  // ── state and transforms ─────────────────────────────────────────────────────────────────────

  save(): void {
    this.stack.push({ ...this.state, transform: [...this.state.transform] as Matrix });
  }

  restore(): void {
    const saved = this.stack.pop();
    if (saved) this.state = saved;
  }

  translate(x: number, y: number): void {
    this.state.transform = multiply(this.state.transform, [1, 0, 0, 1, x, y]);
  }

  rotate(radians: number): void {
    const c = Math.cos(radians);
    const s = Math.sin(radians);
    this.state.transform = multiply(this.state.transform, [c, s, -s, c, 0, 0]);
  }

  /** scale(x, y), or scale(s) for both (as the original). */
  scale(x: number, y = x): void {
    this.state.transform = multiply(this.state.transform, [x, 0, 0, y, 0, 0]);
  }

  /** Multiplies the transform by [a, b, c, d, e, f] (x' = a·x + c·y + e, y' = b·x + d·y + f). */
  transform(a: number, b: number, c: number, d: number, e: number, f: number): void {
    this.state.transform = multiply(this.state.transform, [a, b, c, d, e, f]);
  }

  /** Replaces the transform: setTransform(a, b, c, d, e, f) or setTransform([a, b, c, d, e, f]). */
  setTransform(a: number | readonly number[], b = 0, c = 0, d = 1, e = 0, f = 0): void {
    this.state.transform = (Array.isArray(a) ? [...a].slice(0, 6) : [a as number, b, c, d, e, f]) as Matrix;
  }

  resetTransform(): void {
    this.state.transform = [...IDENTITY] as Matrix;
  }

  getTransform(): Matrix {
    return [...this.state.transform] as Matrix;
  }

  // ── gradients ────────────────────────────────────────────────────────────────────────────────

  createLinearGradient(x0: number, y0: number, x1: number, y1: number): CanvasGradient {
    return new CanvasGradient("linear", [x0, y0, x1, y1]);
  }

  /** Radial gradient: t runs from radius r0 to r1 around (x0, y0) (the original's simplification of HTML's two circles). */
  createRadialGradient(x0: number, y0: number, r0: number, x1: number, y1: number, r1: number): CanvasGradient {
    return new CanvasGradient("radial", [x0, y0, r0, x1, y1, r1]);
  }

  createConicGradient(startAngle: number, x: number, y: number): CanvasGradient {
    return new CanvasGradient("conic", [startAngle, x, y]);
  }

  // ── paths ────────────────────────────────────────────────────────────────────────────────────

  beginPath(): void {
    this.subpaths = [];
    this.current = undefined;
  }

  moveTo(x: number, y: number): void {
    const [px, py] = this.toDevice(x, y);
    this.current = { points: [px, py], closed: false };
    this.subpaths.push(this.current);
  }

  lineTo(x: number, y: number): void {
    if (!this.current) return this.moveTo(x, y);
    this.current.points.push(...this.toDevice(x, y));
  }

  closePath(): void {
    const current = this.current;
    if (!current) return;
    current.closed = true;
    // The next command continues from the subpath's start, in a new subpath.
    this.current = { points: current.points.slice(0, 2), closed: false };
    this.subpaths.push(this.current);
  }

  quadraticCurveTo(cpx: number, cpy: number, x: number, y: number): void {
    if (!this.current) this.moveTo(cpx, cpy);
    const points = this.current!.points;
    const [cx, cy] = this.toDevice(cpx, cpy);
    const [ex, ey] = this.toDevice(x, y);
    flattenQuadratic(points, points[points.length - 2]!, points[points.length - 1]!, cx, cy, ex, ey);
  }

  bezierCurveTo(cp1x: number, cp1y: number, cp2x: number, cp2y: number, x: number, y: number): void {
    if (!this.current) this.moveTo(cp1x, cp1y);
    const points = this.current!.points;
    const [ax, ay] = this.toDevice(cp1x, cp1y);
    const [bx, by] = this.toDevice(cp2x, cp2y);
    const [ex, ey] = this.toDevice(x, y);
    flattenCubic(points, points[points.length - 2]!, points[points.length - 1]!, ax, ay, bx, by, ex, ey);
  }

  /** Arc around (x, y); angles in radians from +x, clockwise on screen unless `counterclockwise`. */
  arc(x: number, y: number, radius: number, startAngle: number, endAngle: number, counterclockwise = false): void {
    this.ellipse(x, y, radius, radius, 0, startAngle, endAngle, counterclockwise);
  }

  ellipse(x: number, y: number, radiusX: number, radiusY: number, rotation: number, startAngle: number, endAngle: number, counterclockwise = false): void {
    if (radiusX < 0 || radiusY < 0) throw new RangeError(`${this.name}.arc/ellipse: the radius must not be negative`);
    const sweep = arcSweep(startAngle, endAngle, counterclockwise);
    const n = arcSegments(Math.max(radiusX, radiusY) * maxScale(this.state.transform), sweep);
    const cr = Math.cos(rotation);
    const sr = Math.sin(rotation);
    for (let i = 0; i <= n; i++) {
      const a = startAngle + (sweep * i) / n;
      const ex = Math.cos(a) * radiusX;
      const ey = Math.sin(a) * radiusY;
      const px = x + ex * cr - ey * sr;
      const py = y + ex * sr + ey * cr;
      if (i === 0 && !this.current) this.moveTo(px, py);
      else this.lineTo(px, py);
    }
  }

  /** A rounded corner tangent to (current point → (x1, y1)) and ((x1, y1) → (x2, y2)). */
  arcTo(x1: number, y1: number, x2: number, y2: number, radius: number): void {
    if (radius < 0) throw new RangeError(`${this.name}.arcTo: the radius must not be negative`);
    if (!this.current) return this.moveTo(x1, y1);
    const points = this.current.points;
    const inverse = invert(this.state.transform);
    if (!inverse) return;
    const dx = points[points.length - 2]!;
    const dy = points[points.length - 1]!;
    const x0 = inverse[0] * dx + inverse[2] * dy + inverse[4];
    const y0 = inverse[1] * dx + inverse[3] * dy + inverse[5];
    const v1x = x0 - x1;
    const v1y = y0 - y1;
    const v2x = x2 - x1;
    const v2y = y2 - y1;
    const l1 = Math.hypot(v1x, v1y);
    const l2 = Math.hypot(v2x, v2y);
    const cross = v1x * v2y - v1y * v2x;
    if (l1 < 1e-9 || l2 < 1e-9 || radius === 0 || Math.abs(cross) < 1e-9 * l1 * l2) return this.lineTo(x1, y1);
    const cos = (v1x * v2x + v1y * v2y) / (l1 * l2);
    const angle = Math.acos(Math.min(1, Math.max(-1, cos)));
    const tangent = radius / Math.tan(angle / 2);
    const t1x = x1 + (v1x / l1) * tangent;
    const t1y = y1 + (v1y / l1) * tangent;
    const t2x = x1 + (v2x / l2) * tangent;
    const t2y = y1 + (v2y / l2) * tangent;
    const bx = v1x / l1 + v2x / l2;
    const by = v1y / l1 + v2y / l2;
    const bl = Math.hypot(bx, by);
    const centerDistance = radius / Math.sin(angle / 2);
    const cx = x1 + (bx / bl) * centerDistance;
    const cy = y1 + (by / bl) * centerDistance;
    const a0 = Math.atan2(t1y - cy, t1x - cx);
    let sweep = Math.atan2(t2y - cy, t2x - cx) - a0;
    if (sweep > Math.PI) sweep -= 2 * Math.PI;
    if (sweep < -Math.PI) sweep += 2 * Math.PI;
    this.lineTo(t1x, t1y);
    this.ellipse(cx, cy, radius, radius, 0, a0, a0 + sweep, sweep < 0);
  }

  /** Adds a closed rectangle subpath (HTML `rect`; the original's `pathRect`). */
  rect(x: number, y: number, width: number, height: number): void {
    this.moveTo(x, y);
    this.lineTo(x + width, y);
    this.lineTo(x + width, y + height);
    this.lineTo(x, y + height);
    this.closePath();
  }

  pathRect(x: number, y: number, width: number, height: number): void {
    this.rect(x, y, width, height);
  }

  /** Fills the current path with fillStyle (subpaths inside others are holes). */
  fill(): void {
    this.beginDraw();
    const contours = this.subpaths.filter((s) => s.points.length >= 6).map((s) => s.points);
    this.usePaint(this.state.fill);
    fillContours(contours, (x, y) => this.putDevice(x, y));
  }

  /** Strokes the current path with strokeStyle, lineWidth, lineCap, lineJoin and miterLimit. */
  stroke(): void {
    this.beginDraw();
    const inverse = invert(this.state.transform);
    if (!inverse) return;
    this.usePaint(this.state.stroke);
    const style = this.strokeStyleNow();
    for (const subpath of this.subpaths) {
      if (subpath.points.length < 4) continue;
      // Stroke in user space, so a scaled transform scales the line width (as in HTML).
      const user = subpath.points.slice();
      for (let i = 0; i < user.length; i += 2) {
        const x = user[i]!;
        const y = user[i + 1]!;
        user[i] = inverse[0] * x + inverse[2] * y + inverse[4];
        user[i + 1] = inverse[1] * x + inverse[3] * y + inverse[5];
      }
      strokePolyline(user, subpath.closed, style, this.userTriangle);
    }
  }

  // ── rectangles and circles ───────────────────────────────────────────────────────────────────

  fillRect(x: number, y: number, width: number, height: number): void {
    this.beginDraw();
    this.usePaint(this.state.fill);
    this.userQuad(x, y, width, height);
  }

  strokeRect(x: number, y: number, width: number, height: number): void {
    this.beginDraw();
    this.usePaint(this.state.stroke);
    strokePolyline([x, y, x + width, y, x + width, y + height, x, y + height], true, this.strokeStyleNow(), this.userTriangle);
  }

  /** Makes the rectangle transparent black (replacing what was drawn there this frame). */
  clearRect(x: number, y: number, width: number, height: number): void {
    this.beginDraw();
    this.useReplace();
    this.userQuad(x, y, width, height);
  }

  fillCircle(x: number, y: number, radius: number): void {
    this.beginDraw();
    this.usePaint(this.state.fill);
    const points = this.circlePoints(x, y, radius);
    for (let i = 0; i < points.length - 2; i += 2) this.userTriangle(x, y, points[i]!, points[i + 1]!, points[i + 2]!, points[i + 3]!);
  }

  strokeCircle(x: number, y: number, radius: number): void {
    this.beginDraw();
    this.usePaint(this.state.stroke);
    const points = this.circlePoints(x, y, radius);
    points.length -= 2; // the closing point repeats the first
    strokePolyline(points, true, this.strokeStyleNow(), this.userTriangle);
  }

  /** Discards what was drawn this frame and sets the background (default: the current clear colour). */
  clear(color?: CanvasColor): void {
    this.beginDraw();
    if (color !== undefined) this.clearColor = color;
    this.vertices = 0;
    this.segments.length = 0;
    this.gradients.length = 0;
  }

  // ── text ─────────────────────────────────────────────────────────────────────────────────────

  /** Draws `text` with its anchor at (x, y) per textAlign / textBaseline; squeezed to `maxWidth` if given. */
  fillText(text: string, x: number, y: number, maxWidth?: number): void {
    this.beginDraw();
    this.usePaint(this.state.fill);
    this.layoutText(String(text), x, y, maxWidth, (glyphX, glyphY, scaleX, size, char) => {
      const triangles = this.fontFace().glyph(char).triangles;
      for (let i = 0; i < triangles.length; i += 2) this.putUser(glyphX + triangles[i]! * size * scaleX, glyphY + triangles[i + 1]! * size);
    });
  }

  /** Strokes the outlines of `text` with the stroke style and lineWidth. */
  strokeText(text: string, x: number, y: number, maxWidth?: number): void {
    this.beginDraw();
    this.usePaint(this.state.stroke);
    const style = this.strokeStyleNow();
    this.layoutText(String(text), x, y, maxWidth, (glyphX, glyphY, scaleX, size, char) => {
      for (const contour of this.fontFace().glyph(char).contours) {
        const points = Array.from(contour, (v, i) => (i % 2 === 0 ? glyphX + v * size * scaleX : glyphY + v * size));
        strokePolyline(points, true, style, this.userTriangle);
      }
    });
  }

  measureText(text: string): TextMetrics {
    const font = this.fontFace();
    const size = this.state.fontSize;
    const width = font.measure(String(text), this.state.letterSpacing / size) * size;
    let left = Infinity;
    let right = -Infinity;
    let top = Infinity;
    let bottom = -Infinity;
    this.layoutText(String(text), 0, 0, undefined, (glyphX, glyphY, _scaleX, glyphSize, char) => {
      const t = font.glyph(char).triangles;
      for (let i = 0; i < t.length; i += 2) {
        left = Math.min(left, glyphX + t[i]! * glyphSize);
        right = Math.max(right, glyphX + t[i]! * glyphSize);
        top = Math.min(top, glyphY + t[i + 1]! * glyphSize);
        bottom = Math.max(bottom, glyphY + t[i + 1]! * glyphSize);
      }
    });
    const empty = left === Infinity;
    const baselineShift = this.baselineShift() * size;
    return {
      width,
      actualBoundingBoxLeft: empty ? 0 : -left,
      actualBoundingBoxRight: empty ? 0 : right,
      actualBoundingBoxAscent: empty ? 0 : -top,
      actualBoundingBoxDescent: empty ? 0 : bottom,
      fontBoundingBoxAscent: font.metrics.ascent * size - baselineShift,
      fontBoundingBoxDescent: font.metrics.descent * size + baselineShift,
    };
  }

  // ── operator ─────────────────────────────────────────────────────────────────────────────────

  /** Triangles drawn (or to be drawn) this frame. */
  get triangleCount(): number {
    return this.vertices / 3;
  }

  /** Cooks only in frames it was drawn to (an unchanged canvas keeps its image). */
  override isTimeDependent(): boolean {
    return this.pending;
  }

  init(_ctx: InitContext): void {
    const shader = loadShader("2d/canvas.wgsl");
    const entries: LayoutEntry[] = [{ binding: 0, visibility: VERTEX_STAGE | FRAGMENT_STAGE, kind: "uniform" }];
    const layout = this.scope.layout(entries);
    const spec = { shader, targets: [OUTPUT_FORMAT], layouts: [layout], vertexBuffers: [VERTEX_LAYOUT] };
    this.blendPipeline = this.scope.renderPipeline({ ...spec, blend: ALPHA_BLEND });
    this.replacePipeline = this.scope.renderPipeline(spec);
    this.uniforms = this.scope.buffer("params", UNIFORM_BYTES, UNIFORM | COPY_DST);
    this.bindGroup = this.scope.bindGroup(layout, entries, [this.uniforms]);
    this.vertexBuffer.grow(this.scope, Math.max(INITIAL_VERTICES, this.vertices));
    this.ensureOutput();
  }

  /** On a reload the image stays until the new code draws, and the vertex buffer keeps its size. */
  override adopt(previous: this): void {
    this.drawnTarget = previous.drawnTarget;
    this.vertexBuffer.adoptCapacity(this.scope, previous.vertexBuffer);
  }

  cook(ctx: CookContext): void {
    const target = this.ensureOutput();
    if (!this.pending && target === this.drawnTarget) return;
    this.pending = false;
    this.stale = true;
    this.drawnTarget = target;
    const queue = ctx.gpu.queue;

    const u = this.uniformData;
    u[0] = target.width;
    u[1] = target.height;
    this.gradients.forEach((gradient, i) => gradient.write(u, this.uniformWords, 4 + i * GRADIENT_FLOATS));
    queue.writeBuffer(this.uniforms!.buffer, 0, u.buffer as ArrayBuffer, 0, 16 + this.gradients.length * GRADIENT_FLOATS * 4);
    const buffer = this.vertexBuffer.grow(this.scope, this.vertices);
    this.vertexBuffer.write(queue, this.vertexData, this.vertices);

    const clear = this.clearValue;
    const pass = ctx.frame.renderPass(this.name, {
      colorAttachments: [{ view: target.view, loadOp: "clear", storeOp: "store", clearValue: [clear[0], clear[1], clear[2], clear[3]] }],
    });
    if (this.vertices > 0) {
      pass.setBindGroup(0, this.bindGroup!);
      pass.setVertexBuffer(0, buffer.buffer, 0, this.vertices * VERTEX_BYTES);
      for (let i = 0; i < this.segments.length; i++) {
        const segment = this.segments[i]!;
        const end = this.segments[i + 1]?.first ?? this.vertices;
        if (end <= segment.first) continue;
        pass.setPipeline(segment.replace ? this.replacePipeline! : this.blendPipeline!);
        pass.draw(end - segment.first, 1, segment.first);
      }
    }
    pass.end();
  }

  // ── emission ─────────────────────────────────────────────────────────────────────────────────

  private fontFace(): CanvasFont {
    return (this.state.font ??= defaultFont());
  }

  /** Starts this frame's geometry at the first draw call after a cook. */
  private beginDraw(): void {
    if (this.stale) {
      this.stale = false;
      this.vertices = 0;
      this.segments.length = 0;
      this.gradients.length = 0;
    }
    this.pending = true;
    this.inverse = invert(this.state.transform) ?? ([...IDENTITY] as Matrix);
  }

  private toDevice(x: number, y: number): [number, number] {
    const m = this.state.transform;
    return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
  }

  private strokeStyleNow(): StrokeStyle {
    const s = this.state;
    return { halfWidth: s.lineWidth / 2, cap: s.lineCap, join: s.lineJoin, miterLimit: s.miterLimit, tolerance: TOLERANCE / maxScale(s.transform) };
  }

  private setSegment(replace: boolean): void {
    const last = this.segments[this.segments.length - 1];
    if (!last || last.replace !== replace) this.segments.push({ replace, first: this.vertices });
  }

  /** Sets the paint for the next vertices: a colour, or a gradient slot (CPU colours past the last slot). */
  private usePaint(style: [number, number, number, number] | CanvasGradient): void {
    this.setSegment(false);
    const alpha = this.state.globalAlpha;
    this.paintGradient = undefined;
    if (style instanceof CanvasGradient) {
      let slot = this.gradients.indexOf(style);
      if (slot < 0 && this.gradients.length < MAX_CANVAS_GRADIENTS) slot = this.gradients.push(style) - 1;
      if (slot >= 0) {
        this.paint = slot + 1;
        this.paintColor = [1, 1, 1, alpha];
      } else {
        this.paint = 0;
        this.paintGradient = style;
      }
      return;
    }
    this.paint = 0;
    this.paintColor = [style[0], style[1], style[2], style[3] * alpha];
  }

  private useReplace(): void {
    this.setSegment(true);
    this.paint = 0;
    this.paintGradient = undefined;
    this.paintColor = [0, 0, 0, 0];
  }

  /** Appends a vertex at canvas pixel (x, y) whose user-space point is (lx, ly). */
  private put(x: number, y: number, lx: number, ly: number): void {
    if ((this.vertices + 1) * VERTEX_FLOATS > this.vertexData.length) {
      const bigger = new Float32Array(this.vertexData.length * 2);
      bigger.set(this.vertexData);
      this.vertexData = bigger;
      this.vertexWords = new Uint32Array(bigger.buffer);
    }
    const o = this.vertices * VERTEX_FLOATS;
    const data = this.vertexData;
    const color = this.paintGradient ? this.paintGradient.sample(lx, ly) : this.paintColor;
    data[o] = x;
    data[o + 1] = y;
    data[o + 2] = color[0];
    data[o + 3] = color[1];
    data[o + 4] = color[2];
    data[o + 5] = this.paintGradient ? color[3] * this.state.globalAlpha : color[3];
    data[o + 6] = lx;
    data[o + 7] = ly;
    this.vertexWords[o + 8] = this.paint;
    this.vertices++;
  }

  private putUser = (x: number, y: number): void => {
    const m = this.state.transform;
    this.put(m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5], x, y);
  };

  private putDevice(x: number, y: number): void {
    const inv = this.inverse;
    this.put(x, y, inv[0] * x + inv[2] * y + inv[4], inv[1] * x + inv[3] * y + inv[5]);
  }

  private userTriangle = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): void => {
    this.putUser(ax, ay);
    this.putUser(bx, by);
    this.putUser(cx, cy);
  };

  private userQuad(x: number, y: number, width: number, height: number): void {
    this.userTriangle(x, y, x + width, y, x + width, y + height);
    this.userTriangle(x, y, x + width, y + height, x, y + height);
  }

  /** Points of a full circle in user space, the first repeated at the end. */
  private circlePoints(x: number, y: number, radius: number): number[] {
    const n = Math.max(8, arcSegments(Math.abs(radius) * maxScale(this.state.transform), Math.PI * 2));
    const points: number[] = [];
    for (let i = 0; i <= n; i++) {
      const a = (i / n) * Math.PI * 2;
      points.push(x + Math.cos(a) * radius, y + Math.sin(a) * radius);
    }
    return points;
  }

  /** Vertical shift of the baseline for textBaseline, in em (added to y). */
  private baselineShift(): number {
    const { ascent, descent } = this.fontFace().metrics;
    switch (this.state.textBaseline) {
      case "top":
        return ascent;
      case "hanging":
        return ascent * 0.8;
      case "middle":
        return (ascent - descent) / 2;
      case "ideographic":
      case "bottom":
        return -descent;
      default:
        return 0;
    }
  }

  /** Calls `draw` for each character with its pen position, horizontal squeeze and size. */
  private layoutText(text: string, x: number, y: number, maxWidth: number | undefined, draw: (glyphX: number, glyphY: number, scaleX: number, size: number, char: string) => void): void {
    const font = this.fontFace();
    const size = this.state.fontSize;
    const spacing = this.state.letterSpacing;
    let width = font.measure(text, spacing / size) * size;
    let scaleX = 1;
    if (maxWidth !== undefined && maxWidth >= 0 && width > maxWidth) {
      scaleX = width > 0 ? maxWidth / width : 1;
      width = maxWidth;
    }
    const align = this.state.textAlign;
    let penX = x - (align === "center" ? width / 2 : align === "right" || align === "end" ? width : 0);
    const baseline = y + this.baselineShift() * size;
    let previous: string | undefined;
    for (const char of text) {
      if (previous !== undefined) penX += (font.kerning(previous, char) * size + spacing) * scaleX;
      draw(penX, baseline, scaleX, size, char);
      penX += font.glyph(char).advance * size * scaleX;
      previous = char;
    }
  }
}
defineOperator(Canvas);

function oneOf<T extends string>(property: string, value: T, options: readonly T[]): T {
  if (!options.includes(value)) throw new TypeError(`canvas.${property} = ${JSON.stringify(value)}: expects one of ${options.map((o) => `"${o}"`).join(", ")}`);
  return value;
}
