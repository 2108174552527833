/**
 * Boot and frame loop: GPU → engine (load the chain) → frames until --frames, a snapshot or a quit.
 *
 * Frames are pipelined: at most two are in flight on the GPU (we wait for the older one before
 * encoding a third), and the loop yields to the event loop every frame, which bun-webgpu needs to
 * deliver its callbacks and errors.
 */
import { relative } from "node:path";
import type { RunOptions } from "./cli.ts";
import { Engine } from "./engine.ts";
import { GpuUnavailableError } from "./gpu/device.ts";
import { Gpu } from "./gpu/gpu.ts";
import { formatChainError, type ChainError } from "./reload/errors.ts";
import { rgbaFloatToBytes, writePng } from "./snapshot.ts";

const MAX_FRAMES_IN_FLIGHT = 2;

export async function run(options: RunOptions): Promise<number> {
  let gpu: Gpu;
  try {
    gpu = await Gpu.open();
  } catch (err) {
    if (err instanceof GpuUnavailableError) {
      console.error(`vivid: ${err.message}`);
      return 1;
    }
    throw err;
  }

  const engine = new Engine(gpu, options);
  const printError = (error: ChainError) => console.error(formatChainError(error));
  engine.onError = (error) => printError(error);

  const built = await engine.load();
  if (!built.ok) {
    printError(built.error);
    gpu.destroy();
    return 1;
  }

  if (!options.headless) {
    console.log("vivid: no window yet in this build; rendering offscreen (--headless)");
  }

  const frameLimit = options.frames ?? (options.snapshot ? options.snapshotFrame : Infinity);
  const snapshotAt = options.snapshot ? Math.min(options.snapshotFrame, frameLimit) : -1;
  const inFlight: Promise<unknown>[] = [];
  let stopping = false;
  const stop = () => (stopping = true);
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  try {
    for (let frame = 1; frame <= frameLimit && !stopping; frame++) {
      engine.frame(performance.now());
      inFlight.push(gpu.queue.onSubmittedWorkDone());
      if (frame === snapshotAt) {
        const { width, height, pixels } = await engine.readOutput();
        writePng(options.snapshot!, width, height, rgbaFloatToBytes(pixels));
        console.log(`vivid: wrote ${relative(process.cwd(), options.snapshot!) || options.snapshot} (${width}x${height}, frame ${frame})`);
      }
      if (inFlight.length >= MAX_FRAMES_IN_FLIGHT) await inFlight.shift();
      else await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(inFlight);
    if (options.frames) console.log(`vivid: rendered ${engine.ctx.frame} frames, exiting`);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    engine.dispose();
    const live = gpu.census.live();
    gpu.destroy();
    if (live !== 0) console.error(`vivid: ${live} GPU objects were still alive at exit (a leak): ${JSON.stringify(gpu.census.snapshot().kinds)}`);
  }
  return 0;
}
