import { TextureOperator, defineOperator, type CookContext, type InitContext } from "../../runtime/chain/operator.ts";
import { bool, choice, color, float, int } from "../../runtime/chain/params.ts";
import { CIRCLE_FLOATS, CircleRenderer } from "./circles.ts";
import { Random, hsvToRgb } from "./draw-buffers.ts";

export const POINT_PATTERNS = ["grid", "random", "circle", "spiral", "custom"] as const;
export type PointPattern = (typeof POINT_PATTERNS)[number];
export const POINT_COLOR_MODES = ["solid", "rainbow", "gradient", "random"] as const;
export type PointColorMode = (typeof POINT_COLOR_MODES)[number];

const TAU = Math.PI * 2;

/**
 * Points laid out in a pattern (grid, random, circle, spiral, or custom positions) and drawn as
 * instanced discs; optionally wobbling (`animate`) and pulsing (`pulseSize`). Positions are
 * normalised (0..1, y down); `size` (a disc radius) and `circleRadius` are fractions of the output height, so
 * the circle and spiral are round on a wide output (the original's were stretched into ellipses).
 *
 * The original's `setX(…)` setters are params (`sprites.pattern = "spiral"`, `sprites.size = 0.03`);
 * `setPositions([x0, y0, …])` is `positions(…)`, which also selects the "custom" pattern. The pattern is rebuilt only when a param
 * changes; it cooks every frame only while animated.
 */
export class PointSprites extends TextureOperator {
  static override readonly description = "Points in a grid, random, circle, spiral or custom pattern, drawn as discs";
  static override readonly params = {
    pattern: choice<PointPattern>("grid", POINT_PATTERNS),
    count: int(100, 1, 1000000),
    size: float(0.02, 0, 0.5),
    sizeVariation: float(0, 0, 1),
    color: color([1, 0.5, 0.2, 1]),
    color2: color([0.2, 0.5, 1, 1]),
    colorMode: choice<PointColorMode>("solid", POINT_COLOR_MODES),
    animate: bool(false),
    animateSpeed: float(1, 0, 20),
    pulseSize: bool(false),
    pulseSpeed: float(2, 0, 20),
    /** Grid columns; 0 = about √count. */
    gridCols: int(0, 0, 1000),
    circleRadius: float(0.3, 0, 1),
    spiralTurns: float(3, 0, 50),
    margin: float(0.05, 0, 0.5),
    clearColor: color([0, 0, 0, 1]),
    seed: int(42, 0, 2147483647),
  };

  declare pattern: PointPattern;
  declare count: number;
  declare size: number;
  declare sizeVariation: number;
  declare color: readonly number[];
  declare color2: readonly number[];
  declare colorMode: PointColorMode;
  declare animate: boolean;
  declare animateSpeed: number;
  declare pulseSize: boolean;
  declare pulseSpeed: number;
  declare gridCols: number;
  declare circleRadius: number;
  declare spiralTurns: number;
  declare margin: number;
  declare clearColor: readonly number[];
  declare seed: number;

  /** Animation phase (radians-ish, advances by dt × animateSpeed); handed over on a reload. */
  private phase = 0;
  /**
   * The time the phase last advanced. It advances once per new time: a reload's first cook runs at
   * the time of the frame drawn last, whose step the adopted phase holds already.
   */
  private phaseTime = Number.NaN;
  private customPositions: number[] = [];
  /** x, y, radius, r, g, b, a per point, before animation. */
  private base = new Float32Array(0);
  private points = 0;
  private instanceData = new Float32Array(0);
  private circles?: CircleRenderer;

  /** Places the points at `[x0, y0, x1, y1, …]` (normalised) and selects the "custom" pattern. */
  positions(xy: readonly number[]): this {
    if (!Array.isArray(xy) || xy.length % 2 !== 0 || !xy.every(Number.isFinite)) {
      throw new TypeError(`${this.name}.positions(): expects [x0, y0, x1, y1, …] (an even count of numbers)`);
    }
    this.customPositions = [...xy];
    this.pattern = "custom";
    this.dirty = true;
    return this;
  }

  override isTimeDependent(): boolean {
    return this.animate || this.pulseSize;
  }

  init(_ctx: InitContext): void {
    this.circles = new CircleRenderer(this.scope, "2d/point-sprites.wgsl");
    this.ensureOutput();
  }

  override adopt(previous: this): void {
    this.phase = previous.phase;
    this.phaseTime = previous.phaseTime;
  }

  cook(ctx: CookContext): void {
    const target = this.ensureOutput();
    if (this.dirty || this.base.length === 0) this.generate();
    if (this.animate && ctx.time !== this.phaseTime) {
      this.phase += ctx.dt * this.animateSpeed;
      this.phaseTime = ctx.time;
    }
    const pulse = this.pulseSize ? 0.5 + 0.5 * Math.sin(ctx.time * this.pulseSpeed) : 1;
    const out = this.instanceData;
    const n = this.points;
    for (let i = 0; i < n; i++) {
      const o = i * CIRCLE_FLOATS;
      const b = i * 7;
      let x = this.base[b]!;
      let y = this.base[b + 1]!;
      if (this.animate) {
        const offset = (i / n) * TAU;
        x += 0.01 * Math.sin(this.phase + offset);
        y += 0.01 * Math.cos(this.phase * 0.7 + offset);
      }
      out[o] = x;
      out[o + 1] = y;
      out[o + 2] = this.base[b + 2]! * pulse;
      out[o + 3] = 0;
      out[o + 4] = this.base[b + 3]!;
      out[o + 5] = this.base[b + 4]!;
      out[o + 6] = this.base[b + 5]!;
      out[o + 7] = this.base[b + 6]!;
    }
    this.circles!.draw(ctx.frame, ctx.gpu.queue, this.name, target, this.clearColor, out, n);
  }

  /** Lays the pattern out again (a param changed); buffers grow only when the count outgrows them. */
  private generate(): void {
    const rng = new Random(this.seed);
    const n = this.pattern === "custom" ? this.customPositions.length / 2 : this.count;
    if (this.base.length < n * 7) {
      this.base = new Float32Array(n * 7);
      this.instanceData = new Float32Array(n * CIRCLE_FLOATS);
    }
    this.circles!.grow(Math.max(1, n));
    const margin = this.margin;
    const [width, height] = this.outputSize;
    const xScale = height / width;
    const cols = this.gridCols > 0 ? this.gridCols : Math.max(1, Math.floor(Math.sqrt(n)));
    const rows = Math.ceil(n / cols);
    for (let i = 0; i < n; i++) {
      let x: number;
      let y: number;
      switch (this.pattern) {
        case "random":
          x = margin + rng.next() * (1 - 2 * margin);
          y = margin + rng.next() * (1 - 2 * margin);
          break;
        case "circle": {
          const angle = (i / n) * TAU;
          x = 0.5 + this.circleRadius * Math.cos(angle) * xScale;
          y = 0.5 + this.circleRadius * Math.sin(angle);
          break;
        }
        case "spiral": {
          const t = i / n;
          const angle = t * this.spiralTurns * TAU;
          x = 0.5 + this.circleRadius * t * Math.cos(angle) * xScale;
          y = 0.5 + this.circleRadius * t * Math.sin(angle);
          break;
        }
        case "custom":
          x = this.customPositions[i * 2]!;
          y = this.customPositions[i * 2 + 1]!;
          break;
        default: {
          const col = i % cols;
          const row = Math.floor(i / cols);
          x = margin + ((col + 0.5) * (1 - 2 * margin)) / cols;
          y = margin + ((row + 0.5) * (1 - 2 * margin)) / rows;
        }
      }
      const b = i * 7;
      this.base[b] = x;
      this.base[b + 1] = y;
      this.base[b + 2] = this.size * (1 - this.sizeVariation + rng.next() * 2 * this.sizeVariation);
      this.colorOf(i, n, rng, this.base, b + 3);
    }
    this.points = n;
  }

  private colorOf(index: number, total: number, rng: Random, out: Float32Array, o: number): void {
    const [r0, g0, b0, a0] = this.color as [number, number, number, number];
    switch (this.colorMode) {
      case "rainbow":
        hsvToRgb(index / total, 0.8, 1, out, o);
        out[o + 3] = 1;
        return;
      case "gradient": {
        const [r1, g1, b1, a1] = this.color2 as [number, number, number, number];
        const t = index / Math.max(1, total - 1);
        out[o] = r0 + (r1 - r0) * t;
        out[o + 1] = g0 + (g1 - g0) * t;
        out[o + 2] = b0 + (b1 - b0) * t;
        out[o + 3] = a0 + (a1 - a0) * t;
        return;
      }
      case "random":
        out[o] = rng.next();
        out[o + 1] = rng.next();
        out[o + 2] = rng.next();
        out[o + 3] = 1;
        return;
      default:
        out[o] = r0;
        out[o + 1] = g0;
        out[o + 2] = b0;
        out[o + 3] = a0;
    }
  }
}
defineOperator(PointSprites);
