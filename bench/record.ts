#!/usr/bin/env bun
/**
 * `bun bench/record.ts [--size 1920x1080] [--frames 120] [--codecs h264,png] [--json out.json]`
 *
 * How fast `--record` writes frames, and where the time goes. One cheap animated chain (a Gradient
 * whose angle turns: the GPU work is one pass, so what is measured is the recording) at the size,
 * four ways, each over the same number of frames:
 *   render     the chain alone, pipelined as the frame loop runs it (the ceiling)
 *   readback   + the conversion to RGBA8 and the copy into the staging ring, mapped and read on the
 *                CPU, nothing written (the GPU → CPU part of recording)
 *   encode     ffmpeg alone, fed one ready frame from memory over the pipe (the encoder's part)
 *   record     the real Recorder: render → readback → ffmpeg → file, deterministic (never drops)
 * Without ffmpeg on the PATH (the GPU machine has none), encode and record are skipped and said so.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Context } from "../runtime/chain/context.ts";
import { Engine } from "../runtime/engine.ts";
import { FrameReadback } from "../runtime/gpu/frame-readback.ts";
import { Gpu } from "../runtime/gpu/gpu.ts";
import { Gradient } from "../operators/2d/gradient.ts";
import { locateFfmpeg } from "../runtime/record/ffmpeg.ts";
import { ffmpegArgs, recordTarget, RECORD_CODECS, type RecordCodec } from "../runtime/record/formats.ts";
import { Recorder } from "../runtime/record/recorder.ts";

const REPO = resolve(import.meta.dir, "..");
const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    size: { type: "string", default: "1920x1080" },
    frames: { type: "string", default: "120" },
    codecs: { type: "string", default: "h264" },
    json: { type: "string" },
  },
});
const [WIDTH, HEIGHT] = values.size!.split("x").map(Number) as [number, number];
const FRAMES = Number(values.frames);
const CODECS = values.codecs!.split(",") as RecordCodec[];
for (const codec of CODECS) if (!RECORD_CODECS.includes(codec)) throw new Error(`--codecs: unknown codec ${codec} (${RECORD_CODECS.join(", ")})`);
const FPS = 60;

const gpu = await Gpu.open();
console.log(`adapter: ${gpu.adapter.name} (${gpu.adapter.backend}) · bun ${Bun.version} · ${navigator.hardwareConcurrency} cores · ${WIDTH}x${HEIGHT}, ${FRAMES} frames`);
const results: Record<string, unknown> = { date: new Date().toISOString(), adapter: gpu.adapter, cpus: navigator.hardwareConcurrency, width: WIDTH, height: HEIGHT, frames: FRAMES };

async function engine(): Promise<Engine> {
  const engine = new Engine(gpu, { projectDir: REPO, chainFile: join(REPO, "bench/record.ts"), width: WIDTH, height: HEIGHT, fixedFps: FPS });
  const module = {
    setup: (ctx: Context) => {
      ctx.chain.add(Gradient, "sky").resolution(WIDTH, HEIGHT);
      ctx.chain.output("sky");
    },
    update: (ctx: Context) => {
      ctx.chain.get<Gradient>("sky").angle = ctx.time % 6.28;
    },
  };
  const built = await engine.build(module);
  if (!built.ok) throw new Error(built.error.message);
  engine.swap(built.chain, module);
  return engine;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
function row(name: string, seconds: number, extra: Record<string, number> = {}) {
  const fps = FRAMES / seconds;
  const entry = { fps: round(fps), msPerFrame: round((seconds * 1000) / FRAMES), ...extra };
  results[name] = entry;
  const more = Object.entries(extra)
    .map(([key, value]) => `${key} ${value}`)
    .join(" · ");
  console.log(`${name.padEnd(14)} ${fps.toFixed(1).padStart(7)} frames/s  ${entry.msPerFrame.toFixed(2).padStart(7)} ms/frame${more ? `  (${more})` : ""}`);
}

// ── render: the ceiling ──
{
  const e = await engine();
  const inFlight: Promise<unknown>[] = [];
  const start = performance.now();
  for (let i = 0; i < FRAMES; i++) {
    e.frame();
    inFlight.push(gpu.queue.onSubmittedWorkDone());
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  row("render", (performance.now() - start) / 1000);
  e.dispose();
}

// ── readback: render + convert + copy + map + read, nothing written ──
{
  const e = await engine();
  const readback = new FrameReadback(gpu, WIDTH, HEIGHT);
  let mapMs = 0;
  let checksum = 0;
  let tail = Promise.resolve();
  const start = performance.now();
  for (let i = 0; i < FRAMES; i++) {
    await readback.whenFree();
    let slot: number | undefined;
    e.frame(performance.now(), (frame, output) => {
      if (output) slot = readback.capture(frame, output);
    });
    const captured = slot!;
    readback.submitted(captured);
    tail = tail.then(async () => {
      const mapStart = performance.now();
      const pixels = await readback.map(captured);
      mapMs += performance.now() - mapStart;
      checksum += pixels[(captured * 4097) % pixels.length]!; // touch the bytes, as a writer would
      readback.release(captured);
    });
  }
  await tail;
  row("readback", (performance.now() - start) / 1000, { mapWaitMsPerFrame: round(mapMs / FRAMES), mbPerS: round((WIDTH * HEIGHT * 4 * FRAMES) / 1e6 / ((performance.now() - start) / 1000), 0) });
  void checksum;
  readback.dispose();
  e.dispose();
}

const ffmpeg = locateFfmpeg("bench/record.ts");
if ("error" in ffmpeg) {
  console.log(`encode, record: skipped (${ffmpeg.error})`);
  results.encode = results.record = { skipped: ffmpeg.error };
} else {
  const dir = mkdtempSync(join(tmpdir(), "vivid-bench-record-"));
  try {
    for (const codec of CODECS) {
      const file = codec === "png" ? join(dir, `${codec}-%05d.png`) : join(dir, `${codec}.${codec === "vp9" ? "webm" : codec === "prores" ? "mov" : "mp4"}`);
      const target = recordTarget(file, codec);
      if ("error" in target) throw new Error(target.error);

      // ── encode: ffmpeg alone, fed one frame from memory ──
      {
        const frame = new Uint8Array(WIDTH * HEIGHT * 4);
        for (let i = 0; i < frame.length; i++) frame[i] = (i * 7) & 255;
        const child = spawn(ffmpeg.path, ffmpegArgs(target, WIDTH, HEIGHT, FPS), { stdio: ["pipe", "ignore", "inherit"] });
        const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
        const start = performance.now();
        for (let i = 0; i < FRAMES; i++) await new Promise<void>((resolve, reject) => child.stdin.write(frame, (err) => (err ? reject(err) : resolve())));
        child.stdin.end();
        if ((await exited) !== 0) throw new Error(`ffmpeg ${codec} failed`);
        row(`encode ${codec}`, (performance.now() - start) / 1000);
      }

      // ── record: the real thing ──
      {
        const e = await engine();
        let failure: string | undefined;
        const recorder = new Recorder(gpu, ffmpeg.path, { target, fps: FPS, totalFrames: FRAMES, mode: "deterministic" }, (message) => (failure = message));
        let waitMs = 0;
        const inFlight: Promise<unknown>[] = [];
        const start = performance.now();
        for (let i = 0; i < FRAMES && !failure; i++) {
          const waitStart = performance.now();
          await recorder.beforeFrame(e.chain?.outputTexture);
          waitMs += performance.now() - waitStart;
          e.frame(performance.now(), (frame, output) => recorder.capture(frame, output));
          recorder.afterSubmit();
          inFlight.push(gpu.queue.onSubmittedWorkDone());
          if (inFlight.length >= 2) await inFlight.shift();
        }
        const finished = await recorder.finish();
        if (!finished.ok) throw new Error(finished.message);
        row(`record ${codec}`, (performance.now() - start) / 1000, { waitForEncoderMsPerFrame: round(waitMs / FRAMES) });
        e.dispose();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const live = gpu.census.live();
if (live !== 0) console.log(`census: ${live} objects still alive after the bench (a leak)`);
if (values.json) await Bun.write(values.json, JSON.stringify(results, null, 2));
gpu.destroy();
