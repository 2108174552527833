/**
 * `bun bench/audio.ts [frames]`: CPU per frame of the audio analysis (FFT 2048 + BandSplit +
 * BeatDetect + Levels on one AudioFile, each cook timed as the chain runs it), and whether the frame
 * path allocates: JS heap and GPU census after warm-up against the end, over `frames` frames
 * (default 10 000) at a fixed 60 fps, on a generated 10 s music-like loop.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AudioFile, BandSplit, BeatDetect, FFT, Levels } from "../operators/index.ts";
import type { Operator } from "../runtime/chain/operator.ts";
import { clickTimes, clickTrack, encodeWav } from "../runtime/audio/wav.ts";
import { createdSince, GPU_KINDS, PER_FRAME_KINDS } from "../runtime/gpu/census.ts";
import { Engine } from "../runtime/engine.ts";
import { Gpu } from "../runtime/gpu/gpu.ts";

const frames = Number(process.argv[2] ?? 10_000);
const warmUp = 1000;
const dir = mkdtempSync(join(tmpdir(), "vivid-bench-audio-"));
const file = join(dir, "loop.wav");
// A beat with a thump, plus a quiet noise bed so no band is silent.
const [left, right] = clickTrack({ bpm: 124, seconds: 10 });
for (let i = 0; i < left!.length; i++) {
  const noise = (Math.sin(i * 12.9898) * 43758.5453) % 1;
  left![i]! += 0.05 * noise;
  right![i]! += 0.05 * noise;
}
writeFileSync(file, encodeWav([left!, right!]));

const gpu = await Gpu.open();
const engine = new Engine(gpu, { projectDir: dir, chainFile: join(dir, "inline.ts"), width: 64, height: 64, fixedFps: 60 });
const module = {
  setup(ctx: import("../runtime/chain/context.ts").Context) {
    const music = ctx.chain.add(AudioFile, "music");
    music.file = file;
    music.loop = true;
    const fft = ctx.chain.add(FFT, "fft").input("music");
    fft.size = 2048;
    ctx.chain.add(BandSplit, "bands").input("music");
    ctx.chain.add(BeatDetect, "beat").input("music");
    ctx.chain.add(Levels, "levels").input("music");
    ctx.chain.output("fft");
  },
};
const built = await engine.build(module);
if (!built.ok) throw new Error(built.error.message);
engine.swap(built.chain, module);

// Each analyser's cook timed where the chain calls it (wrapped once on its class: operators are sealed).
const analysers = ["fft", "bands", "beat", "levels"].map((name) => engine.chain!.get<Operator>(name));
let cookMs = 0;
for (const Type of [FFT, BandSplit, BeatDetect, Levels] as Array<{ prototype: Operator }>) {
  const cook = Type.prototype.cook;
  Type.prototype.cook = function (this: Operator, ctx) {
    const start = performance.now();
    cook.call(this, ctx);
    cookMs += performance.now() - start;
  };
}

let heapAfterWarmUp = 0;
let censusAfterWarmUp = gpu.census.snapshot();
let timedFrames = 0;
let beats = 0;
for (let i = 0; i < frames + warmUp; i++) {
  if (i === warmUp) {
    await gpu.idle();
    Bun.gc(true);
    heapAfterWarmUp = process.memoryUsage().heapUsed;
    censusAfterWarmUp = gpu.census.snapshot();
    cookMs = 0;
  }
  engine.frame();
  if (i >= warmUp) timedFrames++;
  if ((analysers[2] as BeatDetect).beat) beats++;
  // Two frames in flight at most, as the frame loop keeps it.
  if (i % 2 === 1) await gpu.queue.onSubmittedWorkDone();
}
await gpu.idle();
Bun.gc(true);
const heapEnd = process.memoryUsage().heapUsed;
const created = createdSince(censusAfterWarmUp, gpu.census.snapshot());
const kept = GPU_KINDS.filter((kind) => !PER_FRAME_KINDS.has(kind) && created[kind] > 0).map((kind) => `${kind} ${created[kind]}`);

console.log(`audio analysis, FFT 2048 + BandSplit + BeatDetect + Levels, ${timedFrames} frames at 60 fps (after ${warmUp} warm-up):`);
console.log(`  CPU per frame: ${(cookMs / timedFrames).toFixed(4)} ms (target < 0.2 ms)`);
console.log(`  JS heap: ${(heapAfterWarmUp / 1048576).toFixed(2)} MB after warm-up → ${(heapEnd / 1048576).toFixed(2)} MB at the end (${((heapEnd - heapAfterWarmUp) / 1024).toFixed(1)} KB)`);
console.log(`  GPU objects created after warm-up (besides the per-frame encoder, pass, command buffer): ${kept.length === 0 ? "none" : kept.join(", ")}`);
const seconds = (timedFrames + warmUp - 1) / 60;
const perLoop = clickTimes({ bpm: 124, seconds: 10 });
const played = perLoop.length * Math.floor(seconds / 10) + perLoop.filter((t) => t <= seconds % 10).length;
console.log(`  beats found: ${beats} of ${played} clicks played (the 10 s file looped ${Math.floor(seconds / 10)} times)`);
await engine.dispose();
gpu.destroy();
rmSync(dir, { recursive: true, force: true });
