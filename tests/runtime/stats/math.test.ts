import { describe, expect, test } from "vitest";
import { FrameWindow } from "../../../runtime/stats/frames.ts";
import { blockMedians, floorValue, leastSquaresSlope, median, percentileSorted, robustResidualSd, senSlope } from "../../../runtime/stats/math.ts";
import { RingBuffer } from "../../../runtime/stats/ring.ts";

describe("percentileSorted (nearest rank)", () => {
  const oneToHundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  test("p50 and p99 of 1..100 are 50 and 99", () => {
    expect(percentileSorted(oneToHundred, 50)).toBe(50);
    expect(percentileSorted(oneToHundred, 99)).toBe(99);
    expect(percentileSorted(oneToHundred, 100)).toBe(100);
  });

  test("always returns a value that occurred, never an interpolation", () => {
    expect(percentileSorted([1, 10], 50)).toBe(1);
    expect(percentileSorted([1, 10], 99)).toBe(10);
  });

  test("one value and no values", () => {
    expect(percentileSorted([7], 99)).toBe(7);
    expect(percentileSorted([], 99)).toBe(0);
  });
});

describe("leastSquaresSlope", () => {
  test("recovers an exact line", () => {
    const xs = [0, 1, 2, 3, 4];
    expect(leastSquaresSlope(xs, xs.map((x) => 3 * x + 7))).toBeCloseTo(3, 12);
  });

  test("does not depend on the order of the pairs (ring storage order is fine)", () => {
    expect(leastSquaresSlope([3, 0, 4, 1, 2], [16, 7, 19, 10, 13])).toBeCloseTo(3, 12);
  });

  test("stays exact for large x values (hours since start)", () => {
    const xs = [1e6, 1e6 + 1, 1e6 + 2];
    expect(leastSquaresSlope(xs, [5, 5.5, 6])).toBeCloseTo(0.5, 9);
  });

  test("null with one point or no spread in x", () => {
    expect(leastSquaresSlope([1], [1])).toBeNull();
    expect(leastSquaresSlope([2, 2, 2], [1, 2, 3])).toBeNull();
  });
});

describe("median", () => {
  test("odd and even counts, unsorted input left as it was; NaN when empty", () => {
    const values = [5, 1, 4];
    expect(median(values)).toBe(4);
    expect(values).toEqual([5, 1, 4]);
    expect(median([7, 1, 3, 10])).toBe(5);
    expect(median([])).toBeNaN();
  });
});

describe("senSlope (Theil–Sen with Sen's interval)", () => {
  test("five points worked by hand", () => {
    // Pairwise slopes of (0,0) (1,1) (2,3) (3,2) (4,5), ascending:
    //   -1, 0.5, 2/3, 1, 1, 1.25, 4/3, 1.5, 2, 3   (N = 10; median (1 + 1.25) / 2 = 1.125)
    // C = 1.645 · sqrt(5·4·15 / 18) = 6.71568; lower rank (10 − C) / 2 = 1.64216, between -1 and 0.5:
    //   -1 + 0.64216 · 1.5 = -0.03676; upper rank (10 + C) / 2 + 1 = 9.35784, between 2 and 3: 2.35784.
    const fit = senSlope([0, 1, 2, 3, 4], [0, 1, 3, 2, 5])!;
    expect(fit.slope).toBeCloseTo(1.125, 12);
    expect(fit.lower).toBeCloseTo(-0.03676, 4);
    expect(fit.upper).toBeCloseTo(2.35784, 4);
  });

  test("four points cannot bound the slope at 90 %: the bounds are infinite", () => {
    // C = 1.645 · sqrt(4·3·13 / 18) = 4.843 > N − 2 = 4, so the lower rank (6 − C) / 2 is under 1.
    const fit = senSlope([0, 1, 2, 3], [0, 1, 2, 3])!;
    expect(fit.slope).toBe(1);
    expect(fit.lower).toBe(Number.NEGATIVE_INFINITY);
    expect(fit.upper).toBe(Number.POSITIVE_INFINITY);
  });

  test("one wild point among eleven moves the slope little (least squares moves a lot)", () => {
    const xs = Array.from({ length: 11 }, (_, i) => i);
    const ys = xs.map((x) => 2 * x);
    ys[5] = 100; // a spike of +90
    expect(senSlope(xs, ys)!.slope).toBe(2);
    expect(leastSquaresSlope(xs, ys)).toBeCloseTo(2, 12); // in the middle it tilts nothing…
    ys[5] = 10;
    ys[9] = 108; // …near the end least squares tilts by 90 · (9 − 5) / 110 = 3.27
    expect(leastSquaresSlope(xs, ys)).toBeCloseTo(2 + (90 * 4) / 110, 9);
    expect(senSlope(xs, ys)!.slope).toBe(2);
  });

  test("null without two distinct x", () => {
    expect(senSlope([1], [1])).toBeNull();
    expect(senSlope([2, 2], [1, 3])).toBeNull();
  });
});

describe("blockMedians", () => {
  test("median per block from x0, mean x, short blocks left out", () => {
    //         block 0 (0 ≤ x < 3)   block 1 (3 ≤ x < 6)   block 2: one point, left out
    const xs = [0, 1, 2, 3, 4, 5, 6];
    const ys = [5, 1, 3, 9, 7, 8, 100];
    expect(blockMedians(xs, ys, 0, 3, 2)).toEqual({ x: [1, 4], y: [3, 8] });
  });

  test("points before x0 are not a block", () => {
    expect(blockMedians([-2, -1, 0, 1], [9, 9, 1, 2], 0, 2, 2)).toEqual({ x: [0.5], y: [1.5] });
  });

  test("with floorValue: a bump over four of six samples leaves the block's value alone", () => {
    const xs = [0, 1, 2, 3, 4, 5];
    expect(blockMedians(xs, [250, 275, 275, 275, 275, 250.4], 0, 6, 3, floorValue)).toEqual({ x: [2.5], y: [250.4] });
    // The median of the same block is lifted to the bump.
    expect(blockMedians(xs, [250, 275, 275, 275, 275, 250.4], 0, 6, 3).y[0]).toBe(275);
  });
});

describe("floorValue", () => {
  test("the second-lowest of four or more, the lowest of fewer, NaN of none", () => {
    expect(floorValue([5, 1, 3, 2, 9, 7])).toBe(2);
    expect(floorValue([4, 4, 9, 8])).toBe(4);
    expect(floorValue([3, 1, 2])).toBe(1);
    expect(floorValue([])).toBeNaN();
  });
});

describe("robustResidualSd", () => {
  test("1.4826 × the median absolute residual around the line", () => {
    // y − 2x = 1, 3, 0, 2, 10 → intercept (median) 2 → |residuals| 1, 1, 2, 0, 8 → median 1.
    expect(robustResidualSd([0, 1, 2, 3, 4], [1, 5, 4, 8, 18], 2)).toBeCloseTo(1.4826, 12);
  });
});

describe("RingBuffer", () => {
  test("keeps the newest `capacity` values, oldest first", () => {
    const ring = new RingBuffer(3);
    for (const value of [1, 2, 3, 4, 5]) ring.push(value);
    expect(ring.length).toBe(3);
    expect([ring.at(0), ring.at(1), ring.at(2)]).toEqual([3, 4, 5]);
    expect(Array.from(ring.copyTo(new Float64Array(3)))).toEqual([3, 4, 5]);
    expect(ring.last()).toBe(5);
  });

  test("rejects out-of-range reads and bad capacities", () => {
    const ring = new RingBuffer(2);
    ring.push(1);
    expect(() => ring.at(1)).toThrow(RangeError);
    expect(() => new RingBuffer(0)).toThrow();
  });
});

describe("FrameWindow", () => {
  test("summarises a second of frames: fps, avg, nearest-rank p50/p99, max", () => {
    const window = new FrameWindow();
    // 100 frames with CPU 1..100 ms and a 10 ms interval, except one 50 ms hitch.
    for (let i = 1; i <= 100; i++) window.add(i, i === 42 ? 50 : 10);
    const event = window.take(1, 1);
    expect(event.fps).toBe(100);
    expect(event.cpuMs).toEqual({ avg: 50.5, p50: 50, p99: 99, max: 100 });
    expect(event.intervalMs).toEqual({ avg: 10.4, p99: 10, max: 50 });
  });

  test("p99 sees a hitch when it is more than 1% of frames", () => {
    const window = new FrameWindow();
    for (let i = 0; i < 98; i++) window.add(1, 16);
    window.add(1, 100);
    window.add(1, 100);
    expect(window.take(1, 1).intervalMs.p99).toBe(100);
  });

  test("the first frame's missing interval is left out of interval stats", () => {
    const window = new FrameWindow();
    window.add(2, Number.NaN);
    window.add(4, 20);
    const event = window.take(1, 1);
    expect(event.fps).toBe(2);
    expect(event.cpuMs.avg).toBe(3);
    expect(event.intervalMs).toEqual({ avg: 20, p99: 20, max: 20 });
  });

  test("take() starts a new window; an empty window gives zeros", () => {
    const window = new FrameWindow();
    window.add(5, 16);
    window.take(1, 1);
    expect(window.take(2, 1)).toEqual({ type: "frames", t: 2, fps: 0, cpuMs: { avg: 0, p50: 0, p99: 0, max: 0 }, intervalMs: { avg: 0, p99: 0, max: 0 } });
  });

  test("more frames than capacity: exact count, avg and max; percentiles over the newest frames", () => {
    const window = new FrameWindow(10);
    for (let i = 0; i < 1000; i++) window.add(i === 0 ? 500 : 1, 1);
    const event = window.take(1, 1);
    expect(event.fps).toBe(1000);
    expect(event.cpuMs.max).toBe(500);
    expect(event.cpuMs.avg).toBeCloseTo(1.5, 2);
    expect(event.cpuMs.p99).toBe(1);
  });
});
