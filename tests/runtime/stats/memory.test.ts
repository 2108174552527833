import { describe, expect, test } from "vitest";
import { LEAK_ALARM_DEFAULTS, type MemoryReading, MemoryTracker } from "../../../runtime/stats/memory.ts";
import { rssSeries } from "./synthetic.ts";

/** Feeds a series sampled every 10 s starting at t = 10 s (the warm-up sample). */
function track(series: readonly number[], tracker = new MemoryTracker()): MemoryReading[] {
  return series.map((rssMB, i) => tracker.add(10 * (i + 1), rssMB));
}

const firstAlarm = (readings: MemoryReading[]) => readings.findIndex((reading) => reading.alarm);

describe("deltas", () => {
  test("the first sample is the warm-up baseline: total and last 10 s are 0", () => {
    expect(track([109])[0]).toMatchObject({ last10sMB: 0, totalMB: 0, alarm: false });
  });

  test("last 10 s is against the previous sample, total against warm-up", () => {
    const readings = track([100, 103, 101.5, 110]);
    expect(readings.map((r) => r.last10sMB)).toEqual([0, 3, -1.5, 8.5]);
    expect(readings.map((r) => r.totalMB)).toEqual([0, 3, 1.5, 10]);
  });
});

describe("leak judgement (defaults: 20 MB/h over the last 30 minutes)", () => {
  // The alarm needs the lower bound over the threshold in the window and in each half alone, and
  // each half needs five 1-minute medians: ten minutes of samples. Sample i is at 10·(i + 1) s, so
  // the tenth minute's median exists (three of its samples) at i = 56, t = 570 s.
  const tenMinutes = 56;

  test("the first minutes say how long until the slope can be bounded, not a slope", () => {
    const readings = track(rssSeries(20, { leakPerSampleMB: 0.5 }));
    expect(readings[0]!.leak).toMatchObject({ state: "inconclusive", lowerMBh: null, upperMBh: null, moreMinutes: 5 });
    expect(readings[19]!.leak).toMatchObject({ state: "inconclusive", lowerMBh: null, upperMBh: null });
    // Once three samples show it rising, the judgement knows a leak needs ten one-minute medians
    // (the first is there at 30 s): nine minutes more, then counting down.
    expect(readings[2]!.leak.moreMinutes).toBe(9);
    const later = readings.slice(2).map((r) => r.leak.moreMinutes!);
    expect(later).toEqual([...later].sort((a, b) => b - a));
  });

  test("a steady leak of 0.5 MB per 10 s (180 MB/h) raises the alarm at ten minutes, not before", () => {
    const readings = track(rssSeries(tenMinutes + 60, { leakPerSampleMB: 0.5 }));
    expect(firstAlarm(readings)).toBe(tenMinutes);
    expect(readings.slice(tenMinutes).every((r) => r.alarm)).toBe(true);
    expect(readings[tenMinutes]!.leak.lowerMBh).toBeCloseTo(180, 6);
  });

  test("the same leak under ±3 MB noise and a GC sawtooth still raises it at ten minutes", () => {
    for (const seed of [1, 2, 3]) {
      const readings = track(rssSeries(tenMinutes + 1, { leakPerSampleMB: 0.5, noiseMB: 3, seed }));
      expect(firstAlarm(readings), `seed ${seed}`).toBe(tenMinutes);
    }
  });

  test("a flat but noisy series (±3 MB, GC sawtooth) never raises it in four hours, and is bounded under 20 MB/h", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const readings = track(rssSeries(1440, { noiseMB: 3, seed }));
      expect(firstAlarm(readings), `seed ${seed}`).toBe(-1);
      expect(readings.at(-1)!.leak.state).toBe("pass");
      expect(readings.at(-1)!.leak.upperMBh!).toBeLessThan(20);
    }
  });

  test("a one-time step of 50 MB (an operator allocating after warm-up) does not raise it", () => {
    const series = rssSeries(720).map((rss, i) => (i >= 90 ? rss + 50 : rss));
    const readings = track(series);
    expect(readings[150]!.leak.slopeMBh!).toBeGreaterThan(LEAK_ALARM_DEFAULTS.thresholdMBh);
    expect(firstAlarm(readings)).toBe(-1);
  });

  test("the threshold is a boundary: 18 MB/h is bounded under it, 21.6 MB/h raises it", () => {
    const slow = track(rssSeries(600, { leakPerSampleMB: 0.05 }));
    expect(firstAlarm(slow)).toBe(-1);
    expect(slow.at(-1)!.leak).toMatchObject({ state: "pass" });
    expect(slow.at(-1)!.leak.upperMBh).toBeCloseTo(18, 6);
    expect(firstAlarm(track(rssSeries(600, { leakPerSampleMB: 0.06 })))).toBe(tenMinutes);
  });

  test("old growth drops out of the window: the alarm clears once the last half hour's second half is flat", () => {
    const leak = rssSeries(200, { leakPerSampleMB: 0.5 });
    const readings = track([...leak, ...rssSeries(400, { baseMB: leak[199]! })]);
    expect(readings[199]!.alarm).toBe(true);
    const cleared = readings.findIndex((r, i) => i > 199 && !r.alarm);
    // Cleared within the first 15 minutes of flat samples, and it stays cleared.
    expect(cleared - 199).toBeLessThanOrEqual(90);
    expect(readings.slice(cleared).every((r) => !r.alarm)).toBe(true);
    expect(readings.at(-1)!.leak.state).toBe("pass");
  });

  test("threshold and window are configurable", () => {
    expect(firstAlarm(track(rssSeries(120, { leakPerSampleMB: 0.5 }), new MemoryTracker({ thresholdMBh: 200 })))).toBe(-1);
    const short = new MemoryTracker({ thresholdMBh: 100, windowMinutes: 12 });
    const readings = track(rssSeries(200, { leakPerSampleMB: 0.5 }), short);
    expect(firstAlarm(readings)).toBe(tenMinutes);
    expect(() => new MemoryTracker({ windowMinutes: 0 })).toThrow(/windowMinutes/);
  });
});
