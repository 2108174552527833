/**
 * `--record`: every frame the chain draws, read back through the GPU's ring of staging buffers
 * (gpu/frame-readback.ts) and piped as raw RGBA to an ffmpeg subprocess that encodes it. The frame
 * loop only records the copy into its own encoder; waiting for the GPU, writing to ffmpeg's stdin and
 * the encoding itself happen off the frame, one slot at a time, in frame order.
 *
 * Deterministic (`--record` switches on fixed time): a frame waits for a free slot before it is drawn
 * (`beforeFrame`), so no frame is ever dropped and the loop runs at the encoder's pace. Live (time
 * is the wall clock): a frame that finds every slot busy is not recorded and is counted in `dropped`;
 * each recorded frame goes to file frame round((drawn − first drawn) · fps), written again to fill
 * the frames before it that were not drawn (or not recorded), left out when that frame is already
 * written (the show ran faster than the recording's fps). So the file plays at the speed the show
 * ran, timed by when frames were drawn, not by when they reached ffmpeg (its start-up delays the
 * first frame by tens of ms, which would put the picture ahead of the sound).
 *
 * A chain with an AudioOutput when the recording starts also records what it plays (audio-feed.ts):
 * raw float samples on ffmpeg's fd 3, muxed as AAC (MP4/MOV) or Opus (WebM), or a WAV beside a PNG
 * sequence. A chain without one records the picture only, as before.
 *
 * ffmpeg dying, or its output failing (a full disk), stops the recording with ffmpeg's own last
 * line; the frame loop goes on.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { relative } from "node:path";
import type { Readable, Writable } from "node:stream";
import { CHANNELS, SAMPLE_RATE } from "../audio/format.ts";
import { FrameReadback, READBACK_SLOTS } from "../gpu/frame-readback.ts";
import type { Frame, Gpu, TextureHandle } from "../gpu/gpu.ts";
import { audio } from "../audio/system.ts";
import type { RecordEntry } from "../stats/events.ts";
import { RecordAudioFeed } from "./audio-feed.ts";
import { AUDIO_CODECS, audioSidecarPath, ffmpegArgs, type RecordTarget } from "./formats.ts";

export interface RecordOptions {
  target: RecordTarget;
  fps: number;
  /** Frames to record, from --record-duration; undefined: until the run ends. */
  totalFrames?: number;
  /** Render waits for the encoder (never drops), or frames that find no free slot are dropped. */
  mode: "deterministic" | "live";
  /** Whether the chain has an AudioOutput; asked once, when the recording starts (its first frame). */
  hasAudio?: () => boolean;
}

/** What a progress bar shows (the dashboard's panel and the plain line, both through formatRecordProgress). */
export type RecordProgress = RecordEntry;

export class Recorder {
  private readback?: FrameReadback;
  /** The sound, when the chain had an AudioOutput as the recording started. */
  private audioFeed?: RecordAudioFeed;
  private ffmpeg?: ChildProcessByStdio<Writable, null, Readable>;
  private stderrTail = "";
  private exited?: Promise<number | null>;
  /** The writes in frame order: each waits for the one before it. */
  private tail: Promise<void> = Promise.resolve();
  private capturedSlot: number | undefined;
  /** Live: when each slot's frame was drawn (performance.now()), and the first recorded frame. */
  private readonly slotDrawnAt: number[] = [];
  private firstDrawnAt?: number;
  private startMs = 0;
  /** When the recording ended (finish or failure): the rate and time stop there. */
  private endMs: number | undefined;
  private width = 0;
  private height = 0;
  private framesWritten = 0;
  private framesCaptured = 0;
  private droppedFrames = 0;
  private failure?: string;
  private finished = false;
  /** Why the first frame that could not be read back from the GPU was dropped. */
  private mapError?: string;

  constructor(
    private gpu: Gpu,
    private ffmpegPath: string,
    readonly options: RecordOptions,
    /** Called once when the recording stops on its own (ffmpeg died, the disk is full). */
    private onFailure: (message: string) => void,
  ) {}

  /** Recording (started or waiting for the first frame), not failed nor finished. */
  get active(): boolean {
    return !this.failure && !this.finished;
  }

  /** Whether every frame asked for has been captured (--record-duration). */
  get complete(): boolean {
    return this.options.totalFrames !== undefined && this.framesCaptured >= this.options.totalFrames;
  }

  get failed(): string | undefined {
    return this.failure;
  }

  /**
   * Before a frame is drawn: starts ffmpeg at the output's size on the first call; in deterministic
   * mode, waits until a staging slot is free (the encoder's backpressure reaches the frame loop here).
   */
  async beforeFrame(output: TextureHandle | undefined): Promise<void> {
    if (!this.active || this.complete) return;
    if (!this.readback && output) this.start(output.width, output.height);
    if (this.readback && this.options.mode === "deterministic") await this.readback.whenFree();
  }

  private start(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.readback = new FrameReadback(this.gpu, width, height);
    const live = this.options.mode === "live";
    // Live sound comes from the audio worker's tap: no worker (no sound in this process), no sound.
    const withAudio = (this.options.hasAudio?.() ?? false) && (!live || audio.tap !== undefined);
    const args = ffmpegArgs(this.options.target, width, height, this.options.fps, withAudio ? { sampleRate: SAMPLE_RATE, channels: CHANNELS } : undefined);
    const child = spawn(this.ffmpegPath, args, { stdio: withAudio ? ["pipe", "ignore", "pipe", "pipe"] : ["pipe", "ignore", "pipe"] }) as unknown as ChildProcessByStdio<Writable, null, Readable>;
    this.ffmpeg = child;
    if (withAudio) {
      const pipe = child.stdio[3] as Writable;
      // EPIPE after ffmpeg died: the exit below says why.
      pipe.on("error", () => {});
      this.audioFeed = new RecordAudioFeed(pipe, this.options.mode, this.options.fps, READBACK_SLOTS, (message) => this.fail(message));
    }
    child.stderr.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    });
    // EPIPE after ffmpeg died: the exit below says why.
    child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) => {
      child.on("error", (err) => {
        this.fail(`ffmpeg could not start: ${err.message}`);
        resolve(null);
      });
      child.on("exit", (code, signal) => {
        if (!this.finished) this.fail(`ffmpeg ${signal ? `was killed (${signal})` : `exited with code ${code}`}${this.lastStderrLine()}`);
        resolve(code);
      });
    });
    this.startMs = performance.now();
  }

  /** Inside the frame, after the display pass: records the output's copy into `frame` (or drops it). */
  capture(frame: Frame, output: TextureHandle | undefined): void {
    this.capturedSlot = undefined;
    if (!this.readback || !output || !this.active || this.complete) return;
    const slot = this.readback.capture(frame, output);
    if (slot === undefined) {
      this.droppedFrames++;
      return;
    }
    this.capturedSlot = slot;
    this.framesCaptured++;
    // The frame has cooked: its sound is mixed now (deterministic), or its time places it in the file
    // and, for the first, anchors the sound (live).
    if (this.options.mode === "deterministic") this.audioFeed?.mixFrame(slot);
    else {
      const drawnAt = performance.now();
      this.slotDrawnAt[slot] = drawnAt;
      this.firstDrawnAt ??= drawnAt;
      this.audioFeed?.firstFrame(performance.timeOrigin + this.firstDrawnAt);
    }
  }

  /** After the frame's submit: queues the captured slot's write to ffmpeg. */
  afterSubmit(): void {
    const slot = this.capturedSlot;
    this.capturedSlot = undefined;
    if (slot === undefined) return;
    this.readback!.submitted(slot);
    this.tail = this.tail.then(() => this.writeSlot(slot));
  }

  private async writeSlot(slot: number): Promise<void> {
    const readback = this.readback!;
    try {
      if (this.failure) return;
      let pixels: Uint8Array;
      try {
        pixels = await readback.map(slot);
      } catch (err) {
        // The GPU could not give the frame back (the device was lost under the mapping, before the
        // next frame boundary moves the run to a new one): that frame is dropped and counted, and
        // the recording goes on or, after a loss, ends with the frames written (deviceLost).
        this.droppedFrames++;
        this.mapError ??= err instanceof Error ? err.message : String(err);
        return;
      }
      if (this.failure) return;
      // Live: this frame's place in the file (see the top); 0 copies when that place is taken.
      const copies = this.options.mode === "live" ? Math.round(((this.slotDrawnAt[slot]! - this.firstDrawnAt!) * this.options.fps) / 1000) + 1 - this.framesWritten : 1;
      for (let copy = 0; copy < copies && !this.failure; copy++) {
        const pixelsTaken = new Promise<void>((resolve, reject) => {
          this.ffmpeg!.stdin.write(pixels, (err) => (err ? reject(err) : resolve()));
        });
        // The frame's sound right after its pixels, both awaited: ffmpeg reads the two pipes in its
        // own order, and the slot (and so the next frame) waits for both.
        const soundTaken = this.options.mode === "deterministic" ? this.audioFeed?.writeSlot(slot) : undefined;
        await Promise.all([pixelsTaken, soundTaken]);
        this.framesWritten++;
      }
    } catch (err) {
      // A write that fails means ffmpeg has gone: wait a moment for its exit to say why.
      await Promise.race([this.exited, Bun.sleep(500)]);
      this.fail(`writing to ffmpeg failed: ${err instanceof Error ? err.message : String(err)}${this.lastStderrLine()}`);
    } finally {
      readback.release(slot);
    }
  }

  /** " with 2.00 s of sound (aac)", or where a PNG sequence's sound went; "" without sound. */
  private soundLine(): string {
    const feed = this.audioFeed;
    if (!feed) return "";
    const lost = feed.lostFrames ? `, ${(feed.lostFrames / SAMPLE_RATE).toFixed(2)} s of it lost (the tap was not drained in time)` : "";
    if (this.options.target.container === "png-sequence") {
      const wav = relative(process.cwd(), audioSidecarPath(this.options.target.path));
      return ` and ${feed.seconds.toFixed(2)} s of sound in ${wav.startsWith("..") ? audioSidecarPath(this.options.target.path) : wav}${lost}`;
    }
    return ` with ${feed.seconds.toFixed(2)} s of sound (${AUDIO_CODECS[this.options.target.container][1]})${lost}`;
  }

  /** ffmpeg's last two lines of complaint: the cause ("No space left on device") often comes before the last. */
  private lastStderrLine(): string {
    const lines = this.stderrTail
      .split("\n")
      .map((line) => line.trim().replace(/\s*--$/, ""))
      .filter(Boolean)
      .slice(-2);
    return lines.length ? `: ${lines.join("; ")}` : "";
  }

  private fail(message: string): void {
    if (this.failure || this.finished) return;
    this.endMs = performance.now();
    this.failure = `recording ${this.shownPath()} stopped after ${this.framesWritten} frames: ${message}`;
    this.audioFeed?.stop();
    if (this.ffmpeg && this.ffmpeg.exitCode === null) this.ffmpeg.kill("SIGKILL");
    this.onFailure(this.failure);
  }

  private shownPath(): string {
    const shown = relative(process.cwd(), this.options.target.path);
    return shown.startsWith("..") ? this.options.target.path : shown;
  }

  progress(now = performance.now()): RecordProgress {
    const elapsedS = this.startMs ? ((this.endMs ?? now) - this.startMs) / 1000 : 0;
    const fps = elapsedS > 0 ? this.framesWritten / elapsedS : 0;
    const total = this.options.totalFrames;
    const etaS = total !== undefined && fps > 0 ? Math.max(0, total - this.framesWritten) / fps : undefined;
    return {
      path: this.shownPath(),
      codec: this.options.target.codec,
      width: this.width,
      height: this.height,
      frames: this.framesWritten,
      totalFrames: total,
      fps,
      etaS,
      dropped: this.droppedFrames,
      elapsedS,
      state: this.failure ? "failed" : this.finished ? "done" : "recording",
      message: this.failure,
    };
  }

  /**
   * The GPU device was lost (main.ts leaveLostDevice): frames still waiting for their mapping are
   * dropped, and finish() then closes the file with what was written, a playable file shorter than
   * asked for.
   */
  deviceLost(): void {
    this.mapError ??= "the GPU device was lost";
  }

  /**
   * Ends the recording: the queued frames are written, ffmpeg's stdin closed and its exit awaited,
   * the staging buffers given back. Returns a line saying what was written, or why not.
   */
  async finish(): Promise<{ ok: boolean; message: string }> {
    await this.tail;
    const ffmpeg = this.ffmpeg;
    if (!this.failure && ffmpeg && this.framesWritten > 0) {
      this.finished = true;
      this.audioFeed?.finish();
      ffmpeg.stdin.end();
      const code = await this.exited;
      if (code !== 0) {
        this.finished = false;
        this.fail(`ffmpeg exited with code ${code} while finishing the file${this.lastStderrLine()}`);
      }
    } else if (!this.failure) {
      this.finished = true;
      this.audioFeed?.stop();
      ffmpeg?.kill("SIGKILL");
      await this.exited;
    }
    this.endMs ??= performance.now();
    this.readback?.dispose();
    this.readback = undefined;
    if (this.failure) return { ok: false, message: this.failure };
    if (this.framesWritten === 0) return { ok: false, message: `recording ${this.shownPath()}: no frame was drawn, nothing written` };
    const seconds = this.framesWritten / this.options.fps;
    return {
      ok: true,
      message: `recorded ${this.framesWritten} frames (${seconds.toFixed(2)} s at ${this.options.fps} fps, ${this.width}x${this.height}, ${this.options.target.codec})${this.soundLine()} to ${this.shownPath()}${this.droppedFrames ? `, ${this.droppedFrames} dropped${this.mapError ? ` (${this.mapError})` : ""}` : ""}`,
    };
  }
}
