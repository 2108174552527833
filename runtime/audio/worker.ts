/**
 * The audio thread: a Worker that owns the clock, the output device and the capture devices, so a
 * slow or paused frame never glitches sound. It shares memory with the frame thread and never waits
 * for it:
 *
 * - each playing file is a voice: its decoded samples (read-only) and a small control block
 *   (playhead, playing, loop, heard, volume) that both threads read and write with Atomics; the
 *   worker advances the playhead one block at a time, and a seek from the frame thread wins over
 *   the worker's advance (compare-exchange);
 * - each capture device writes into a ring of samples whose write position is published with
 *   Atomics.store after the samples are written; the frame thread reads the newest frames behind it;
 * - the stats block (blocks played, underruns, DSP load, sink state) is read by the frame thread
 *   once a second for the stats stream.
 *
 * Output: every BLOCK_FRAMES the worker mixes the voices routed to the output (AudioOutput) and
 * writes the block to `aplay` (ALSA) when a device was found, a few blocks ahead so the device
 * never runs dry; without one it writes nowhere, and the same deadline loop keeps the clock (the
 * null sink). A block whose deadline passed by more than the lead is an underrun: it is counted; a
 * device's clock then resumes from now (it played silence), the null sink's catches up at once.
 * A live recording's tap gets a copy of each mixed block (writeTap).
 */
/// <reference lib="webworker" />
import { BLOCK_FRAMES, CHANNELS, SAMPLE_RATE } from "./format.ts";
import { mixVoice } from "./mix.ts";
import { STAT, TAP, VOICE, type FromWorker, type ToWorker } from "./protocol.ts";

declare const self: Worker;

const BLOCK_MS = (BLOCK_FRAMES / SAMPLE_RATE) * 1000;
/** How often a lost device is looked for again. */
const RETRY_MS = 2000;

interface Voice {
  frames: number;
  samples: Float32Array;
  control: Int32Array;
  gains: Float32Array;
}

interface Capture {
  device: string;
  ring: Float32Array;
  position: Int32Array;
  process?: ReturnType<typeof Bun.spawn>;
  stopped: boolean;
}

const voices = new Map<number, Voice>();
const captures = new Map<number, Capture>();
let stats: Int32Array | undefined;
let running = false;
let outputDevice: string | null = null;
let lead = 0;
let sink: ReturnType<typeof Bun.spawn> | undefined;
let sinkLostAt = -Infinity;
/** The recording tap (system.ts `tap`): every mixed block is copied into its ring. */
let tap: { ring: Float32Array; due: Float64Array; control: Int32Array } | undefined;
const mixBuffer = new Float32Array(BLOCK_FRAMES * CHANNELS);

function post(message: FromWorker): void {
  self.postMessage(message);
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "start":
      stats = new Int32Array(message.stats);
      outputDevice = message.outputDevice;
      lead = outputDevice === null ? 0 : message.leadBlocks;
      if (!running) {
        running = true;
        void loop();
      }
      break;
    case "voice":
      voices.set(message.id, { frames: message.frames, samples: new Float32Array(message.samples), control: new Int32Array(message.control), gains: new Float32Array(message.control) });
      break;
    case "voice-end":
      voices.delete(message.id);
      break;
    case "capture": {
      const capture: Capture = { device: message.device, ring: new Float32Array(message.ring), position: new Int32Array(message.position), stopped: false };
      captures.set(message.id, capture);
      void runCapture(message.id, capture);
      break;
    }
    case "capture-end": {
      const capture = captures.get(message.id);
      captures.delete(message.id);
      if (capture) {
        capture.stopped = true;
        capture.process?.kill();
      }
      break;
    }
    case "tap":
      tap = { ring: new Float32Array(message.ring), due: new Float64Array(message.due), control: new Int32Array(message.control) };
      break;
    case "close":
      running = false;
      for (const capture of captures.values()) {
        capture.stopped = true;
        capture.process?.kill();
      }
      captures.clear();
      sink?.kill();
      post({ type: "closed" });
      break;
  }
};

/** aplay on the output device, raw float stereo at 48 kHz from its stdin; undefined when it cannot start. */
function openSink(): ReturnType<typeof Bun.spawn> | undefined {
  if (outputDevice === null) return undefined;
  try {
    const proc = Bun.spawn(["aplay", "-q", "-D", outputDevice, "-t", "raw", "-f", "FLOAT_LE", "-c", String(CHANNELS), "-r", String(SAMPLE_RATE), "-"], { stdin: "pipe", stdout: "ignore", stderr: "pipe" });
    void watchSinkErrors(proc);
    return proc;
  } catch {
    return undefined;
  }
}

/** Counts aplay's "underrun!!!" lines, and notices it ending (the device went away). */
async function watchSinkErrors(proc: ReturnType<typeof Bun.spawn>): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) {
    const text = decoder.decode(chunk);
    const count = text.split("underrun").length - 1;
    if (count > 0 && stats) Atomics.add(stats, STAT.underruns, count);
  }
  await proc.exited;
  if (running && sink === proc) {
    sink = undefined;
    sinkLostAt = performance.now();
    if (stats) Atomics.store(stats, STAT.sinkState, 2);
    post({ type: "output-lost", device: outputDevice ?? "", reason: `aplay exited ${proc.exitCode}` });
  }
}

async function loop(): Promise<void> {
  sink = openSink();
  if (stats) Atomics.store(stats, STAT.sinkState, sink ? 1 : outputDevice === null ? 0 : 2);
  let next = performance.now();
  let loadSum = 0;
  let loadBlocks = 0;
  /** Mixing missed blocks back to back after a late wake (null sink): one underrun, not one per block. */
  let catchingUp = false;
  // A device gets `lead` blocks at once, so it has some in hand before the clock starts.
  for (let i = 0; i < lead && sink; i++) writeSink(mixBuffer.fill(0));
  while (running) {
    const started = performance.now();
    mixBlock();
    writeTap(mixBuffer, next);
    if (sink) writeSink(mixBuffer);
    else if (outputDevice !== null && started - sinkLostAt > RETRY_MS) reopenSink();
    if (stats) Atomics.add(stats, STAT.blocks, 1);
    loadSum += (performance.now() - started) / BLOCK_MS;
    if (++loadBlocks === 47) {
      // About a second of blocks: the DSP load is the share of the block's time spent mixing.
      if (stats) Atomics.store(stats, STAT.dspLoadPpm, Math.round((loadSum / loadBlocks) * 1e6));
      loadSum = 0;
      loadBlocks = 0;
    }
    next += BLOCK_MS;
    const wait = next - performance.now();
    if (wait < -BLOCK_MS * Math.max(1, lead)) {
      // Late past what the device had in hand. A device played silence meanwhile: the clock resumes
      // from now. The null sink has nothing to starve: it mixes the blocks it missed at once, so its
      // clock stays with the wall clock (up to a second behind; past that it jumps).
      if (!catchingUp && stats) Atomics.add(stats, STAT.underruns, 1);
      catchingUp = !sink && -wait <= 1000;
      if (catchingUp) continue;
      next = performance.now();
    } else if (wait > 0.5) {
      catchingUp = false;
      await Bun.sleep(wait);
    } else {
      catchingUp = false;
      await Bun.sleep(0);
    }
  }
}

function reopenSink(): void {
  sinkLostAt = performance.now();
  sink = openSink();
  if (!sink) return;
  if (stats) Atomics.store(stats, STAT.sinkState, 1);
  post({ type: "output-back", device: outputDevice ?? "" });
}

function writeSink(block: Float32Array): void {
  const stdin = sink?.stdin;
  if (!stdin || typeof stdin === "number") return;
  try {
    (stdin as import("bun").FileSink).write(block);
    void (stdin as import("bun").FileSink).flush();
  } catch {
    // The process ended under us: watchSinkErrors notices and says so.
  }
}

/** Advances every playing voice by one block, mixing those routed to the output into mixBuffer. */
function mixBlock(): void {
  mixBuffer.fill(0);
  for (const voice of voices.values()) {
    const control = voice.control;
    if (Atomics.load(control, VOICE.playing) === 0) continue;
    const start = Atomics.load(control, VOICE.playhead);
    const heard = Atomics.load(control, VOICE.heard) !== 0;
    const loop = Atomics.load(control, VOICE.loop) !== 0;
    const { end, stopped } = mixVoice(mixBuffer, voice.samples, voice.frames, start, BLOCK_FRAMES, loop, voice.gains[VOICE.gain]!, heard);
    // A seek written by the frame thread since `start` was read wins over this advance.
    if (Atomics.compareExchange(control, VOICE.playhead, start, end) === start && stopped) Atomics.store(control, VOICE.playing, 0);
  }
}

/**
 * The recording tap's copy of the block just mixed (runtime/record/audio-feed.ts reads it): the
 * block goes into the tap's ring at its absolute block number, its due time (when it starts to be
 * played, before the lead) beside it, then the count is published.
 */
function writeTap(block: Float32Array, dueMs: number): void {
  if (!tap) return;
  const blocks = Atomics.load(stats!, STAT.blocks);
  const slot = blocks % tap.due.length;
  tap.ring.set(block, slot * BLOCK_FRAMES * CHANNELS);
  tap.due[slot] = performance.timeOrigin + dueMs;
  if (Atomics.load(tap.control, TAP.firstBlock) < 0) Atomics.store(tap.control, TAP.firstBlock, blocks);
  Atomics.store(tap.control, TAP.written, blocks + 1);
}

/**
 * arecord on `device` into the capture's ring, until it is stopped; a device that fails or goes
 * away is said once and tried again every RETRY_MS.
 */
async function runCapture(id: number, capture: Capture): Promise<void> {
  const frameBytes = CHANNELS * 4;
  const capacity = capture.ring.length / CHANNELS;
  let said = false;
  let written = 0;
  const carry = new Uint8Array(frameBytes);
  while (!capture.stopped) {
    let proc: ReturnType<typeof Bun.spawn>;
    try {
      proc = Bun.spawn(["arecord", "-q", "-D", capture.device, "-t", "raw", "-f", "FLOAT_LE", "-c", String(CHANNELS), "-r", String(SAMPLE_RATE), "-"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    } catch (err) {
      post({ type: "capture-lost", id, device: capture.device, reason: err instanceof Error ? err.message : String(err) });
      return;
    }
    capture.process = proc;
    let carried = 0;
    let gotData = false;
    for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
      if (!gotData && said) post({ type: "capture-back", id, device: capture.device });
      gotData = true;
      said = false;
      let offset = 0;
      // Whole frames only; a frame split between two chunks is carried over.
      if (carried > 0) {
        const need = frameBytes - carried;
        carry.set(chunk.subarray(0, need), carried);
        offset = need;
        carried += Math.min(need, chunk.length);
        if (carried < frameBytes) continue;
        pushFrames(capture, new Float32Array(carry.buffer, 0, CHANNELS), written, capacity);
        written = (written + 1) | 0;
        carried = 0;
      }
      const whole = Math.floor((chunk.length - offset) / frameBytes);
      if (whole > 0) {
        const floats = new Float32Array(chunk.buffer.slice(chunk.byteOffset + offset, chunk.byteOffset + offset + whole * frameBytes));
        pushFrames(capture, floats, written, capacity);
        written = (written + whole) & 0x7fffffff;
      }
      const rest = chunk.length - offset - whole * frameBytes;
      if (rest > 0) {
        carry.set(chunk.subarray(chunk.length - rest), 0);
        carried = rest;
      }
      Atomics.store(capture.position, 0, written);
    }
    const errorText = await new Response(proc.stderr as ReadableStream).text();
    await proc.exited;
    if (capture.stopped) return;
    if (!said) {
      said = true;
      post({ type: "capture-lost", id, device: capture.device, reason: errorText.trim().split("\n").pop() || `arecord exited ${proc.exitCode}` });
    }
    await Bun.sleep(RETRY_MS);
  }
}

function pushFrames(capture: Capture, floats: Float32Array, written: number, capacity: number): void {
  const frames = floats.length / CHANNELS;
  for (let i = 0; i < frames; i++) {
    const slot = ((written + i) % capacity) * CHANNELS;
    capture.ring[slot] = floats[i * CHANNELS]!;
    capture.ring[slot + 1] = floats[i * CHANNELS + 1]!;
  }
}
