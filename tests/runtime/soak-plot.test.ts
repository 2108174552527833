import { describe, expect, test } from "vitest";
import { Raster, niceTicks } from "../../runtime/plot.ts";
import { readPng } from "../../runtime/snapshot.ts";
import { PLOT_COLORS, type Sample, type SoakRecord, judgeSoak, plotRss, soakPlotLayout } from "../../runtime/soak.ts";

const WHITE = [255, 255, 255] as const;
const BLACK = [0, 0, 0] as const;

describe("Raster text (Roboto Mono outlines, non-zero fill)", () => {
  test("an O is ink on its ring and background in its hole", () => {
    const raster = new Raster(60, 60, WHITE);
    raster.text("O", 10, 50, 48, BLACK);
    const width = raster.textWidth("O", 48);
    // Scan the middle row: ink, then the hole, then ink again.
    const row = Array.from({ length: 60 }, (_, x) => raster.pixel(x, 32)[0]! < 128);
    const runs = row.map((ink, x) => (x === 0 || ink !== row[x - 1] ? (ink ? "#" : ".") : "")).join("");
    expect(runs).toBe(".#.#.");
    const firstInk = row.indexOf(true);
    const lastInk = row.lastIndexOf(true);
    expect(firstInk).toBeGreaterThanOrEqual(10);
    expect(lastInk).toBeLessThanOrEqual(10 + width);
  });

  test("right alignment ends the text at x; rotated text runs upwards", () => {
    const raster = new Raster(200, 200, WHITE);
    raster.text("MB", 150, 40, 20, BLACK, "right");
    let lastInk = -1;
    for (let y = 20; y < 45; y++) for (let x = 0; x < 200; x++) if (raster.pixel(x, y)[0]! < 128) lastInk = Math.max(lastInk, x);
    expect(lastInk).toBeLessThanOrEqual(150);
    expect(lastInk).toBeGreaterThan(140);
    const turned = new Raster(60, 200, WHITE);
    turned.text("minutes", 30, 100, 16, BLACK, "center", true);
    const inkRows = [];
    for (let y = 0; y < 200; y++) if (Array.from({ length: 60 }, (_, x) => turned.pixel(x, y)[0]! < 128).some(Boolean)) inkRows.push(y);
    // Seven characters of 0.6 em stacked vertically: about 67 px tall, centred on y = 100.
    expect(inkRows.at(-1)! - inkRows[0]!).toBeGreaterThan(55);
    expect(Math.abs((inkRows.at(-1)! + inkRows[0]!) / 2 - 100)).toBeLessThan(6);
  });
});

test("niceTicks: steps of 1, 2 or 5 × 10^k inside the range", () => {
  // 4.5 MB in about 6 steps: 0.75 → the next nice step is 1.
  expect(niceTicks(199.3, 203.8, 6)).toEqual([200, 201, 202, 203]);
  expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  expect(niceTicks(0, 30, 8)).toEqual([0, 5, 10, 15, 20, 25, 30]);
});

describe("plotRss", () => {
  // 30 minutes at 10 s, a warm-up to 300 s that rises 5 MB, then exactly +6 MB/h.
  const samples: Sample[] = [];
  for (let t = 10; t <= 1800; t += 10) samples.push({ t, rssMB: t < 300 ? 195 + (5 * t) / 300 : 200 + (6 * (t - 300)) / 3600, heapMB: 40, gpuMB: 16 });
  const record: SoakRecord = {
    minutes: 30, frames: 1, reloads: 0, reloadsFailed: 0, warmupReloads: 0, warmupEndS: 300, warmupFrames: 1, errors: 0, frameMsP99: 1,
    gpuBytesStart: 0, gpuBytesEnd: 0, liveStart: {}, liveEnd: {}, createdAfterWarmup: {}, samples,
  };
  const verdict = judgeSoak(record, { maxSlopeMBh: 1, reloadEvery: 0 });
  const png = readPng(plotRss(verdict, "hello-noise"));
  const layout = soakPlotLayout(samples, png.width, png.height);
  const at = (x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));
  const near = (x: number, y: number, color: readonly number[], radius = 2) => {
    for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) if (at(Math.round(x) + dx, Math.round(y) + dy).join() === color.join()) return true;
    return false;
  };

  test("the axes map minutes and MB: 0 to 30 minutes, RSS 195–203 MB inside the plot area", () => {
    expect(verdict.result).toBe("FAIL");
    expect(layout.minutes).toEqual([0, 30]);
    expect(layout.mb[0]).toBeLessThan(195.2);
    expect(layout.mb[1]).toBeGreaterThan(202.5);
    expect(layout.x(0)).toBe(layout.left);
    expect(layout.x(1800)).toBe(layout.right);
  });

  test("the warm-up is shaded up to its end and not after", () => {
    const y = Math.round(layout.top + 5);
    const end = layout.x(300);
    expect(at(Math.round(layout.left + 3), y)).toEqual([...PLOT_COLORS.warmup]);
    expect(at(Math.round(end - 3), y)).toEqual([...PLOT_COLORS.warmup]);
    expect(at(Math.round(end + 3), y)).toEqual([...PLOT_COLORS.background]);
  });

  test("the RSS line follows the samples and the fitted line is +6 MB/h after the warm-up", () => {
    for (const t of [100, 200]) expect(near(layout.x(t), layout.y(195 + (5 * t) / 300), PLOT_COLORS.rss), `RSS at ${t} s`).toBe(true);
    for (const t of [400, 900, 1500, 1790]) expect(near(layout.x(t), layout.y(200 + (6 * (t - 300)) / 3600), PLOT_COLORS.fit), `fit at ${t} s`).toBe(true);
    // No fitted line over the warm-up.
    expect(near(layout.x(150), layout.y(200 - (6 * 150) / 3600), PLOT_COLORS.fit, 3)).toBe(false);
  });

  test("tick labels sit left of the y axis and under the x axis; the title is written", () => {
    const ink = (x0: number, x1: number, y0: number, y1: number) => {
      let count = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (at(x, y)[0]! < 120) count++;
      return count;
    };
    const y200 = Math.round(layout.y(200));
    expect(ink(20, layout.left - 8, y200 - 8, y200 + 6)).toBeGreaterThan(20); // "200"
    const x15 = Math.round(layout.x(900));
    expect(ink(x15 - 12, x15 + 12, layout.bottom + 8, layout.bottom + 22)).toBeGreaterThan(15); // "15"
    expect(ink(10, png.width - 10, 6, 28)).toBeGreaterThan(300); // the title line
    // Nothing in the empty margin between the title and the plot.
    expect(ink(layout.left + 100, png.width - 20, 30, layout.top - 2)).toBe(0);
  });
});
