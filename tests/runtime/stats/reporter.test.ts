import { describe, expect, test } from "vitest";
import type { MemoryEvent, ReloadEvent, StatsEvent } from "../../../runtime/stats/events.ts";
import { StatsHub } from "../../../runtime/stats/hub.ts";
import { createPlainReporter, formatErrorLines, formatMemoryLine, formatReloadLine } from "../../../runtime/stats/reporter.ts";
import { FakeClock, rssSeries, seriesReader } from "./synthetic.ts";

/** The original's line: `[10.0s] Memory: 109 MB (total: +0 MB, last 10s: +0 MB)`. */
const MEMORY_LINE = /^\[\d+\.\d{1}s\] Memory: \d+ MB \(total: [+-]\d+ MB, last 10s: [+-]\d+ MB\)$/;

const memory = (fields: Partial<MemoryEvent>): MemoryEvent => ({
  type: "memory",
  t: 10,
  rssMB: 109.3,
  heapMB: 20,
  gpuMB: 0,
  last10sMB: 0,
  totalMB: 0,
  leak: { state: "inconclusive", limitMBh: 20, slopeMBh: null, lowerMBh: null, upperMBh: null, moreMinutes: 5 },
  alarm: false,
  ...fields,
});

const reload: ReloadEvent = {
  type: "reload",
  t: 12.34,
  file: "operators/2d/noise.ts",
  ok: true,
  swapMs: 0.8,
  ms: 41.46,
  created: { shaderModules: 1, pipelines: 1, bindGroups: 2, textures: 0, buffers: 0 },
  released: { shaderModules: 1, pipelines: 1, bindGroups: 2, textures: 0, buffers: 0 },
  rssDeltaMB: 0.3,
};

describe("memory line", () => {
  test("matches the original format exactly", () => {
    expect(formatMemoryLine(memory({}))).toBe("[10.0s] Memory: 109 MB (total: +0 MB, last 10s: +0 MB)");
    expect(formatMemoryLine(memory({}))).toMatch(MEMORY_LINE);
  });

  test("RSS is rounded, deltas are rounded and signed, and never -0", () => {
    expect(formatMemoryLine(memory({ t: 120, rssMB: 131.6, totalMB: 22.6, last10sMB: -1.7 }))).toBe("[120.0s] Memory: 132 MB (total: +23 MB, last 10s: -2 MB)");
    expect(formatMemoryLine(memory({ totalMB: -0.4, last10sMB: 0.2 }))).toBe("[10.0s] Memory: 109 MB (total: +0 MB, last 10s: +0 MB)");
  });

  test("a hub driven for a minute without a TTY prints one matching line every 10 s", () => {
    const clock = new FakeClock();
    const hub = new StatsHub({ now: clock.now, readMemory: seriesReader(rssSeries(6, { baseMB: 109, leakPerSampleMB: 0.6 })) });
    const lines: string[] = [];
    hub.subscribe(createPlainReporter((line) => lines.push(line)));
    for (let i = 1; i <= 3600; i++) hub.recordFrame(2, 1000 / 60, clock.frame(i));
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toMatch(MEMORY_LINE);
    expect(lines[0]).toBe("[10.0s] Memory: 109 MB (total: +0 MB, last 10s: +0 MB)");
    expect(lines[5]).toBe("[60.0s] Memory: 112 MB (total: +3 MB, last 10s: +1 MB)");
  });
});

describe("reload and error lines", () => {
  test("a successful reload: file, times, created and released counts, RSS delta", () => {
    expect(formatReloadLine(reload)).toBe(
      "[12.3s] Reload ok: operators/2d/noise.ts in 41.5 ms (swap 0.8 ms); created 1 shader module, 1 pipeline, 2 bind groups; released 1 shader module, 1 pipeline, 2 bind groups; RSS +0.3 MB",
    );
  });

  test("a failed reload says the previous version is kept and where it failed", () => {
    const failed = { ...reload, ok: false, error: { file: "shaders/2d/noise.wgsl", line: 12, column: 5, message: "unresolved identifier 'x'" } };
    expect(formatReloadLine(failed)).toBe("[12.3s] Reload failed: operators/2d/noise.ts, previous version kept: shaders/2d/noise.wgsl:12:5: unresolved identifier 'x'");
  });

  test("an error with file:line:col, its source line and a caret under the column", () => {
    const lines = formatErrorLines({ t: 3, file: "shaders/2d/noise.wgsl", line: 12, column: 11, message: "unresolved identifier 'x'", sourceLine: "  let y = x + 1;" });
    expect(lines).toEqual([
      "[3.0s] Error at shaders/2d/noise.wgsl:12:11: unresolved identifier 'x'",
      "       12 |   let y = x + 1;",
      "          |           ^",
    ]);
    expect(lines[1]!.indexOf("x +")).toBe(lines[2]!.indexOf("^"));
  });

  test("an error without a place is one line", () => {
    expect(formatErrorLines({ t: 3, message: "device lost" })).toEqual(["[3.0s] Error: device lost"]);
    expect(formatErrorLines({ t: 3, message: "noise.scale = 50 is outside its range 0.1..20: clamped to 20", severity: "warning" })).toEqual([
      "[3.0s] Warning: noise.scale = 50 is outside its range 0.1..20: clamped to 20",
    ]);
  });

  test("the reporter prints memory, reloads, errors and alarm changes, never frames", () => {
    const lines: string[] = [];
    const report = createPlainReporter((line) => lines.push(line));
    const events: StatsEvent[] = [
      { type: "frames", t: 1, fps: 60, cpuMs: { avg: 1, p50: 1, p99: 1, max: 1 }, intervalMs: { avg: 16, p99: 16, max: 16 } },
      memory({}),
      reload,
      { type: "error", t: 13, message: "boom", file: "a.ts", line: 1, column: 2 },
      memory({ t: 20, alarm: true, leak: { state: "fail", limitMBh: 20, slopeMBh: 180, lowerMBh: 172.4, upperMBh: 189, moreMinutes: null } }),
      memory({ t: 30, alarm: true }),
      memory({ t: 40, alarm: false, leak: { state: "inconclusive", limitMBh: 20, slopeMBh: 12, lowerMBh: -3, upperMBh: 25.5, moreMinutes: 7 } }),
    ];
    for (const event of events) report(event);
    expect(lines).toEqual([
      "[10.0s] Memory: 109 MB (total: +0 MB, last 10s: +0 MB)",
      formatReloadLine(reload),
      "[13.0s] Error at a.ts:1:2: boom",
      "[20.0s] Memory: 109 MB (total: +0 MB, last 10s: +0 MB)",
      "[20.0s] Memory leak alarm: RSS keeps rising, slope ≥ +172.40 MB/h (limit +20.00)",
      "[30.0s] Memory: 109 MB (total: +0 MB, last 10s: +0 MB)",
      "[40.0s] Memory: 109 MB (total: +0 MB, last 10s: +0 MB)",
      "[40.0s] Memory leak alarm cleared: slope +12.00 MB/h (−3.00…+25.50), measuring (7 min more)",
    ]);
  });

  test("a soak's progress gets a line after each memory sample: phase, time, then the verdict so far with its bound", () => {
    const lines: string[] = [];
    const report = createPlainReporter((line) => lines.push(line));
    report({ type: "soak", t: 40, phase: "warm-up", waitingFor: { reloads: [120, 500], frames: [1500, 10000], settleS: 60 }, elapsedS: 40, totalS: 1800, rss: null });
    report({ type: "soak", t: 700, phase: "warm-up", waitingFor: { settleS: 12.5 }, elapsedS: 700, totalS: 1800, rss: null });
    const rss = { state: "pass", limitMBh: 1, slopeMBh: 0.1, lowerMBh: -0.3, upperMBh: 0.56, moreMinutes: null } as const;
    report({ type: "soak", t: 1500, phase: "measuring", waitingFor: {}, elapsedS: 1500, totalS: 1800, rss });
    expect(lines).toEqual([
      "[40.0s] Soak warm-up (reloads 120/500, frames 1500/10000, settle 60 s) · 0:40 of 30:00, 29:20 left",
      "[700.0s] Soak warm-up (settle 13 s) · 11:40 of 30:00, 18:20 left",
      "[1500.0s] Soak measuring · 25:00 of 30:00, 5:00 left · RSS slope ≤ +0.56 MB/h (limit +1.00): PASS so far",
    ]);
  });
});
