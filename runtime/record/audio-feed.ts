/**
 * The sound of a recording: what the chain's AudioOutput plays, as raw float samples on ffmpeg's
 * fd 3 (formats.ts adds that input when the chain has an AudioOutput). Nothing here touches the GPU,
 * and nothing is written inside a frame.
 *
 * Deterministic (`--record`, fixed time F): the frame thread mixes exactly frame n's samples,
 * [round(n·R/F), round((n+1)·R/F)) at R = 48 kHz, into the frame's readback slot right after the
 * frame cooked (`audio.mixFixed`, the worker's own mixing), and the recorder writes them after the
 * frame's pixels, in frame order: picture and sound line up to the sample, the same every run, and
 * the encoder's backpressure holds both (a slot is freed only once both writes are taken).
 *
 * Live (Shift+R, wall clock): the audio worker copies every block it mixes into a ring (`audio.tap`);
 * a timer drains it every DRAIN_MS, off the frame, from the sample heard when the first recorded
 * frame was drawn (so that sample is the file's time 0, as that frame is), up to the sample heard now.
 */
import type { Writable } from "node:stream";
import { BLOCK_FRAMES, CHANNELS, SAMPLE_RATE } from "../audio/format.ts";
import { TAP } from "../audio/protocol.ts";
import { audio, TAP_RING_BLOCKS, type RecordTap } from "../audio/system.ts";

/** How often a live recording moves the tap's samples to ffmpeg: well inside the ring's 2.7 s. */
const DRAIN_MS = 25;
/** Bytes a live recording lets wait for ffmpeg to read (~5 s of sound) before it stops with a reason. */
const LIVE_BACKLOG_BYTES = 2 * 1024 * 1024;

export class RecordAudioFeed {
  /** Frames of sound handed to ffmpeg. */
  framesWritten = 0;
  /** Live: frames of silence written where the ring had been overwritten before it was drained. */
  lostFrames = 0;
  /** Deterministic: one buffer per readback slot, and how many frames of it the slot's frame has. */
  private readonly slotSamples: Float32Array[] = [];
  private readonly slotFrames: number[] = [];
  private framesMixed = 0;
  /** Live. */
  private tap?: RecordTap;
  private firstFrameAtMs?: number;
  private next?: number;
  private timer?: ReturnType<typeof setInterval>;
  private ended = false;

  constructor(
    private readonly pipe: Writable,
    private readonly mode: "deterministic" | "live",
    private readonly fps: number,
    slots: number,
    /** Live: the feed cannot go on (ffmpeg stopped reading); the recorder stops with this reason. */
    private readonly onFailure: (message: string) => void,
  ) {
    if (mode === "deterministic") {
      const most = Math.ceil(SAMPLE_RATE / fps) + 1;
      for (let i = 0; i < slots; i++) {
        this.slotSamples.push(new Float32Array(most * CHANNELS));
        this.slotFrames.push(0);
      }
    } else {
      this.tap = audio.tap;
      this.timer = setInterval(() => this.drain(), DRAIN_MS);
      // The frame loop decides when the process ends, not this timer.
      this.timer.unref?.();
    }
  }

  /** Inside the frame, after its cook (deterministic): the frame's samples, mixed into `slot`'s buffer. */
  mixFrame(slot: number): void {
    const n = this.framesMixed++;
    const start = Math.round((n * SAMPLE_RATE) / this.fps);
    const count = Math.round(((n + 1) * SAMPLE_RATE) / this.fps) - start;
    const out = this.slotSamples[slot]!;
    out.fill(0);
    audio.mixFixed(out, count);
    this.slotFrames[slot] = count;
  }

  /** Live: the first recorded frame was drawn now; its sample is the recording's time 0. */
  firstFrame(epochMs: number): void {
    this.firstFrameAtMs ??= epochMs;
  }

  /** Deterministic: writes `slot`'s samples (after the frame's pixels); resolves when ffmpeg has them. */
  writeSlot(slot: number): Promise<void> {
    const count = this.slotFrames[slot]!;
    const samples = this.slotSamples[slot]!;
    return this.write(new Uint8Array(samples.buffer, 0, count * CHANNELS * 4)).then(() => {
      this.framesWritten += count;
    });
  }

  private write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.pipe.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** Live: moves what the tap has, from the first frame's sample up to the one heard now, to ffmpeg. */
  private drain(): void {
    const tap = this.tap;
    if (!tap || this.ended || this.firstFrameAtMs === undefined) return;
    const nowMs = performance.timeOrigin + performance.now();
    if (this.next === undefined) {
      const first = audio.heardFrameAt(tap, this.firstFrameAtMs);
      if (Number.isNaN(first)) return;
      this.next = Math.round(first);
    }
    const heard = Math.floor(audio.heardFrameAt(tap, nowMs));
    const written = Atomics.load(tap.control, TAP.written);
    const firstBlock = Atomics.load(tap.control, TAP.firstBlock);
    const end = Math.min(heard, written * BLOCK_FRAMES);
    if (end <= this.next) return;
    const oldest = Math.max(firstBlock * BLOCK_FRAMES, (written - TAP_RING_BLOCKS) * BLOCK_FRAMES);
    const out = new Float32Array((end - this.next) * CHANNELS);
    // Samples older than the ring (a drain that came too late, or before the tap began) are silence.
    const from = Math.max(this.next, oldest);
    if (from > this.next && this.next >= firstBlock * BLOCK_FRAMES) this.lostFrames += from - this.next;
    const ringFrames = TAP_RING_BLOCKS * BLOCK_FRAMES;
    for (let frame = from; frame < end; ) {
      const at = frame % ringFrames;
      const run = Math.min(end - frame, ringFrames - at);
      out.set(tap.ring.subarray(at * CHANNELS, (at + run) * CHANNELS), (frame - this.next) * CHANNELS);
      frame += run;
    }
    this.framesWritten += end - this.next;
    this.next = end;
    if (this.pipe.writableLength > LIVE_BACKLOG_BYTES) {
      this.stop();
      this.onFailure(`ffmpeg stopped reading the sound (${(this.pipe.writableLength / 1024 / 1024).toFixed(1)} MB waiting)`);
      return;
    }
    // Live writes are not awaited: the timer never waits, and the backlog check above bounds them.
    this.pipe.write(new Uint8Array(out.buffer));
  }

  /** Ends the sound: a live feed drains up to now first; then ffmpeg's fd 3 is closed. */
  finish(): void {
    if (this.mode === "live") this.drain();
    this.stop();
    this.pipe.end();
  }

  /** Stops the timer (a failed recording: nothing more is written). */
  stop(): void {
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Seconds of sound written. */
  get seconds(): number {
    return this.framesWritten / SAMPLE_RATE;
  }
}
