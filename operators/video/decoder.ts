/**
 * Video frames decoded by an ffmpeg subprocess (the same ffmpeg `--record` uses), piped out as raw
 * RGBA and gathered into a small ring of reused CPU buffers. Reading happens on the event loop, never
 * inside a frame: an operator asks for frame n with `take(n)` (never waits) or `waitFor(n)` (between
 * frames, for deterministic renders). ffmpeg decodes ahead only as far as the ring has room: when it
 * is full, the pipe is not read and ffmpeg blocks on it.
 *
 * Frame numbers are "unwrapped": a looping decoder (ffmpeg's -stream_loop) goes on counting past the
 * clip's end, so frame `frameCount + 3` is the clip's frame 3 of its second pass.
 *
 * A live source (a camera, `VideoDecoder.live`) is the same pipe with other input arguments; its
 * reader takes the newest frame (`latest`) and lets the older ones go.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";

export interface VideoInfo {
  width: number;
  height: number;
  /** Frames per second of the clip (its average rate). */
  fps: number;
  /** Seconds. */
  duration: number;
  /** Frames in one pass of the clip. */
  frameCount: number;
}

/**
 * The clip's size, rate, length and frame count, from ffprobe (a short synchronous call, made when a
 * VideoPlayer's file changes); throws with ffprobe's reason.
 */
export function probeVideoSync(ffprobePath: string, file: string): VideoInfo {
  const probed = Bun.spawnSync(
    [ffprobePath, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:format=duration", "-of", "json", file],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (probed.exitCode !== 0) throw new Error(`${file}: not a video ffmpeg can read (${probed.stderr.toString().trim().split("\n").at(-1) || `ffprobe exited with ${probed.exitCode}`})`);
  const json = JSON.parse(probed.stdout.toString()) as { streams?: Array<Record<string, string | number>>; format?: { duration?: string } };
  const stream = json.streams?.[0];
  if (!stream) throw new Error(`${file}: has no video stream`);
  const rate = (text: unknown) => {
    const [num, den] = String(text ?? "0/1").split("/").map(Number);
    return den ? num! / den : 0;
  };
  const fps = rate(stream.avg_frame_rate) || rate(stream.r_frame_rate);
  const duration = Number(stream.duration ?? json.format?.duration ?? 0);
  const width = Number(stream.width);
  const height = Number(stream.height);
  if (!(fps > 0) || !(width > 0) || !(height > 0)) throw new Error(`${file}: ffprobe reports no usable size or frame rate`);
  const frameCount = Number(stream.nb_frames) > 0 ? Number(stream.nb_frames) : Math.max(1, Math.round(duration * fps));
  return { width, height, fps, duration: duration > 0 ? duration : frameCount / fps, frameCount };
}

/** Buffers in the ring: the frame on screen, the next, and one being filled. */
export const DECODE_RING = 4;

interface DecodedFrame {
  index: number;
  pixels: Uint8Array;
}

export class VideoDecoder {
  private child?: ChildProcessByStdio<null, Readable, Readable>;
  private readonly frameBytes: number;
  /** Whole frames, oldest first. */
  private frames: DecodedFrame[] = [];
  private free: Uint8Array[] = [];
  private filling?: Uint8Array;
  private filled = 0;
  /** Bytes read from the pipe that wait for a free buffer (a chunk can hold many small frames). */
  private pending: Buffer[] = [];
  private nextIndex: number;
  private ended = false;
  private disposed = false;
  private stderrTail = "";
  private waiters: Array<() => void> = [];
  /** Why decoding stopped early (ffmpeg failed), if it did. */
  error?: string;

  constructor(
    private ffmpegPath: string,
    readonly file: string,
    readonly info: VideoInfo,
    /** The first frame wanted, unwrapped (see the module's comment). */
    readonly firstIndex: number,
    readonly loop: boolean,
    /** A live source's ffmpeg input and filter arguments (then `file` only names it). */
    private liveArgs?: string[],
  ) {
    this.frameBytes = info.width * info.height * 4;
    for (let i = 0; i < DECODE_RING; i++) this.free.push(new Uint8Array(this.frameBytes));
    this.nextIndex = firstIndex;
    const within = loop ? firstIndex % info.frameCount : Math.min(firstIndex, info.frameCount - 1);
    // A loop from the middle: this pass to the end, then (on exit) every later pass from the start.
    // (ffmpeg's -ss and -stream_loop together re-seek on every pass.)
    this.start(within, loop && within === 0);
  }

  /**
   * A live source: ffmpeg `inputArgs` (e.g. `-f v4l2 … -i /dev/video0`), scaled to `width` × `height`
   * at `fps`, named `name` in messages. It never ends on its own.
   */
  static live(ffmpegPath: string, name: string, inputArgs: string[], width: number, height: number, fps: number): VideoDecoder {
    const info = { width, height, fps, duration: Infinity, frameCount: Infinity };
    return new VideoDecoder(ffmpegPath, name, info, 0, false, [...inputArgs, "-vf", `fps=${fps},scale=${width}:${height}`]);
  }

  private start(within: number, forever: boolean): void {
    if (this.liveArgs) return this.spawn([...this.liveArgs, "-an"], false);
    // Seek to half a frame before the wanted one: ffmpeg then drops every frame before it and keeps it.
    const seek = within > 0 ? ["-ss", ((within - 0.5) / this.info.fps).toFixed(6)] : [];
    this.spawn([...(forever ? ["-stream_loop", "-1"] : []), ...seek, "-i", this.file, "-map", "0:v:0", "-an", "-fps_mode", "passthrough"], forever);
  }

  private spawn(input: string[], forever: boolean): void {
    const args = ["-hide_banner", "-nostdin", "-loglevel", "error", ...input, "-f", "rawvideo", "-pix_fmt", "rgba", "pipe:1"];
    const child = spawn(this.ffmpegPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stderr.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    child.stdout.on("data", (chunk: Buffer) => {
      this.pending.push(chunk);
      this.fill();
    });
    child.on("error", (err) => this.stop(`ffmpeg could not start: ${err.message}`));
    // "close", not "exit": every byte of the pass has been read from the pipe by then.
    child.on("close", (code, signal) => {
      if (this.disposed || signal) return this.stop();
      if (code !== 0) return this.stop(`ffmpeg exited with code ${code}: ${this.stderrTail.trim().split("\n").at(-1) ?? ""}`);
      // The first pass of a loop from the middle ended: the rest loop from the start, numbered on.
      if (this.loop && !forever) this.start(0, true);
      else this.stop();
    });
  }

  /** Moves piped bytes into free buffers; with none free, stops reading (ffmpeg then blocks on the pipe). */
  private fill(): void {
    while (this.pending.length > 0) {
      if (!this.filling) {
        const buffer = this.free.pop();
        if (!buffer) break;
        this.filling = buffer;
        this.filled = 0;
      }
      const chunk = this.pending[0]!;
      const n = Math.min(chunk.length, this.frameBytes - this.filled);
      this.filling.set(chunk.subarray(0, n), this.filled);
      this.filled += n;
      if (n === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(n);
      if (this.filled === this.frameBytes) {
        this.frames.push({ index: this.nextIndex++, pixels: this.filling });
        this.filling = undefined;
        this.wake();
      }
    }
    const stdout = this.child?.stdout;
    if (!stdout) return;
    if (this.pending.length > 0) stdout.pause();
    else if (stdout.isPaused()) stdout.resume();
  }

  private stop(error?: string): void {
    if (error && !this.ended) this.error = error;
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The last frame index this decoder will ever give (Infinity while looping). */
  get lastIndex(): number {
    if (this.loop) return Infinity;
    return this.ended ? this.nextIndex - 1 : this.info.frameCount - 1;
  }

  /**
   * Frame `index` if it is decoded (or, past a non-looping clip's end, its last frame); frames before
   * it go back to the ring. Never waits; undefined when it is not there yet.
   */
  take(index: number): DecodedFrame | undefined {
    const wanted = Math.min(index, this.lastIndex);
    while (this.frames.length > 1 && this.frames[1]!.index <= wanted) this.recycle(this.frames.shift()!);
    const front = this.frames[0];
    if (front && front.index === wanted) return front;
    if (front && front.index < wanted) {
      this.recycle(this.frames.shift()!);
      return undefined;
    }
    return undefined;
  }

  /** The oldest frame index still held or to come. */
  get front(): number {
    return this.frames[0]?.index ?? this.nextIndex;
  }

  /** The newest decoded frame (a live source's "now"); older ones go back to the ring. */
  latest(): DecodedFrame | undefined {
    while (this.frames.length > 1) this.recycle(this.frames.shift()!);
    return this.frames[0];
  }

  /** Whether `index` lies behind this decoder (a seek backwards needs a new one). */
  behind(index: number): boolean {
    return index < this.front;
  }

  /** Waits until frame `index` is decoded or decoding stopped; then `take(index)`. */
  async waitFor(index: number): Promise<DecodedFrame | undefined> {
    for (;;) {
      const frame = this.take(index);
      if (frame || this.ended || this.behind(index)) return frame;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private recycle(frame: DecodedFrame): void {
    this.free.push(frame.pixels);
    this.fill();
  }

  dispose(): void {
    this.disposed = true;
    this.ended = true;
    if (this.child && this.child.exitCode === null) this.child.kill("SIGKILL");
    this.pending = [];
    this.wake();
  }
}
