#!/usr/bin/env bun
/**
 * `bun run bench [--json out.json] [--suite reload,overhead,fps] [--saves N] [--seconds S] [--debounce 30,0]`
 *
 *   reload    save (temp file + rename, as editors do) → first frame of the new chain finished on the
 *             GPU, through the real watcher and reloader: param-only, structural (add an operator),
 *             imported-helper and .wgsl edits; median / p95 / max, the ledger's savedToSwapMs and
 *             savedToFrameMs (from the file's mtime), and created objects per edit type.
 *   overhead  the same N-pass chain (N = 1, 8, 32 at 256×256) through Vivid and through a minimal
 *             hand-written bun-webgpu loop (bench/raw-loop.ts), alternating in one process; CPU ms per
 *             frame (encode + submit) for each and the ratio.
 *   fps       hello-noise at 1280×720, 1920×1080, 3840×2160 and the 8- and 32-pass chains at 1920×1080,
 *             uncapped, pipelined (two frames in flight): Vivid with per-pixel operators as fragment
 *             passes and as compute passes, beside the raw fragment and raw compute loops; fps and
 *             Gpixel/s.
 *
 * Prints a table per suite and, with --json, writes everything measured.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Engine } from "../runtime/engine.ts";
import { Gpu } from "../runtime/gpu/gpu.ts";
import { Reloader } from "../runtime/reload/reloader.ts";
import type { Context } from "../runtime/chain/context.ts";
import { Noise } from "../operators/2d/noise.ts";
import { Tap4 } from "./tap4.ts";
import { RawLoop } from "./raw-loop.ts";
import { RawComputeLoop } from "./raw-compute.ts";
import { DISPATCHES } from "../runtime/gpu/dispatch.ts";

const REPO = resolve(import.meta.dir, "..");

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    json: { type: "string" },
    suite: { type: "string", default: "reload,overhead,fps" },
    saves: { type: "string", default: "200" },
    seconds: { type: "string", default: "3" },
    frames: { type: "string", default: "200" },
    debounce: { type: "string", default: "0" },
  },
});
const suites = new Set(values.suite!.split(","));
for (const suite of suites) if (!["reload", "overhead", "fps"].includes(suite)) throw new Error(`--suite: unknown suite "${suite}" (reload, overhead, fps)`);
const SAVES = Number(values.saves);
const FPS_SECONDS = Number(values.seconds);
const OVERHEAD_FRAMES = Number(values.frames);

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  return { n: sorted.length, median: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1) ?? NaN) };
}
const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const pad = (s: string | number, n: number) => String(s).padStart(n);

const gpu = await Gpu.open();
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  adapter: gpu.adapter,
  bun: Bun.version,
  cpus: navigator.hardwareConcurrency,
};
console.log(`adapter: ${gpu.adapter.name} (${gpu.adapter.backend}) · bun ${Bun.version} · ${navigator.hardwareConcurrency} cores`);

/** Runs `frame` pipelined (≤ 2 frames in flight); returns CPU ms of each frame call. */
async function pipelined(count: number, frame: (i: number) => void): Promise<number[]> {
  const inFlight: Promise<unknown>[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    frame(i);
    cpu.push(performance.now() - start);
    inFlight.push(gpu.queue.onSubmittedWorkDone());
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return cpu;
}

function chainOfPasses(passes: number, width: number, height: number) {
  return (ctx: Context) => {
    ctx.chain.add(Noise, "noise").resolution(width, height);
    let previous = "noise";
    for (let i = 1; i < passes; i++) {
      const name = `tap${i}`;
      ctx.chain.add(Tap4, name).input(previous);
      previous = name;
    }
    ctx.chain.output(previous);
  };
}

/** update() that changes every filter's param each frame, so every pass uploads uniforms as the raw loop does. */
const tapsOf = new WeakMap<object, Tap4[]>();
function animateAll(ctx: Context): void {
  let taps = tapsOf.get(ctx.chain);
  if (!taps) tapsOf.set(ctx.chain, (taps = ctx.chain.all().filter((op): op is Tap4 => op instanceof Tap4)));
  const gain = 1 + 0.001 * Math.sin(ctx.time);
  for (const tap of taps) tap.gain = gain;
}

async function engineWith(setup: (ctx: Context) => void, width = 1280, height = 720, update?: (ctx: Context) => void): Promise<Engine> {
  const engine = new Engine(gpu, { projectDir: REPO, chainFile: join(REPO, "bench/run.ts"), width, height });
  const module = { setup, update };
  const built = await engine.build(module);
  if (!built.ok) throw new Error(built.error.message);
  engine.swap(built.chain, module);
  return engine;
}

// ── suite 2: runtime overhead ──
if (suites.has("overhead")) {
  const rows: Array<Record<string, number>> = [];
  console.log("\nRuntime overhead: CPU ms per frame (update + encode + submit), 256×256, median of alternating rounds");
  console.log("  animated: update() changes every filter's param each frame, so every pass uploads uniforms, like the raw loop");
  console.log("  static:   params unchanged; Vivid uploads only the noise's time (the raw loop still writes every pass)");
  console.log(`${pad("passes", 7)} ${pad("raw ms", 9)} ${pad("animated", 9)} ${pad("ratio", 6)} ${pad("static", 9)} ${pad("ratio", 6)} ${pad("raw µs/pass", 12)} ${pad("vivid µs/pass", 14)}`);
  for (const passes of [1, 8, 32]) {
    const animated = await engineWith(chainOfPasses(passes, 256, 256), 256, 256, animateAll);
    const still = await engineWith(chainOfPasses(passes, 256, 256), 256, 256);
    const raw = new RawLoop(gpu.device, passes, 256, 256);
    const samples = { animated: [] as number[], still: [] as number[], raw: [] as number[] };
    for (let round = 0; round < 5; round++) {
      const a = await pipelined(OVERHEAD_FRAMES, () => animated.frame());
      const r = await pipelined(OVERHEAD_FRAMES, (i) => raw.frame(i / 60));
      const s = await pipelined(OVERHEAD_FRAMES, () => still.frame());
      if (round === 0) continue; // warm-up
      samples.animated.push(...a);
      samples.raw.push(...r);
      samples.still.push(...s);
    }
    animated.dispose();
    still.dispose();
    raw.dispose();
    const [a, st, r] = [stats(samples.animated).median, stats(samples.still).median, stats(samples.raw).median];
    const row = { passes, rawMs: r, animatedMs: a, ratio: round(a / r, 2), staticMs: st, staticRatio: round(st / r, 2), rawUsPerPass: round((r * 1000) / passes, 1), vividUsPerPass: round((a * 1000) / passes, 1) };
    rows.push(row);
    console.log(`${pad(passes, 7)} ${pad(r.toFixed(3), 9)} ${pad(a.toFixed(3), 9)} ${pad(row.ratio.toFixed(2), 6)} ${pad(st.toFixed(3), 9)} ${pad(row.staticRatio.toFixed(2), 6)} ${pad(row.rawUsPerPass, 12)} ${pad(row.vividUsPerPass, 14)}`);
  }
  results.overhead = rows;
}

// ── suite 3: frame rate ──
if (suites.has("fps")) {
  const rows: Array<Record<string, unknown>> = [];
  const rule = gpu.dispatch;
  console.log(`\nFrame rate: uncapped, pipelined (2 frames in flight), ${FPS_SECONDS} s each; Gpx/s = pixels written per second over all passes`);
  console.log(`  Vivid with per-pixel operators as fragment passes, as compute passes, and the raw loops (bench/raw-loop.ts, bench/raw-compute.ts); this adapter's rule picks ${rule}`);
  console.log(`${"chain".padEnd(16)} ${pad("size", 10)} ${pad("fragment", 9)} ${pad("compute", 9)} ${pad("raw frag", 9)} ${pad("raw comp", 9)} ${pad("comp/frag", 9)} ${pad("comp/raw", 9)} ${pad("Gpx/s", 7)} ${pad("cpu ms", 7)}`);
  /** fps and median CPU ms per frame of `frame` over FPS_SECONDS, after two warm-up frames. */
  async function measure(frame: (i: number) => void): Promise<{ fps: number; cpuMs: number; frames: number }> {
    await pipelined(2, frame);
    const start = performance.now();
    const cpu: number[] = [];
    while (performance.now() - start < FPS_SECONDS * 1000) cpu.push(...(await pipelined(2, (i) => frame(cpu.length + i))));
    return { fps: round(cpu.length / ((performance.now() - start) / 1000), 1), cpuMs: stats(cpu).median, frames: cpu.length };
  }
  const cases: Array<[string, number, number, number]> = [
    ["hello-noise", 1, 1280, 720],
    ["hello-noise", 1, 1920, 1080],
    ["hello-noise", 1, 3840, 2160],
    ["8-pass chain", 8, 1920, 1080],
    ["32-pass chain", 32, 1920, 1080],
  ];
  for (const [name, passes, width, height] of cases) {
    const vivid: Record<string, { fps: number; cpuMs: number; frames: number }> = {};
    for (const dispatch of DISPATCHES) {
      gpu.dispatch = dispatch;
      const engine = await engineWith(chainOfPasses(passes, width, height), width, height);
      vivid[dispatch] = await measure(() => engine.frame());
      engine.dispose();
    }
    gpu.dispatch = rule;
    const rawFragment = new RawLoop(gpu.device, passes, width, height);
    const rawFragmentResult = await measure((i) => rawFragment.frame(i / 60));
    rawFragment.dispose();
    const rawCompute = new RawComputeLoop(gpu.device, passes, width, height);
    const rawComputeResult = await measure((i) => rawCompute.frame(i / 60));
    rawCompute.dispose();
    const gpx = (fps: number) => round((fps * width * height * passes) / 1e9, 2);
    const row = {
      chain: name,
      passes,
      width,
      height,
      fragment: vivid.fragment!,
      compute: vivid.compute!,
      rawFragment: rawFragmentResult,
      rawCompute: rawComputeResult,
      computeOverFragment: round(vivid.compute!.fps / vivid.fragment!.fps, 2),
      computeOverRawCompute: round(vivid.compute!.fps / rawComputeResult.fps, 2),
      gpx: { fragment: gpx(vivid.fragment!.fps), compute: gpx(vivid.compute!.fps), rawFragment: gpx(rawFragmentResult.fps), rawCompute: gpx(rawComputeResult.fps) },
    };
    rows.push(row);
    console.log(
      `${name.padEnd(16)} ${pad(`${width}×${height}`, 10)} ${pad(row.fragment.fps, 9)} ${pad(row.compute.fps, 9)} ${pad(row.rawFragment.fps, 9)} ${pad(row.rawCompute.fps, 9)} ${pad(row.computeOverFragment.toFixed(2), 9)} ${pad(row.computeOverRawCompute.toFixed(2), 9)} ${pad(row.gpx.compute, 7)} ${pad(row.compute.cpuMs.toFixed(3), 7)}`,
    );
  }
  results.fps = { rule, rows };
  results.gpuTime = "per pass, from timestamp queries: bun bench/gpu-time.ts (in scripts/bench-gpu.sh)";
}

// ── suite 1: reload latency ──
const reloadRuns: Array<Record<string, unknown>> = [];
// --debounce 30,0 runs the reload suite once per watcher debounce: the old 30 ms against none, one process.
for (const debounceMs of suites.has("reload") ? values.debounce!.split(",").map(Number) : []) {
  const dir = mkdtempSync(join(tmpdir(), "vivid-bench-"));
  const chainFile = join(dir, "chain.ts");
  const chainText = (scale: number, extra: boolean) => `import { Noise, Gradient, ShaderOperator, defineOperator, float } from "vivid";
import { SPEED } from "./helper.ts";
import { join } from "node:path";
class Tint extends ShaderOperator {
  static shader = join(import.meta.dir, "tint.wgsl");
  static inputCount = 1;
  static params = { level: float(1, 0, 1) };
}
defineOperator(Tint);
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(256, 256);
  noise.scale = ${scale};
  noise.speed = SPEED;
  ctx.chain.add(Tint, "tint").input("noise");
${extra ? '  ctx.chain.add(Gradient, "extra").resolution(256, 256);\n' : ""}  ctx.chain.output("tint");
}
`;
  const tint = (red: number) => `#import "common/fullscreen.wgsl"
struct Params {
  level: f32,  // @0
}
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var source: texture_2d<f32>;
@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  let c = textureSampleLevel(source, linearSampler, in.uv, 0.0);
  return vec4f(c.r * ${red.toFixed(2)} * params.level, c.g, c.b, 1.0);
}
`;
  const save = (file: string, text: string) => {
    writeFileSync(`${file}.tmp~`, text);
    renameSync(`${file}.tmp~`, file);
  };
  writeFileSync(join(dir, "helper.ts"), "export const SPEED = 0.5;\n");
  writeFileSync(join(dir, "tint.wgsl"), tint(1));
  writeFileSync(chainFile, chainText(4, false));
  const engine = new Engine(gpu, { projectDir: dir, chainFile, width: 256, height: 256 });
  const loaded = await engine.load();
  if (!loaded.ok) throw new Error(loaded.error.message);
  let resolveDone: ((entry: import("../runtime/engine.ts").ReloadEntry) => void) | undefined;
  const reloader = new Reloader(engine, { onReload: (entry) => resolveDone?.(entry), watchShaders: false, debounceMs });
  await reloader.start();

  // The frame loop runs all along, as in `bun vivid`; a save is applied between frames.
  let running = true;
  const loop = (async () => {
    const inFlight: Promise<unknown>[] = [];
    while (running) {
      if (reloader.pending) await reloader.apply();
      engine.frame();
      inFlight.push(gpu.queue.onSubmittedWorkDone());
      if (inFlight.length >= 2) await reloader.waitFor(inFlight.shift()!);
      else await new Promise((r) => setImmediate(r));
    }
    await Promise.all(inFlight);
  })();

  const kinds: Array<[string, (i: number) => void]> = [
    ["param-only", (i) => save(chainFile, chainText(i % 2 ? 5 : 4, false))],
    ["structural (add operator)", (i) => save(chainFile, chainText(4, i % 2 === 1))],
    ["imported helper", (i) => save(join(dir, "helper.ts"), `export const SPEED = ${i % 2 ? 0.6 : 0.5};\n`)],
    [".wgsl", (i) => save(join(dir, "tint.wgsl"), tint(i % 2 ? 0.5 : 1))],
  ];
  const rows: Array<Record<string, unknown>> = [];
  console.log(`\nReload latency: save (temp+rename) → first frame of the new chain done on the GPU, ${SAVES} saves each, watcher debounce ${debounceMs} ms`);
  console.log("  ms: from the save call; saved→swap / saved→frame: from the file's mtime to the first frame submitted / done (p50 p95 max)");
  console.log(`${"edit".padEnd(26)} ${pad("median", 7)} ${pad("p95", 7)} ${pad("max", 7)} ${pad("swap p95", 8)} ${pad("saved→swap", 20)} ${pad("saved→frame", 20)}  created per save (median)`);
  for (const [kind, edit] of kinds) {
    const latency: number[] = [];
    const swap: number[] = [];
    const savedToSwap: number[] = [];
    const savedToFrame: number[] = [];
    const created: Record<string, number[]> = {};
    for (let i = 1; i <= SAVES; i++) {
      const done = new Promise<import("../runtime/engine.ts").ReloadEntry>((r) => (resolveDone = r));
      const start = performance.now();
      edit(i);
      const entry = await done;
      latency.push(performance.now() - start);
      swap.push(entry.swapMs);
      if (entry.savedToSwapMs !== undefined) savedToSwap.push(entry.savedToSwapMs);
      if (entry.savedToFrameMs !== undefined) savedToFrame.push(entry.savedToFrameMs);
      if (!entry.ok) throw new Error(`${kind}: reload failed: ${entry.error?.message}`);
      for (const [k, v] of Object.entries(entry.created)) (created[k] ??= []).push(v);
    }
    // Leave each kind where it started.
    const reset = new Promise((r) => (resolveDone = r));
    edit(0);
    await reset;
    const createdMedian = Object.fromEntries(Object.entries(created).map(([k, v]) => [k, stats(v).median]));
    const row = { edit: kind, ms: stats(latency), swapMs: stats(swap), savedToSwapMs: stats(savedToSwap), savedToFrameMs: stats(savedToFrame), created: createdMedian };
    rows.push(row);
    const createdText = Object.entries(createdMedian).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", ") || "nothing";
    const triple = (s: { median: number; p95: number; max: number }) => `${s.median.toFixed(1)} ${s.p95.toFixed(1)} ${s.max.toFixed(1)}`;
    console.log(`${kind.padEnd(26)} ${pad(row.ms.median.toFixed(1), 7)} ${pad(row.ms.p95.toFixed(1), 7)} ${pad(row.ms.max.toFixed(1), 7)} ${pad(row.swapMs.p95.toFixed(1), 8)} ${pad(triple(row.savedToSwapMs), 20)} ${pad(triple(row.savedToFrameMs), 20)}  ${createdText}`);
  }
  running = false;
  await loop;
  await reloader.close();
  engine.dispose();
  rmSync(dir, { recursive: true, force: true });
  reloadRuns.push({ debounceMs, rows });
  results.reload = reloadRuns;
  results.reloadAnchor = "the original recompiled chain.cpp with clang++ on every save: seconds";
}

const live = gpu.census.live();
gpu.destroy();
if (live !== 0) throw new Error(`bench left ${live} GPU objects alive`);
if (values.json) {
  writeFileSync(values.json, JSON.stringify(results, null, 2));
  console.log(`\nwrote ${values.json}`);
}
