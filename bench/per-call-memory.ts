#!/usr/bin/env bun
/**
 * `bun bench/per-call-memory.ts <op> [calls]` (default 1 200 000 calls)
 *
 * Does one thing the frame loop does per frame keep native memory? Runs `op` 20 000 times to warm
 * up, then `calls` times in four quarters, and after each quarter a full collection and a malloc trim,
 * then prints RSS and the JS heap, the RSS growth over the last three quarters in bytes per call, and
 * the mappings (runtime/stats/breakdown.ts) that moved most. The soak's ~2–3 MB/h at ~20 fps would
 * be ~35 bytes a frame: an op that kept that much would show ~30 MB over a million calls, well
 * above the ±2 MB the allocator arena wanders by.
 *
 *   workdone   an empty command buffer submitted (and released, as the runtime does) and
 *              queue.onSubmittedWorkDone() awaited (runtime/gpu/work-done.ts)
 *   wait       onSubmittedWorkDone() alone, awaited
 *   write      queue.writeBuffer of 64 bytes (a wait every 100)
 *   poll       wgpuInstanceProcessEvents with nothing pending (the waits' poller; a turn every 100)
 *   timeout    setTimeout(…, 1), a thousand at a time (the poller's sleep)
 *   immediate  a Promise settled by setImmediate (the poller's spin)
 *   callback   a JSCallback called from C (libc qsort of 8 ints; Dawn calls ours the same way)
 *
 * Like the raw loops it makes its few GPU objects on the device directly and destroys them at the end.
 */
import { dlopen, FFIType, JSCallback, ptr } from "bun:ffi";
import { heapStats } from "bun:jsc";
import { Gpu } from "../runtime/gpu/gpu.ts";
import { regionsRss } from "../runtime/stats/breakdown.ts";
import { trimMalloc } from "../runtime/stats/trim.ts";

const OPS = ["workdone", "wait", "write", "poll", "timeout", "immediate", "callback"] as const;
type Op = (typeof OPS)[number];
const op = process.argv[2] as Op;
const calls = Number(process.argv[3] ?? 1_200_000);
if (!OPS.includes(op) || !(calls >= 4)) {
  console.error(`usage: bun bench/per-call-memory.ts <${OPS.join("|")}> [calls]`);
  process.exit(2);
}

const gpu = await Gpu.open();
const device = gpu.device;
const uniform = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
const data = new Float32Array(16);
const libc = dlopen("libc.so.6", { qsort: { args: [FFIType.ptr, FFIType.u64, FFIType.u64, FFIType.ptr], returns: FFIType.void } });
const compare = new JSCallback(() => 0, { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 });
const ints = new Int32Array(8);
const ticker = (gpu.queue as unknown as { instanceTicker: { instancePtr: unknown; lib: { wgpuInstanceProcessEvents: (p: unknown) => void } } }).instanceTicker;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function once(i: number): Promise<void> {
  switch (op) {
    case "workdone": {
      const commands = device.createCommandEncoder().finish();
      device.queue.submit([commands]);
      (commands as unknown as { _destroy(): void })._destroy();
      await gpu.queue.onSubmittedWorkDone();
      return;
    }
    case "wait":
      await gpu.queue.onSubmittedWorkDone();
      return;
    case "write":
      data[0] = i;
      device.queue.writeBuffer(uniform, 0, data);
      if (i % 100 === 0) await gpu.queue.onSubmittedWorkDone();
      return;
    case "poll":
      ticker.lib.wgpuInstanceProcessEvents(ticker.instancePtr);
      if (i % 100 === 0) await turn();
      return;
    case "timeout":
      if (i % 1000 === 0) await Promise.all(Array.from({ length: 1000 }, () => new Promise<void>((resolve) => setTimeout(resolve, 1))));
      return;
    case "immediate":
      await turn();
      return;
    case "callback":
      libc.symbols.qsort(ptr(ints), 8, 4, compare.ptr);
      if (i % 100 === 0) await turn();
      return;
  }
}

function sample() {
  Bun.gc(true);
  trimMalloc();
  return { rssMB: process.memoryUsage().rss / 2 ** 20, heapMB: heapStats().heapSize / 2 ** 20, regions: regionsRss() };
}

for (let i = 0; i < 20_000; i++) await once(i);
const samples = [sample()];
const start = performance.now();
for (let quarter = 0; quarter < 4; quarter++) {
  for (let i = 0; i < calls / 4; i++) await once(i);
  samples.push(sample());
}
const us = ((performance.now() - start) * 1000) / calls;
console.log(`${op}: ${calls} calls, ${us.toFixed(1)} µs a call · ${gpu.adapter.name} · bun ${Bun.version}`);
console.log(`RSS MB after each quarter: ${samples.map((s) => s.rssMB.toFixed(2)).join(", ")} (JS heap ${samples.map((s) => s.heapMB.toFixed(2)).join(", ")})`);
const grown = samples[4]!.rssMB - samples[1]!.rssMB;
console.log(`RSS growth over the last three quarters: ${grown >= 0 ? "+" : ""}${grown.toFixed(2)} MB = ${((grown * 2 ** 20) / (calls * 0.75)).toFixed(1)} bytes a call`);
const before = samples[1]!.regions;
const after = samples[4]!.regions;
const moved = [...new Set([...Object.keys(before), ...Object.keys(after)])]
  .map((name) => [name, (after[name] ?? 0) - (before[name] ?? 0)] as const)
  .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
  .slice(0, 4);
console.log(`moved most: ${moved.map(([name, mb]) => `${name} ${mb >= 0 ? "+" : ""}${mb.toFixed(2)} MB`).join(" · ")}`);
uniform.destroy();
compare.close();
gpu.destroy();
