#!/usr/bin/env bun
/**
 * `bun bench/dashboard-loop.ts [--renders 10000] [--warmup 2000] [--every 1000] [--no-dashboard]
 * [--ink-default-caches] [--fake-terminal] [--out file.json]`: the dashboard alone, fast-forwarded. A real StatsHub on
 * a synthetic clock gets one second per step — 13 frames (shadow-point's rate on the 2-core box)
 * with varying times, so the frames line changes as it does in a run —, a reload every 2 s and a
 * memory sample every 10 s; the real dashboard (real Ink, the runtime's mountDashboard) draws once
 * per step onto this process's stdout. Run it in a pseudo-terminal, as a user sees the dashboard:
 *
 *   tmux new -d -x 130 -y 45 'bun bench/dashboard-loop.ts --out /tmp/dashboard-loop.json'
 *   script -qfc 'stty cols 130 rows 45; bun bench/dashboard-loop.ts --out /tmp/dashboard-loop.json' /dev/null
 *
 * After warm-up, every --every renders: a full GC, half a second for the allocator to return freed
 * pages, another GC and malloc_trim, then RSS, the JS heap (less native "extra" memory such as
 * Yoga's WASM memory) and the live JS cells by type. Prints one JSON object (to --out, since stdout
 * is the dashboard, and to stdout after unmounting): the slopes per 1000 renders, the cell types
 * whose count changed, how many entries Ink's text caches hold, and what the dashboard costs up
 * front (RSS, heap and RSS by mapping before and after Ink is imported and the dashboard drew 200
 * times). --no-dashboard runs the same hub with nothing mounted. --ink-default-caches puts Ink's
 * own cache bound (4096) back, to show the growth runtime/dashboard/ink-text-caches.ts removes.
 * --fake-terminal draws into a TTY-like stream of 130×45 that discards the text (the test's way).
 * "Data cells" are the JS heap's cells less those JSC makes for code, which come and go as
 * functions tier up and are discarded.
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { EventEmitter } from "node:events";
import { heapStats } from "bun:jsc";
import { memoryBreakdown } from "../runtime/stats/breakdown.ts";
import { leastSquaresSlope } from "../runtime/stats/math.ts";
import { trimMalloc } from "../runtime/stats/trim.ts";

// As the CLI does before it loads the dashboard: React's development build is not what users run.
process.env.NODE_ENV ??= "production";

const { values } = parseArgs({
  options: {
    renders: { type: "string", default: "10000" },
    warmup: { type: "string", default: "2000" },
    every: { type: "string", default: "1000" },
    "no-dashboard": { type: "boolean", default: false },
    "ink-default-caches": { type: "boolean", default: false },
    "fake-terminal": { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const renders = Number(values.renders);
const warmup = Number(values.warmup);
const every = Number(values.every);
const mounted = !values["no-dashboard"];
const MB = 1024 * 1024;
const INK_DEFAULT_CACHE_ENTRIES = 4096;

interface Reading {
  renders: number;
  rssMB: number;
  heapMB: number;
  extraMB: number;
  objects: Record<string, number>;
  regionsMB: Record<string, number>;
}
async function read(step: number): Promise<Reading> {
  Bun.gc(true);
  // Freed pages go back to the system on the allocator's own schedule; without the wait RSS swings
  // by tens of MB with the fast loop's garbage.
  await new Promise((resolve) => setTimeout(resolve, 500));
  Bun.gc(true);
  trimMalloc();
  const stats = heapStats();
  return {
    renders: step,
    rssMB: process.memoryUsage.rss() / MB,
    heapMB: (stats.heapSize - stats.extraMemorySize) / MB,
    extraMB: stats.extraMemorySize / MB,
    objects: { ...stats.objectTypeCounts },
    regionsMB: memoryBreakdown().regionsMB,
  };
}
/**
 * A TTY-like stdout of 130×45 that throws what it is given away, for --fake-terminal: the test
 * runs this bench in a child process whose stdout is a pipe.
 */
class FakeTerminal extends EventEmitter {
  isTTY = true;
  columns = 130;
  rows = 45;
  write(_chunk: unknown, ...rest: unknown[]): boolean {
    (rest.find((arg) => typeof arg === "function") as (() => void) | undefined)?.();
    return true;
  }
}

/** What JSC makes for code (bytecode, shapes, symbol tables): it comes and goes as functions tier up and are discarded. */
const CODE_CELLS = /CodeBlock|Executable|^Structure|SymbolTable/;
const dataCells = (r: Reading) => Object.entries(r.objects).reduce((sum, [type, count]) => (CODE_CELLS.test(type) ? sum : sum + count), 0);

const round = (value: number, digits = 2) => Number(value.toFixed(digits));
function regionsDelta(from: Reading, to: Reading): Record<string, number> {
  const names = new Set([...Object.keys(from.regionsMB), ...Object.keys(to.regionsMB)]);
  const delta: Record<string, number> = {};
  for (const name of names) {
    const change = (to.regionsMB[name] ?? 0) - (from.regionsMB[name] ?? 0);
    if (Math.abs(change) >= 0.3) delta[name] = round(change);
  }
  return delta;
}

const { StatsHub } = await import("../runtime/stats/hub.ts");
const { Census } = await import("../runtime/gpu/census.ts");
const beforeInk = await read(0);

// Ink's two text caches are QuickLRUs (see ink-text-caches.ts); watching their `set` finds them, to
// report their entries, and lets --ink-default-caches put Ink's own bound back after the dashboard's.
const QuickLRU = createRequire(Bun.resolveSync("ink", import.meta.dir))("quick-lru").default;
const inkCaches = new Set<{ keys(): Iterable<unknown>; resize(size: number): void }>();
if (mounted) {
  const set = QuickLRU.prototype.set;
  QuickLRU.prototype.set = function (this: { resize(size: number): void; keys(): Iterable<unknown> }, ...args: unknown[]) {
    if (!inkCaches.has(this)) {
      inkCaches.add(this);
      if (values["ink-default-caches"]) this.resize(INK_DEFAULT_CACHE_ENTRIES);
    }
    return set.apply(this, args);
  };
}
const inkEntries = () => [...inkCaches].map((cache) => [...cache.keys()].length);

const mountDashboard = mounted ? (await import("../runtime/dashboard/mount.tsx")).mountDashboard : undefined;
const afterImport = await read(0);

let clockMs = 0;
const census = new Census();
for (let i = 0; i < 4; i++) census.created("texture", `op${i}`, 8 * MB);
const hub = new StatsHub({ now: () => clockMs, readGpu: () => ({ bytes: census.gpuBytes }) });
const info = { project: "dashboard-loop", adapter: "llvmpipe (synthetic)", width: 1280, height: 720, census: () => census.snapshot() };
const terminal = values["fake-terminal"] ? new FakeTerminal() : undefined;
const dashboard = mountDashboard?.(hub, info, terminal && { stdout: terminal as unknown as NodeJS.WriteStream, patchConsole: false });

const counts = { shaderModules: 1, pipelines: 1, bindGroups: 2, textures: 0, buffers: 0 };
// Long enough for the throttle's timer (its wait is 0: a simulated second has passed) and Ink's own.
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 2));

const readings: Reading[] = [];
let afterMount: Reading | undefined;
const started = performance.now();
for (let step = 1; step <= renders; step++) {
  const base = (step - 1) * 1000;
  for (let frame = 1; frame <= 13; frame++) {
    clockMs = base + (frame * 1000) / 13;
    hub.recordFrame(20 + ((step * 7 + frame * 13) % 29) / 7, 1000 / 13 + ((step * 3 + frame) % 11) / 3, clockMs);
  }
  if (step % 2 === 0) hub.reload({ file: "chain.ts", ok: true, swapMs: 0.4, ms: 25 + (step % 7), created: counts, released: counts, rssDeltaMB: (step % 5) / 10 });
  await nextTurn();
  if (step === 200) afterMount = await read(step);
  if (step >= warmup && step % every === 0) readings.push(await read(step));
}
const seconds = (performance.now() - started) / 1000;
const entries = inkEntries();
const draws = dashboard?.draws ?? 0;
dashboard?.unmount();

const first = readings[0]!;
const last = readings.at(-1)!;
const thousands = readings.map((r) => r.renders / 1000);
const slope = (pick: (r: Reading) => number, digits: number) => round(leastSquaresSlope(thousands, readings.map(pick)) ?? Number.NaN, digits);
const changedTypes = Object.keys({ ...first.objects, ...last.objects })
  .map((type) => [type, (last.objects[type] ?? 0) - (first.objects[type] ?? 0)] as const)
  .filter(([, delta]) => delta !== 0)
  .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
  .slice(0, 12);
const summary = {
  mounted,
  inkCaches: mounted ? (values["ink-default-caches"] ? "Ink's default (4096)" : "bounded by the dashboard") : "none",
  renders,
  draws,
  seconds: round(seconds, 1),
  inkCacheEntries: entries,
  readAt: readings.map((r) => r.renders),
  rssMB: readings.map((r) => round(r.rssMB)),
  heapMB: readings.map((r) => round(r.heapMB, 3)),
  rssMBPer1000: slope((r) => r.rssMB, 3),
  heapKBPer1000: slope((r) => r.heapMB * 1024, 1),
  dataCellsPer1000: slope(dataCells, 1),
  dataCellsGrowth: dataCells(last) - dataCells(first),
  [`objectTypesChanged_${first.renders}_to_${last.renders}`]: Object.fromEntries(changedTypes),
  upFront: afterMount && {
    importRssMB: round(afterImport.rssMB - beforeInk.rssMB),
    importHeapMB: round(afterImport.heapMB - beforeInk.heapMB),
    importExtraMB: round(afterImport.extraMB - beforeInk.extraMB),
    importRegionsMB: regionsDelta(beforeInk, afterImport),
    mountRssMB: round(afterMount.rssMB - afterImport.rssMB),
    mountHeapMB: round(afterMount.heapMB - afterImport.heapMB),
    mountExtraMB: round(afterMount.extraMB - afterImport.extraMB),
    mountRegionsMB: regionsDelta(afterImport, afterMount),
  },
};
const json = JSON.stringify(summary, null, 2);
if (values.out) writeFileSync(values.out, `${json}\n`);
console.log(json);
process.exit(0);
