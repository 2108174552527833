#!/usr/bin/env bun
/**
 * `bun bench/raw-dispatch.ts [--seconds S] [--sizes 1920x1080,3840x2160] [--passes 1,8,32] [--json out.json]`
 *
 * Fragment passes against compute passes with nothing of the runtime in between: bench/raw-loop.ts
 * (full-screen triangles into rgba16float render targets) beside bench/raw-compute.ts (the same
 * arithmetic and samples, 8×8 workgroups writing rgba16float storage textures), in one process,
 * alternating rounds so both see the same machine. Prints fps and Gpixel/s (pixels written per
 * second over all passes) for each, the compute / fragment ratio, and checks first that both loops
 * write the same pixels (max channel difference over the whole last pass).
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
    seconds: { type: "string", default: "2" },
    sizes: { type: "string", default: "1920x1080,3840x2160" },
    passes: { type: "string", default: "1,8,32" },
    json: { type: "string" },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = 3;
const sizes = values.sizes!.split(",").map((s) => s.split("x").map(Number) as [number, number]);
const passCounts = values.passes!.split(",").map(Number);

const gpu = await Gpu.open();
const device = gpu.device;
console.log(`adapter: ${gpu.adapter.name} (${gpu.adapter.backend}) · bun ${Bun.version}`);

interface Loop {
  frame(time: number): void;
}

/** Frames per second over `seconds`, two frames in flight. */
async function fps(loop: Loop, seconds: number): Promise<number> {
  const inFlight: Promise<unknown>[] = [];
  let frames = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    loop.frame(frames / 60);
    frames++;
    inFlight.push(gpu.queue.onSubmittedWorkDone());
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return frames / ((performance.now() - start) / 1000);
}

/** Reads an rgba16float texture back as float32 values. */
async function readTexture(texture: GPUTexture, width: number, height: number): Promise<Float32Array> {
  const bytesPerRow = Math.ceil((width * 8) / 256) * 256;
  const buffer = device.createBuffer({ size: bytesPerRow * height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const encoder = device.createCommandEncoder();
  encoder.copyTextureToBuffer({ texture }, { buffer, bytesPerRow, rowsPerImage: height }, [width, height]);
  device.queue.submit([encoder.finish()]);
  await buffer.mapAsync(GPUMapMode.READ);
  const halves = new Uint16Array(buffer.getMappedRange().slice(0));
  buffer.unmap();
  buffer.destroy();
  const out = new Float32Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let i = 0; i < width * 4; i++) out[y * width * 4 + i] = halfToFloat(halves[(y * bytesPerRow) / 2 + i]!);
  return out;
}
function halfToFloat(h: number): number {
  const exponent = (h >> 10) & 31;
  const mantissa = h & 1023;
  const sign = h & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

// Same pixels first: a compute loop that wrote something else would not be the same work.
{
  const [width, height] = [320, 180];
  const fragment = new RawLoop(device, 8, width, height);
  const compute = new RawComputeLoop(device, 8, width, height);
  fragment.frame(1.25);
  compute.frame(1.25);
  const [a, b] = await Promise.all([readTexture(fragment.output, width, height), readTexture(compute.output, width, height)]);
  let maxDiff = 0;
  let mean = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    mean += a[i]!;
  }
  mean /= a.length;
  fragment.dispose();
  compute.dispose();
  console.log(`same pixels (8 passes, ${width}×${height}): max channel difference ${maxDiff.toFixed(4)}, mean value ${mean.toFixed(3)}`);
  if (!(maxDiff < 0.01) || !(mean > 0.3 && mean < 0.9)) throw new Error("the compute loop does not write what the fragment loop writes");
}

const rows: Array<Record<string, number>> = [];
console.log(`\nraw loops, ${ROUNDS} alternating rounds of ${(SECONDS / ROUNDS).toFixed(2)} s each, two frames in flight`);
console.log(`${"size".padEnd(10)} ${"passes".padStart(6)} ${"frag fps".padStart(10)} ${"Gpx/s".padStart(7)} ${"comp fps".padStart(10)} ${"Gpx/s".padStart(7)} ${"ratio".padStart(6)}`);
for (const [width, height] of sizes) {
  for (const passes of passCounts) {
    const fragment = new RawLoop(device, passes, width, height);
    const compute = new RawComputeLoop(device, passes, width, height);
    await fps(fragment, 0.2); // warm-up: pipelines compiled, first frames out of the way
    await fps(compute, 0.2);
    let fragmentFps = 0;
    let computeFps = 0;
    for (let round = 0; round < ROUNDS; round++) {
      fragmentFps += (await fps(fragment, SECONDS / ROUNDS)) / ROUNDS;
      computeFps += (await fps(compute, SECONDS / ROUNDS)) / ROUNDS;
    }
    fragment.dispose();
    compute.dispose();
    const gpx = (f: number) => (f * width * height * passes) / 1e9;
    const row = { width, height, passes, fragmentFps, fragmentGpx: gpx(fragmentFps), computeFps, computeGpx: gpx(computeFps), ratio: computeFps / fragmentFps };
    rows.push(row);
    console.log(
      `${`${width}×${height}`.padEnd(10)} ${String(passes).padStart(6)} ${fragmentFps.toFixed(1).padStart(10)} ${gpx(fragmentFps).toFixed(2).padStart(7)} ${computeFps.toFixed(1).padStart(10)} ${gpx(computeFps).toFixed(2).padStart(7)} ${row.ratio.toFixed(2).padStart(6)}`,
    );
  }
}
gpu.destroy();
if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), adapter: gpu.adapter, rows }, null, 2));
