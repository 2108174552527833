/**
 * The soak's control: the same memory measurement on a loop with no Vivid in it. A bare bun-webgpu
 * loop (bench/raw-loop.ts: noise and four-tap passes, one encoder and one submit a frame) paced
 * like the CLI's frame loop (two frames in flight: `onSubmittedWorkDone`, else `setImmediate`),
 * held to `--fps`, and sampled as `bun vivid soak` samples (`settledMemory`: a full collection and
 * a malloc trim, then RSS) every 10 s. It writes a soak-shaped JSON that `bun vivid soak --judge <file>` judges
 * with the soak's own verdict, so what the runtime adds can be told from what Bun, the WebGPU
 * binding, Dawn and the driver do on their own (docs/memory.md). With `--project <dir>` the frames are
 * that project's chain through the runtime's Engine instead (no CLI around it: no stats hub,
 * dashboard, watcher or inspector), the step between the bare loop and `bun vivid soak`.
 *
 *   bun bench/raw-soak.ts --minutes 30 --warmup 300 --size 160x90 --passes 2 --fps 30 --json raw.json
 *   bun bench/raw-soak.ts --project examples/audio-reactive --size 320x180 --json engine.json
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Engine } from "../runtime/engine.ts";
import { Gpu } from "../runtime/gpu/gpu.ts";
import { settledMemory } from "../runtime/stats/trim.ts";
import { RawLoop } from "./raw-loop.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    warmup: { type: "string", default: "300" },
    size: { type: "string", default: "160x90" },
    passes: { type: "string", default: "2" },
    fps: { type: "string", default: "30" },
    json: { type: "string", default: "raw-soak.json" },
    project: { type: "string" },
  },
});
const minutes = Number(values.minutes);
const warmupS = Number(values.warmup);
const fps = Number(values.fps);
const passes = Number(values.passes);
const [width, height] = values.size.split("x").map(Number) as [number, number];
if (!(minutes > 0 && warmupS >= 0 && fps > 0 && passes >= 1 && width > 0 && height > 0)) {
  console.error("raw-soak: --minutes, --fps, --passes and --size WxH must be positive, --warmup at least 0");
  process.exit(1);
}

const gpu = await Gpu.open();
let loop: { frame(t: number): void; dispose(): void };
if (values.project) {
  const projectDir = resolve(values.project);
  const engine = new Engine(gpu, { projectDir, chainFile: join(projectDir, "chain.ts"), width, height });
  const loaded = await engine.load();
  if (!loaded.ok) {
    console.error(`raw-soak: ${loaded.error.message}`);
    process.exit(1);
  }
  loop = { frame: () => void engine.frame(), dispose: () => engine.dispose() };
} else loop = new RawLoop(gpu.device, passes, width, height);
const samples: { t: number; rssMB: number; heapMB: number; gpuMB: number }[] = [];
const inFlight: Promise<unknown>[] = [];
const start = performance.now();
let frames = 0;
let nextSampleMs = 10_000;
console.log(`raw-soak: ${values.project ?? `${passes} passes`} at ${width}x${height}, ${fps} fps, ${minutes} min (the first ${warmupS} s are warm-up)`);
while (performance.now() - start < minutes * 60_000) {
  loop.frame((performance.now() - start) / 1000);
  frames++;
  inFlight.push(gpu.device.queue.onSubmittedWorkDone());
  if (inFlight.length >= 2) await inFlight.shift();
  else await new Promise((resolve) => setImmediate(resolve));
  const early = frames * (1000 / fps) - (performance.now() - start);
  if (early > 1) await Bun.sleep(early);
  const now = performance.now() - start;
  if (now >= nextSampleMs) {
    nextSampleMs += 10_000;
    const { rssBytes, heapBytes } = settledMemory();
    const sample = { t: now / 1000, rssMB: rssBytes / 2 ** 20, heapMB: heapBytes / 2 ** 20, gpuMB: 0 };
    samples.push(sample);
    if (samples.length % 6 === 0) console.log(`${(sample.t / 60).toFixed(1)} min  ${frames} frames  RSS ${sample.rssMB.toFixed(2)} MB  heap ${sample.heapMB.toFixed(2)} MB`);
  }
}
await Promise.all(inFlight);
loop.dispose();
gpu.destroy();
writeFileSync(values.json, JSON.stringify({ minutes, frames, samples, warmupEndS: warmupS, options: { reloadEvery: 0 } }));
console.log(`raw-soak: ${frames} frames; judge it with: bun vivid soak --judge ${values.json}`);
