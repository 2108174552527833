#!/usr/bin/env bun
/**
 * `bun bench/gpu-time.ts [--sizes 1920x1080,3840x2160] [--passes 8,32] [--frames 60] [--json out.json]`
 *
 * GPU-side time per pass, from timestamp queries, for the raw loops of bench/raw-dispatch.ts (noise,
 * then four-tap passes; fragment passes into render targets against 8×8 compute workgroups into
 * storage textures). Each pass writes its start and end into a query set; after each frame the set is
 * resolved, copied to a mapped buffer and read, so each figure is one frame's GPU time with nothing
 * else queued (the card may clock lower than under a full queue: the fps benchmarks give throughput,
 * this gives where the time goes). Prints, per row and path, the median over the frames of: the noise
 * pass, one tap pass (mean of the frame's tap passes), the whole frame (first start → last end), and
 * the Gpixel/s that frame time gives, and the smallest step seen between two timestamps (lavapipe's
 * is 65 536 ns). Without the adapter feature "timestamp-query" it says so and exits 0.
 *
 * Like the raw loops it measures, it makes its query set and buffers on the device directly (a
 * yardstick outside the runtime) and destroys each after its row.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Gpu } from "../runtime/gpu/gpu.ts";
import { RawLoop } from "./raw-loop.ts";
import { RawComputeLoop } from "./raw-compute.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    sizes: { type: "string", default: "1920x1080,3840x2160" },
    passes: { type: "string", default: "8,32" },
    frames: { type: "string", default: "60" },
    json: { type: "string" },
  },
});
const FRAMES = Number(values.frames);
const sizes = values.sizes!.split(",").map((s) => s.split("x").map(Number) as [number, number]);
const passCounts = values.passes!.split(",").map(Number);

const gpu = await Gpu.open({ optionalFeatures: ["timestamp-query"] });
const device = gpu.device;
console.log(`adapter: ${gpu.adapter.name} (${gpu.adapter.backend}) · bun ${Bun.version}`);
if (!gpu.adapter.features.includes("timestamp-query")) {
  console.log("GPU time per pass: not measured: this adapter does not offer the timestamp-query feature");
  if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), adapter: gpu.adapter, supported: false, rows: [] }, null, 2));
  gpu.destroy();
  process.exit(0);
}

type TimedLoop = (RawLoop | RawComputeLoop) & { timestamps: GPUQuerySet | undefined };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One frame's pass durations (ns) after `warm` untimed frames, `FRAMES` times; and the smallest step seen between any two timestamps. */
async function measure(loop: TimedLoop, passes: number): Promise<{ noiseUs: number; tapUs: number; frameUs: number; stepNs: number }> {
  for (let i = 0; i < 20; i++) loop.frame(i / 60);
  await device.queue.onSubmittedWorkDone();
  const count = 2 * passes;
  const querySet = device.createQuerySet({ type: "timestamp", count });
  const resolve = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  loop.timestamps = querySet;
  const noise: number[] = [];
  const tap: number[] = [];
  const frame: number[] = [];
  let step = 0n;
  for (let f = 0; f < FRAMES; f++) {
    loop.frame((20 + f) / 60);
    const encoder = device.createCommandEncoder();
    encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, read, 0, count * 8);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const ns = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    noise.push(Number(ns[1]! - ns[0]!));
    if (passes > 1) {
      let sum = 0;
      for (let p = 1; p < passes; p++) sum += Number(ns[2 * p + 1]! - ns[2 * p]!);
      tap.push(sum / (passes - 1));
    }
    frame.push(Number(ns[count - 1]! - ns[0]!));
    for (let i = 1; i < count; i++) {
      const d = ns[i]! > ns[i - 1]! ? ns[i]! - ns[i - 1]! : 0n;
      if (d > 0n && (step === 0n || d < step)) step = d;
    }
  }
  loop.timestamps = undefined;
  querySet.destroy();
  resolve.destroy();
  read.destroy();
  return { noiseUs: median(noise) / 1000, tapUs: passes > 1 ? median(tap) / 1000 : 0, frameUs: median(frame) / 1000, stepNs: Number(step) };
}

const rows: Array<Record<string, number | string>> = [];
console.log(`\nGPU time from timestamp queries, median of ${FRAMES} frames, one frame at a time`);
console.log(`${"size".padEnd(10)} ${"passes".padStart(6)} ${"path".padEnd(9)} ${"noise µs".padStart(9)} ${"tap µs".padStart(8)} ${"frame µs".padStart(9)} ${"Gpx/s".padStart(7)}`);
let smallestStep = Infinity;
for (const [width, height] of sizes) {
  for (const passes of passCounts) {
    for (const path of ["fragment", "compute"] as const) {
      const loop = (path === "fragment" ? new RawLoop(device, passes, width, height) : new RawComputeLoop(device, passes, width, height)) as TimedLoop;
      const m = await measure(loop, passes);
      loop.dispose();
      smallestStep = Math.min(smallestStep, m.stepNs || Infinity);
      const gpx = (width * height * passes) / (m.frameUs * 1000);
      rows.push({ width, height, passes, path, ...m, gpx });
      console.log(
        `${`${width}×${height}`.padEnd(10)} ${String(passes).padStart(6)} ${path.padEnd(9)} ${m.noiseUs.toFixed(1).padStart(9)} ${m.tapUs.toFixed(1).padStart(8)} ${m.frameUs.toFixed(1).padStart(9)} ${gpx.toFixed(2).padStart(7)}`,
      );
    }
  }
}
console.log(`smallest step between two timestamps: ${smallestStep} ns${smallestStep >= 10_000 ? " (coarse against these passes: read short passes as ± one step)" : ""}`);
gpu.destroy();
if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), adapter: gpu.adapter, supported: true, smallestStepNs: smallestStep, rows }, null, 2));
