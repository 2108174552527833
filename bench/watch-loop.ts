#!/usr/bin/env bun
/**
 * `bun bench/watch-loop.ts [saves=4000] [warmup=1000]`: the file watcher alone, in a loop — save a
 * chain file the way editors do (temp file + rename), wait for the watcher's report, repeat. Prints
 * RSS and JS heap growth per 1000 saves after warm-up (least-squares slope of samples taken every
 * 250 saves, each after a full GC and malloc_trim). bench/reload-loop.ts calls Engine.reload() and
 * so never goes through the watcher; a soak does, once per save.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { heapSize } from "bun:jsc";
import { watchProject } from "../runtime/reload/watcher.ts";
import { leastSquaresSlope } from "../runtime/stats/math.ts";
import { trimMalloc } from "../runtime/stats/trim.ts";

const saves = Number(process.argv[2] ?? 4000);
const warmup = Math.min(Number(process.argv[3] ?? 1000), saves - 1);
const dir = mkdtempSync(join(tmpdir(), "vivid-watch-loop-"));
const file = join(dir, "chain.ts");
writeFileSync(file, "export const a = 0;\n");

let reported: (() => void) | undefined;
const watcher = watchProject(dir, { onChange: () => reported?.() });
await watcher.ready;

const mb = (bytes: number) => bytes / 1048576;
function memory() {
  Bun.gc(true);
  trimMalloc();
  return { rss: mb(process.memoryUsage.rss()), heap: mb(heapSize()) };
}
const points: { i: number; rss: number; heap: number }[] = [];
const started = performance.now();
for (let i = 1; i <= saves; i++) {
  const seen = new Promise<void>((resolve) => (reported = resolve));
  writeFileSync(`${file}.tmp`, `export const a = ${i % 2};\n`);
  renameSync(`${file}.tmp`, file);
  await seen;
  if (i >= warmup && i % 250 === 0) points.push({ i, ...memory() });
}
await watcher.close();
rmSync(dir, { recursive: true, force: true });
const per1000 = (pick: (p: (typeof points)[number]) => number) => (leastSquaresSlope(points.map((p) => p.i / 1000), points.map(pick)) ?? Number.NaN).toFixed(3);
console.log(`${saves} saves through the watcher in ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`RSS after ${warmup}: ${points[0]?.rss.toFixed(1)} MB, end: ${points.at(-1)?.rss.toFixed(1)} MB; slope ${per1000((p) => p.rss)} MB per 1000 saves`);
console.log(`JS heap after ${warmup}: ${points[0]?.heap.toFixed(2)} MB, end: ${points.at(-1)?.heap.toFixed(2)} MB; slope ${per1000((p) => p.heap)} MB per 1000 saves`);
