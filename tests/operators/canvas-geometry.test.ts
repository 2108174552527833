import { describe, expect, test } from "vitest";
import { arcSweep, fillContours, invert, multiply, parseColor, strokePolyline, type StrokeStyle } from "../../operators/2d/canvas-geometry.ts";
import { GrowableBuffer, Random } from "../../operators/2d/draw-buffers.ts";

/** Total area of the triangles `emit` produced (x, y per vertex). */
function area(points: number[]): number {
  let sum = 0;
  for (let i = 0; i < points.length; i += 6) {
    const [ax, ay, bx, by, cx, cy] = points.slice(i, i + 6) as [number, number, number, number, number, number];
    sum += Math.abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay)) / 2;
  }
  return sum;
}

function stroke(xy: number[], closed: boolean, style: Partial<StrokeStyle>): number[] {
  const out: number[] = [];
  strokePolyline(xy, closed, { halfWidth: 1, cap: "butt", join: "miter", miterLimit: 10, tolerance: 0.01, ...style }, (...v) => out.push(...v));
  return out;
}

describe("canvas geometry", () => {
  test("parseColor reads arrays and CSS colours", () => {
    expect(parseColor([1, 0.5, 0])).toEqual([1, 0.5, 0, 1]);
    expect(parseColor("#f80")).toEqual([1, 136 / 255, 0, 1]);
    expect(parseColor("#ff000080")).toEqual([1, 0, 0, 128 / 255]);
    expect(parseColor("rgba(255, 0, 255, 0.5)")).toEqual([1, 0, 1, 0.5]);
    expect(parseColor("hsl(120, 100%, 50%)").map((c) => Math.round(c * 255))).toEqual([0, 255, 0, 255]);
    expect(parseColor("White")).toEqual([1, 1, 1, 1]);
    expect(() => parseColor("nope")).toThrow(/not a colour/);
  });

  test("arcSweep follows HTML canvas: clockwise by default, a full turn at 2π or more", () => {
    expect(arcSweep(0, Math.PI / 2, false)).toBeCloseTo(Math.PI / 2);
    expect(arcSweep(0, Math.PI / 2, true)).toBeCloseTo(-1.5 * Math.PI);
    expect(arcSweep(0, 7, false)).toBeCloseTo(2 * Math.PI);
    expect(arcSweep(Math.PI, 0, false)).toBeCloseTo(Math.PI);
  });

  test("matrices: multiply applies the right operand first; invert undoes", () => {
    const m = multiply([1, 0, 0, 1, 10, 0], [2, 0, 0, 2, 0, 0]); // translate then scale (scale first on points)
    expect(m).toEqual([2, 0, 0, 2, 10, 0]);
    const back = multiply(m, invert(m)!);
    back.forEach((v, i) => expect(v).toBeCloseTo([1, 0, 0, 1, 0, 0][i]!));
  });

  test("fillContours: a square with a square hole covers the difference; nested deeper fills again", () => {
    const square = (x: number, size: number) => [x, x, x + size, x, x + size, x + size, x, x + size];
    const out: number[] = [];
    fillContours([square(0, 10), square(2, 6), square(4, 2)], (x, y) => out.push(x, y));
    expect(area(out)).toBeCloseTo(100 - 36 + 4);
  });

  test("strokes: butt line = length × width; square caps add a half width at each end; round adds a disc", () => {
    expect(area(stroke([0, 0, 10, 0], false, {}))).toBeCloseTo(20);
    expect(area(stroke([0, 0, 10, 0], false, { cap: "square" }))).toBeCloseTo(24);
    expect(area(stroke([0, 0, 10, 0], false, { cap: "round" }))).toBeCloseTo(20 + Math.PI, 1);
  });

  test("joins: a right angle's miter fills the corner square, bevel half of it, round a quarter disc", () => {
    const corner = [0, 0, 10, 0, 10, 10];
    const base = area(stroke(corner, false, { join: "bevel" })) - 0.5;
    expect(base).toBeCloseTo(40); // two 10×2 quads (overlapping at the inner corner)
    expect(area(stroke(corner, false, { join: "miter" })) - base).toBeCloseTo(1);
    expect(area(stroke(corner, false, { join: "round" })) - base).toBeCloseTo(Math.PI / 4, 1);
    // Past the miter limit a miter becomes a bevel.
    expect(area(stroke(corner, false, { join: "miter", miterLimit: 1.2 })) - base).toBeCloseTo(0.5);
  });

  test("a closed square stroke has four joins and no caps", () => {
    const out = stroke([0, 0, 10, 0, 10, 10, 0, 10], true, { cap: "square" });
    expect(area(out)).toBeCloseTo(4 * 20 + 4 * 1);
  });
});

describe("draw buffers", () => {
  test("Random repeats for a seed and stays in [0, 1)", () => {
    const a = new Random(42);
    const b = new Random(42);
    const values = Array.from({ length: 1000 }, () => a.next());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });

  test("GrowableBuffer doubles only when exceeded and drops the buffer it replaces", () => {
    const acquired: number[] = [];
    const dropped: unknown[] = [];
    const scope = {
      buffer: (_slot: string, size: number) => (acquired.push(size), { id: acquired.length, size, buffer: {} }),
      drop: (value: unknown) => dropped.push(value),
    } as never;
    const buffer = new GrowableBuffer("v", 36);
    buffer.grow(scope, 100);
    expect(buffer.capacity).toBe(128);
    buffer.grow(scope, 128);
    expect(acquired).toEqual([128 * 36]);
    buffer.grow(scope, 129);
    expect(buffer.capacity).toBe(256);
    expect(acquired).toEqual([128 * 36, 256 * 36]);
    expect(dropped).toHaveLength(1);
  });
});
