import { expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Census } from "../../runtime/gpu/census.ts";
import type { Gpu } from "../../runtime/gpu/gpu.ts";
import { FrameHistogram, SOAK_DEFAULTS, SOAK_PROBLEMS_KEPT, type Sample, SampleSeries, SoakDriver, formatVerdict } from "../../runtime/soak.ts";
import type { MemoryEvent, SoakEntry } from "../../runtime/stats/events.ts";
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

test("SampleSeries gives back what was pushed, past its expected length and with mapping kinds that come and go", () => {
  const series = new SampleSeries(3);
  const pushed: Sample[] = [];
  for (let i = 0; i < 20; i++) {
    const regionsMB: Record<string, number> = { "anon <1M": i / 4, "bun.exe": 44.5 };
    if (i >= 5 && i < 9) regionsMB["libLLVM-15.so.1"] = 50 + i;
    const sample: Sample = { t: 10 * (i + 1), rssMB: 200 + i / 8, heapMB: 40 + i / 16, gpuMB: 15.82, detail: { jitCompileMs: i % 3 ? 100 + i : null, regionsMB } };
    // Samples from before the arena's owners were recorded have none; later ones all three.
    if (i >= 10) sample.detail!.owners = { jsHeapMB: 40 + i, jsCapacityMB: 50 + i, jsExtraMB: 3 + i / 2 };
    pushed.push(sample);
    series.push(sample);
  }
  expect(series.length).toBe(20);
  expect(series.toArray()).toEqual(pushed);
});

test("SampleSeries without breakdowns gives samples without one", () => {
  const series = new SampleSeries(10);
  series.push({ t: 10, rssMB: 1, heapMB: 2, gpuMB: 3 });
  expect(series.toArray()).toEqual([{ t: 10, rssMB: 1, heapMB: 2, gpuMB: 3 }]);
});

test("SoakDriver: the warm-up lasts until --warmup-frames frames are drawn, whatever the time", () => {
  const dir = mkdtempSync(join(tmpdir(), "vivid-soak-driver-"));
  const chainFile = join(dir, "chain.ts");
  writeFileSync(chainFile, "noise.scale = 4;\n");
  const gpu = { census: new Census() } as unknown as Gpu;
  const driver = new SoakDriver(chainFile, gpu, { ...SOAK_DEFAULTS, minutes: 1, warmupSeconds: 10, warmupFrames: 50 });
  const memory = (t: number): MemoryEvent => ({ type: "memory", t, rssMB: 100 + t / 100, heapMB: 10, gpuMB: 0, last10sMB: 0, totalMB: 0, leak: { state: "inconclusive", limitMBh: 20, slopeMBh: null, lowerMBh: null, upperMBh: null, moreMinutes: 5 }, alarm: false });
  let now = 0;
  const frames = (n: number) => {
    for (let i = 0; i < n; i++) driver.tick((now += 100), 100);
  };
  frames(30);
  driver.listener(memory(10)); // 10 s, 30 frames: not yet
  frames(30);
  driver.listener(memory(20)); // 60 frames: warm
  frames(30);
  driver.listener(memory(30));
  driver.listener(memory(40));
  const verdict = driver.verdict();
  expect(verdict.warmupEndS).toBe(20);
  expect(verdict.warmupFrames).toBe(60);
  expect(verdict.frames).toBe(90);
  expect(verdict.rssSlopeMBh).toBeCloseTo(36, 6); // 0.01 MB/s
  rmSync(dir, { recursive: true, force: true });
});

test("SoakDriver reports its progress after each memory sample: what the warm-up waits for, then the verdict so far", () => {
  const dir = mkdtempSync(join(tmpdir(), "vivid-soak-progress-"));
  const chainFile = join(dir, "chain.ts");
  writeFileSync(chainFile, "noise.scale = 4;\n");
  const gpu = { census: new Census() } as unknown as Gpu;
  const reports: SoakEntry[] = [];
  const options = { ...SOAK_DEFAULTS, minutes: 30, reloadEvery: 2, warmupReloads: 3, warmupSeconds: 20, warmupFrames: 50 };
  const driver = new SoakDriver(chainFile, gpu, options, (progress) => reports.push(progress));
  const leak = { state: "inconclusive", limitMBh: 20, slopeMBh: null, lowerMBh: null, upperMBh: null, moreMinutes: 5 } as const;
  const memory = (t: number, rssMB: number): MemoryEvent => ({ type: "memory", t, rssMB, heapMB: 10, gpuMB: 0, last10sMB: 0, totalMB: 0, leak, alarm: false });
  const reload = (t: number) => driver.listener({ type: "reload", t, file: "chain.ts", ok: true, swapMs: 1, ms: 2, created: none, released: none, rssDeltaMB: 0 });
  const none = { shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 };
  let now = performance.now();
  const frames = (n: number, msEach = 100) => {
    for (let i = 0; i < n; i++) driver.tick((now += msEach), msEach);
  };
  frames(20);
  reload(2);
  driver.listener(memory(10, 200));
  frames(1);
  expect(reports.at(-1)).toMatchObject({ phase: "warm-up", waitingFor: { reloads: [1, 3], frames: [21, 50], settleS: 20 }, totalS: 1800, rss: null });
  reload(11);
  reload(12); // three reloads: the settle starts at 12 s
  frames(40);
  driver.listener(memory(20, 200));
  frames(1);
  expect(reports.at(-1)).toMatchObject({ phase: "warm-up", waitingFor: { settleS: 12 } });
  expect(reports.at(-1)!.waitingFor.reloads).toBeUndefined();
  expect(reports.at(-1)!.waitingFor.frames).toBeUndefined();
  // Warm at 40 s (12 + 20 s settle, the first sample at or after 32 s); then 20 minutes at +6 MB/h.
  for (let t = 30; t <= 1240; t += 10) {
    driver.listener(memory(t, 200 + (6 * t) / 3600));
    frames(1, 10_000);
    if (t === 40) expect(reports.at(-1)).toMatchObject({ phase: "measuring", waitingFor: {}, rss: { state: "inconclusive", lowerMBh: null } });
  }
  const last = reports.at(-1)!;
  expect(last.phase).toBe("measuring");
  expect(last.rss).toMatchObject({ state: "fail", limitMBh: 1 });
  expect(last.rss!.lowerMBh).toBeCloseTo(6, 6);
  expect(last.elapsedS).toBeGreaterThan(1200);
  rmSync(dir, { recursive: true, force: true });
});

test("a soak that FAILs on a failed reload says what the reload said, and what the errors said, each once", () => {
  const dir = mkdtempSync(join(tmpdir(), "vivid-soak-problems-"));
  const chainFile = join(dir, "chain.ts");
  writeFileSync(chainFile, "noise.scale = 4;\n");
  const gpu = { census: new Census() } as unknown as Gpu;
  const driver = new SoakDriver(chainFile, gpu, { ...SOAK_DEFAULTS, minutes: 1, reloadEvery: 2 });
  const none = { shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 };
  const starved = { file: "/p/chain.ts", line: 34, column: 28, message: "LoopStarvedError: this function ran past the 250 ms limit for update\n(more)" };
  driver.listener({ type: "reload", t: 412.34, file: "chain.ts", ok: false, swapMs: 0, ms: 300, error: starved, created: none, released: none, rssDeltaMB: 0 });
  driver.listener({ type: "error", t: 412.35, ...starved }); // the failed reload, as an error too
  driver.listener({ type: "error", t: 500, message: "TypeError: x is not a function", file: "/p/chain.ts", line: 3, column: 1 });
  driver.listener({ type: "error", t: 510, message: "TypeError: x is not a function", file: "/p/chain.ts", line: 3, column: 1 }); // the same again
  driver.listener({ type: "error", t: 520, message: "param clamped", severity: "warning" });
  for (let i = 0; i < 2 * SOAK_PROBLEMS_KEPT; i++) driver.listener({ type: "error", t: 600 + i, message: `Error: number ${i}` });
  const verdict = driver.verdict();
  expect(verdict.result).toBe("FAIL");
  expect(verdict.reasons).toContain("1 reload failed");
  expect(verdict.problems).toHaveLength(SOAK_PROBLEMS_KEPT);
  expect(verdict.problems!.slice(0, 3)).toEqual([
    "412.3 s reload failed: /p/chain.ts:34:28: LoopStarvedError: this function ran past the 250 ms limit for update",
    "500.0 s error: /p/chain.ts:3:1: TypeError: x is not a function",
    "600.0 s error: Error: number 0",
  ]);
  expect(formatVerdict(verdict)).toContain("soak: at 412.3 s reload failed: /p/chain.ts:34:28: LoopStarvedError");
  rmSync(dir, { recursive: true, force: true });
});
