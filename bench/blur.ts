#!/usr/bin/env bun
/**
 * `bun bench/blur.ts [--seconds S] [--rounds N] [--radii 10,40] [--size 1920x1080] [--json out.json]`
 *
 * Blur through the runtime (a still 1080p noise into a Blur that cooks every frame, one pass each
 * way) on its three kernels (operators/2d/gaussian-passes.ts): fragment passes, compute through the
 * per-pixel entry (pixel-compute.wgsl, 2 × radius + 1 texture samples per pixel) and the
 * shared-memory compute kernel (shaders/common/gaussian-shared.wgsl). Alternating rounds, two frames
 * in flight; fps (median of the rounds), Gpixel/s (pixels written per second by both passes) and the largest channel
 * difference of each kernel's output from the fragment path's (read back once per radius), whatever
 * dispatch this adapter's rule would pick.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Engine } from "../runtime/engine.ts";
import { Gpu } from "../runtime/gpu/gpu.ts";
import type { Dispatch } from "../runtime/gpu/dispatch.ts";
import { defineOperator, type TextureOperator } from "../runtime/chain/operator.ts";
import { Blur } from "../operators/2d/blur.ts";
import { Noise } from "../operators/2d/noise.ts";
import type { BlurKernel } from "../operators/2d/gaussian-passes.ts";

const REPO = resolve(import.meta.dir, "..");

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    seconds: { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
    radii: { type: "string", default: "10,40" },
    size: { type: "string", default: "1920x1080" },
    json: { type: "string" },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const RADII = values.radii!.split(",").map(Number);
const [WIDTH, HEIGHT] = values.size!.split("x").map(Number) as [number, number];

/** A Blur that cooks every frame, so each frame records its two passes. */
class EveryFrameBlur extends Blur {
  override isTimeDependent(): boolean {
    return true;
  }
}
defineOperator(EveryFrameBlur);

/** The same through pixel-compute.wgsl's per-pixel entry: the compute path before the shared kernel. */
class PerPixelBlur extends EveryFrameBlur {
  protected override sharedKernel(): boolean {
    return false;
  }
}
defineOperator(PerPixelBlur);

const VARIANTS: Array<{ kernel: BlurKernel; dispatch: Dispatch; Type: typeof Blur }> = [
  { kernel: "fragment", dispatch: "fragment", Type: EveryFrameBlur },
  { kernel: "compute-pixel", dispatch: "compute", Type: PerPixelBlur },
  { kernel: "compute-shared", dispatch: "compute", Type: EveryFrameBlur },
];

const gpu = await Gpu.open();
const rule = gpu.dispatch;
console.log(`adapter: ${gpu.adapter.name} (${gpu.adapter.backend}) · bun ${Bun.version} · this adapter's rule picks ${rule}`);
console.log(`Blur at ${WIDTH}×${HEIGHT}, passes 1, cooking every frame; ${ROUNDS} alternating rounds of ${SECONDS} s, 2 frames in flight`);
console.log("  Gpx/s = pixels written per second by the horizontal and vertical passes; max diff = largest channel difference from fragment");
const pad = (s: string | number, n: number) => String(s).padStart(n);
const round = (x: number, digits = 2) => Number(x.toFixed(digits));
console.log(`${"radius".padEnd(7)} ${"kernel".padEnd(15)} ${pad("fps", 9)} ${pad("Gpx/s", 8)} ${pad("× fragment", 11)} ${pad("max diff", 9)}`);

async function engineFor(variant: (typeof VARIANTS)[number], radius: number): Promise<Engine> {
  gpu.dispatch = variant.dispatch;
  const engine = new Engine(gpu, { projectDir: REPO, chainFile: join(REPO, "bench/blur.ts"), width: WIDTH, height: HEIGHT });
  const module = {
    setup: (ctx: import("../runtime/chain/context.ts").Context) => {
      const noise = ctx.chain.add(Noise, "noise").resolution(WIDTH, HEIGHT);
      noise.speed = 0;
      ctx.chain.add(variant.Type, "blur").input("noise").radius = radius;
      ctx.chain.output("blur");
    },
  };
  const built = await engine.build(module);
  if (!built.ok) throw new Error(built.error.message);
  engine.swap(built.chain, module);
  const kernel = (engine.chain!.get("blur") as Blur).kernel;
  if (kernel !== variant.kernel) throw new Error(`expected the ${variant.kernel} kernel, the Blur runs ${kernel}`);
  return engine;
}

/** Frames per second of `engine` over SECONDS (at least 3 frames), two in flight, after one warm-up frame. */
async function fps(engine: Engine): Promise<number> {
  engine.frame();
  await gpu.queue.onSubmittedWorkDone();
  const inFlight: Promise<unknown>[] = [];
  let frames = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000 || frames < 3) {
    engine.frame();
    frames++;
    inFlight.push(gpu.queue.onSubmittedWorkDone());
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return frames / ((performance.now() - start) / 1000);
}

const rows: Array<Record<string, unknown>> = [];
for (const radius of RADII) {
  const engines = [];
  for (const variant of VARIANTS) engines.push(await engineFor(variant, radius));
  // Each kernel's pixels against fragment's, from the warm-up frame.
  const outputs: Float32Array[] = [];
  for (const engine of engines) {
    engine.frame();
    outputs.push(await gpu.readTexture((engine.chain!.get("blur") as TextureOperator).outputTexture!));
  }
  const samples = VARIANTS.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < engines.length; i++) samples[i]!.push(await fps(engines[i]!));
  for (const engine of engines) engine.dispose();
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const fragmentFps = median(samples[0]!);
  VARIANTS.forEach((variant, i) => {
    const f = median(samples[i]!);
    let maxDiff = 0;
    const a = outputs[0]!;
    const b = outputs[i]!;
    for (let j = 0; j < a.length; j++) maxDiff = Math.max(maxDiff, Math.abs(a[j]! - b[j]!));
    // Two decimals below 10 fps (a software GPU), one above.
    const digits = f < 10 ? 2 : 1;
    const row = { radius, kernel: variant.kernel, width: WIDTH, height: HEIGHT, fps: round(f, digits), rounds: samples[i]!.map((x) => round(x, digits)), gpx: round((f * WIDTH * HEIGHT * 2) / 1e9, 4), overFragment: round(f / fragmentFps), maxDiff };
    rows.push(row);
    console.log(`${String(radius).padEnd(7)} ${variant.kernel.padEnd(15)} ${pad(row.fps, 9)} ${pad(row.gpx, 8)} ${pad(row.overFragment.toFixed(2), 11)} ${pad(maxDiff.toFixed(4), 9)}`);
  });
}
gpu.dispatch = rule;

const live = gpu.census.live();
gpu.destroy();
if (live !== 0) throw new Error(`bench/blur.ts left ${live} GPU objects alive`);
if (values.json) {
  writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), adapter: gpu.adapter, bun: Bun.version, rule, rows }, null, 2));
  console.log(`\nwrote ${values.json}`);
}
