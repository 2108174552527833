#!/usr/bin/env bun
/**
 * `bun bench/reload-loop.ts [reloads=4000] [warmup=1000] [--project <dir>] [--load-only]`: the reload
 * transaction in a loop on the real device — rename-save a chain (alternating a param, every 10th save
 * a structural edit that adds an operator, every 25th a syntax error), Engine.reload(), three frames,
 * await the ledger's final entry. `--project` reloads that project's chain.ts as it is instead (no
 * saves; run it on a copy), at 160×90; `--load-only` only loads the chain module each time (evict,
 * instrument, import: runtime/reload/loader.ts), no setup and no frames, to tell the two apart.
 * Prints the census live counts before and after (they must match), and the RSS / JS heap growth per
 * 1000 reloads after warm-up: the least-squares slope of samples taken every 250 reloads (target
 * < 1 MB). The allocators take ~1000 reloads to reach their plateau, and single samples jitter by
 * ±1.5 MB, hence the long warm-up and the fitted slope. Exit code 1 when the census differs.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { heapSize } from "bun:jsc";
import { Engine } from "../runtime/engine.ts";
import { Gpu } from "../runtime/gpu/gpu.ts";
import { loadChainModule } from "../runtime/reload/loader.ts";

const { values: flags, positionals } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { project: { type: "string" }, "load-only": { type: "boolean" } } });
const reloads = Number(positionals[0] ?? 4000);
const warmup = Math.min(Number(positionals[1] ?? 1000), reloads - 1);
const project = flags.project ? resolve(flags.project) : undefined;
const dir = project ?? mkdtempSync(join(tmpdir(), "vivid-reload-loop-"));
const chainFile = join(dir, "chain.ts");
const chain = (i: number) => `import { Noise, Blur } from "vivid";
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(64, 64);
  noise.scale = ${i % 2 ? 4 : 7};
${i % 10 === 3 ? '  ctx.chain.add(Blur, "blur").input("noise");\n  ctx.chain.output("blur");' : '  ctx.chain.output("noise");'}
}
export function update(ctx) { ctx.debug("frame", ctx.frame); }
`;
function save(text: string) {
  if (project) return; // the project's own chain, as it is
  writeFileSync(`${chainFile}.tmp`, text);
  renameSync(`${chainFile}.tmp`, chainFile);
}
const mb = (bytes: number) => bytes / 1048576;
function memory() {
  Bun.gc(true);
  return { rss: mb(process.memoryUsage.rss()), heap: mb(heapSize()) };
}

const gpu = await Gpu.open();
save(chain(0));
const size = project ? { width: 160, height: 90 } : { width: 64, height: 64 };
const engine = new Engine(gpu, { projectDir: dir, chainFile, ...size, fixedFps: 60 });
const first = await engine.load();
if (!first.ok) throw new Error(first.error.message);
for (let f = 0; f < 3; f++) engine.frame();
await gpu.idle();
const liveCounts = () => Object.fromEntries(Object.entries(gpu.census.snapshot().kinds).map(([k, c]) => [k, c.live]));
const liveBefore: Record<string, number> = liveCounts();

let ok = 0;
let failed = 0;
let warm = memory();
const samples: { at: number; rss: number; heap: number }[] = [];
const started = performance.now();
for (let i = 1; i <= reloads; i++) {
  save(i % 25 === 0 ? chain(i).replace("noise.scale =", "noise.scale = =") : chain(i));
  if (flags["load-only"]) {
    if ((await loadChainModule(chainFile, dir)).ok) ok++;
    else failed++;
  } else {
    const { entry, done } = await engine.reload(chainFile);
    for (let f = 0; f < 3; f++) engine.frame();
    await done;
    if (entry.ok) ok++;
    else failed++;
  }
  if (i % 50 === 0) await gpu.idle();
  if (i === warmup) warm = memory();
  if (i >= warmup && (i - warmup) % 250 === 0) {
    const sample = { at: i, ...memory() };
    samples.push(sample);
    console.log(`${i} reloads: RSS ${sample.rss.toFixed(1)} MB, JS heap ${sample.heap.toFixed(2)} MB`);
  }
}
// Back to the starting chain, so the census compares like with like.
save(chain(0));
const last = await engine.reload(chainFile);
for (let f = 0; f < 3; f++) engine.frame();
await last.done;
await gpu.idle();
const seconds = (performance.now() - started) / 1000;
const end = memory();
const liveAfter: Record<string, number> = liveCounts();
const differ = Object.keys({ ...liveBefore, ...liveAfter }).filter((k) => (liveBefore[k] ?? 0) !== (liveAfter[k] ?? 0));
samples.push({ at: reloads, ...end });
/** Least-squares slope of `y` over reload number, per 1000 reloads. */
function slopePer1000(y: (s: (typeof samples)[number]) => number): number {
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.at, 0) / n;
  const my = samples.reduce((a, s) => a + y(s), 0) / n;
  const sxy = samples.reduce((a, s) => a + (s.at - mx) * (y(s) - my), 0);
  const sxx = samples.reduce((a, s) => a + (s.at - mx) ** 2, 0);
  return sxx > 0 ? (sxy / sxx) * 1000 : 0;
}
console.log(`${reloads} reloads (${ok} ok, ${failed} syntax errors) in ${seconds.toFixed(1)} s, ${((seconds * 1000) / reloads).toFixed(1)} ms each incl. 3 frames`);
console.log(`RSS after ${warmup} (warm-up): ${warm.rss.toFixed(1)} MB, end: ${end.rss.toFixed(1)} MB; slope over ${samples.length} samples: ${slopePer1000((s) => s.rss).toFixed(2)} MB per 1000 reloads`);
console.log(`JS heap after warm-up: ${warm.heap.toFixed(1)} MB, end: ${end.heap.toFixed(1)} MB; slope: ${slopePer1000((s) => s.heap).toFixed(2)} MB per 1000 reloads`);
console.log(`census live before/after: ${differ.length ? `DIFFER in ${differ.map((k) => `${k} ${liveBefore[k] ?? 0}→${liveAfter[k] ?? 0}`).join(", ")}` : "equal"} (${gpu.census.live()} objects)`);
engine.dispose();
gpu.destroy();
if (!project) rmSync(dir, { recursive: true, force: true });
if (differ.length || ok + failed !== reloads || (project && failed > 0)) process.exit(1);
