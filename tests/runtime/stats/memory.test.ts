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
    expect(track([109])[0]).toMatchObject({ last10sMB: 0, totalMB: 0, slopeMBh: null, alarm: false });
  });

  test("last 10 s is against the previous sample, total against warm-up", () => {
    const readings = track([100, 103, 101.5, 110]);
    expect(readings.map((r) => r.last10sMB)).toEqual([0, 3, -1.5, 8.5]);
    expect(readings.map((r) => r.totalMB)).toEqual([0, 3, 1.5, 10]);
  });
});

describe("slope", () => {
  test("0.5 MB per 10 s is 180 MB/h", () => {
    const readings = track(rssSeries(40, { leakPerSampleMB: 0.5 }));
    expect(readings[1]!.slopeMBh).toBeNull();
    expect(readings[2]!.slopeMBh).toBeCloseTo(180, 6);
    expect(readings[39]!.slopeMBh).toBeCloseTo(180, 6);
  });

  test("is taken over the sliding window only: old growth drops out", () => {
    const { windowSamples } = LEAK_ALARM_DEFAULTS;
    const series = [...rssSeries(windowSamples, { leakPerSampleMB: 1 }), ...rssSeries(windowSamples, { baseMB: 200 })];
    const readings = track(series);
    expect(readings[windowSamples - 1]!.slopeMBh).toBeCloseTo(360, 6);
    expect(readings[windowSamples]!.slopeMBh!).toBeGreaterThan(360);
    expect(readings[2 * windowSamples - 1]!.slopeMBh).toBeCloseTo(0, 6);
  });
});

describe("leak alarm (defaults: 20 MB/h over 3 consecutive 10-minute windows)", () => {
  const { windowSamples, windows } = LEAK_ALARM_DEFAULTS;
  const alarmSample = windowSamples * windows - 1;

  test("a steady leak of 0.5 MB per 10 s raises the alarm after three windows, not before", () => {
    const readings = track(rssSeries(alarmSample + 60, { leakPerSampleMB: 0.5 }));
    expect(firstAlarm(readings)).toBe(alarmSample);
    expect(readings.slice(alarmSample).every((r) => r.alarm)).toBe(true);
  });

  test("the same leak under ±3 MB noise and a GC sawtooth still raises it", () => {
    for (const seed of [1, 2, 3]) {
      const readings = track(rssSeries(alarmSample + 1, { leakPerSampleMB: 0.5, noiseMB: 3, seed }));
      expect(firstAlarm(readings), `seed ${seed}`).toBe(alarmSample);
    }
  });

  test("a flat but noisy series (±3 MB, GC sawtooth) never raises it in four hours", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const readings = track(rssSeries(1440, { noiseMB: 3, seed }));
      expect(firstAlarm(readings), `seed ${seed}`).toBe(-1);
      // Not silent because the slope is never computed: it moves with the noise.
      expect(readings.some((r) => r.slopeMBh !== null && Math.abs(r.slopeMBh) > 1)).toBe(true);
    }
  });

  test("a one-time step (an operator allocating after warm-up) does not raise it", () => {
    const series = rssSeries(windowSamples * 6).map((rss, i) => (i >= 90 ? rss + 50 : rss));
    const readings = track(series);
    expect(readings[119]!.slopeMBh!).toBeGreaterThan(LEAK_ALARM_DEFAULTS.thresholdMBh);
    expect(firstAlarm(readings)).toBe(-1);
  });

  test("the threshold is a boundary: 18 MB/h stays quiet, 21.6 MB/h raises it", () => {
    expect(firstAlarm(track(rssSeries(alarmSample * 2, { leakPerSampleMB: 0.05 })))).toBe(-1);
    expect(firstAlarm(track(rssSeries(alarmSample * 2, { leakPerSampleMB: 0.06 })))).toBe(alarmSample);
  });

  test("clears at the end of the first window after the leak stops", () => {
    const leak = rssSeries(alarmSample + 1, { leakPerSampleMB: 0.5 });
    const series = [...leak, ...rssSeries(windowSamples, { baseMB: leak[alarmSample]! })];
    const readings = track(series);
    expect(readings[alarmSample]!.alarm).toBe(true);
    expect(readings[alarmSample + windowSamples - 1]!.alarm).toBe(true);
    expect(readings[alarmSample + windowSamples]!.alarm).toBe(false);
  });

  test("threshold, window and count are configurable", () => {
    const tracker = new MemoryTracker({ thresholdMBh: 200, windowSamples: 10, windows: 2 });
    expect(firstAlarm(track(rssSeries(60, { leakPerSampleMB: 0.5 }), tracker))).toBe(-1);
    const eager = new MemoryTracker({ thresholdMBh: 100, windowSamples: 10, windows: 2 });
    expect(firstAlarm(track(rssSeries(60, { leakPerSampleMB: 0.5 }), eager))).toBe(19);
  });
});
