import { expect, test } from "vitest";
import { FrameHistogram } from "../../runtime/soak.ts";
import { trimMalloc } from "../../runtime/stats/trim.ts";

test("FrameHistogram percentiles agree with sorting the samples, to the 0.1 ms bin", () => {
  const histogram = new FrameHistogram();
  const samples: number[] = [];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 20_000; i++) {
    const ms = i % 500 === 0 ? 200 + random() * 50 : 16 + random() * 4; // a few long frames
    samples.push(ms);
    histogram.add(ms);
  }
  histogram.add(Number.NaN); // the first frame's interval: ignored
  samples.sort((a, b) => a - b);
  expect(histogram.count).toBe(samples.length);
  for (const p of [50, 99, 99.9, 100]) {
    const exact = samples[Math.ceil((p / 100) * samples.length) - 1]!;
    expect(Math.abs(histogram.percentile(p) - exact), `p${p}`).toBeLessThanOrEqual(FrameHistogram.BIN_MS / 2 + 1e-9);
  }
});

test("FrameHistogram: no frames gives 0; frames over 10 s land in the last bin", () => {
  const histogram = new FrameHistogram();
  expect(histogram.percentile(99)).toBe(0);
  histogram.add(60_000);
  expect(histogram.percentile(99)).toBeCloseTo(10_000, 6);
});

test("trimMalloc reaches glibc's malloc_trim on Linux (the soak trims before each sample)", () => {
  expect(trimMalloc()).toBe(process.platform === "linux");
});
