import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { TextureOperator, defineOperator, type CookContext, type PrepareContext } from "../../runtime/chain/operator.ts";
import { bool, float, path } from "../../runtime/chain/params.ts";
import { OUTPUT_FORMAT, type TextureHandle } from "../../runtime/gpu/gpu.ts";
import { acquireDecoded, releaseDecoded, type DecodedAudio } from "../../runtime/audio/decode.ts";
import { SAMPLE_RATE } from "../../runtime/audio/format.ts";
import { VOICE } from "../../runtime/audio/protocol.ts";
import { audio, type Voice } from "../../runtime/audio/system.ts";
import { probeVideoSync, VideoDecoder, type VideoInfo } from "./decoder.ts";
import { FrameUpload } from "./frame-upload.ts";

const VIDEO_USAGE = 0x04 /* TEXTURE_BINDING */ | 0x10 /* RENDER_ATTACHMENT */ | 0x02 /* COPY_DST */ | 0x01 /* COPY_SRC */;
/** How far ahead (in frames) the decoder may be asked to skip before a fresh one is started at the target. */
const SKIP_LIMIT_FRAMES = 90;
/** A deterministic frame waits this long for its video frame before showing the last one (and saying so). */
const WAIT_LIMIT_MS = 20_000;
const INSTALL = "install the Debian/Ubuntu package ffmpeg (apt-get install ffmpeg; scripts/setup.sh installs it)";
/** Live, how far the sound may drift from the picture's playhead (on average) before it is moved back to it. */
const SOUND_DRIFT_FRAMES = Math.round(0.04 * SAMPLE_RATE);
/**
 * Live, the weight of each cook's drift in that average: one cook's reading is off by up to a block
 * (the worker's playhead moves 1024 frames at a time) plus its lateness on a loaded machine, and a
 * seek on such a reading would skip or repeat sound that was in step.
 */
const SOUND_DRIFT_SMOOTHING = 0.1;

/**
 * A video file, decoded by an ffmpeg subprocess off the frame (operators/video/decoder.ts), written
 * into a pooled RGBA8 texture and drawn into the RGBA16F output of the clip's size (frame-upload.ts):
 * no GPU object is made per frame.
 *
 * Time: while playing, the playhead advances by the chain's time since the last frame × speed; the
 * frame shown is the clip's frame at the playhead (floor(playhead × fps)). Under --fixed-fps (and
 * --record) the runtime waits, between frames, until that frame is decoded, so the frame at time t
 * shows the clip at t × speed exactly (from where it started); live, a frame not decoded yet keeps
 * the last one on screen and the playhead follows the clock. `seek(t)` and `restart()` start a new
 * decoder at t: the frame that cooks next shows t if it is decoded by then; deterministic, a frame
 * that finds it not decoded yet holds the playhead, so the frame after shows t exactly.
 * Hot reload: an instance of the same name takes over the playhead, play state and the running decoder.
 *
 * Sound: with an AudioOutput whose input is this operator, the clip's soundtrack (decoded whole by
 * ffmpeg in preload, runtime/audio/decode.ts, only then) plays at `volume` through it, following the
 * playhead: under --fixed-fps / --record the sound of frame n is the clip's at the frame's playhead,
 * exactly (so a recording's picture and sound line up to the sample); live, the audio worker plays
 * it, a seek moves it with the picture, and it is moved back to the playhead when it has drifted
 * by more than 40 ms on average over the cooks. At a `speed` other than 1 it is silent (no
 * resampling), and a clip with no audio stream is silent.
 *
 * Params as the original's VideoPlayer (`loop`, `speed` 0.1–4 default 1), plus `file` (absolute, as
 * Image's) and `volume` (of the sound, through an AudioOutput).
 * Deviations: no HAP/BC texture path; the clip is probed with ffprobe when `file` changes (a short
 * synchronous call, like Image's decode).
 */
export class VideoPlayer extends TextureOperator {
  static override readonly description = "A video file (ffmpeg), played, looped, sought; deterministic under --fixed-fps";
  static override readonly params = {
    file: path("", "*.mp4;*.mov;*.webm;*.mkv;*.avi"),
    loop: bool(false),
    speed: float(1, 0.1, 4),
    volume: float(1, 0, 1),
  };

  declare file: string;
  declare loop: boolean;
  declare speed: number;
  declare volume: number;

  private info?: VideoInfo;
  private infoFile = "";
  private decoder?: VideoDecoder;
  /** Seconds into the clip, unwrapped: a looping clip's second pass goes on from its duration. */
  private playhead = 0;
  private playing = true;
  /** The chain time of the last cook; undefined before the first and after a seek (the next cook does not advance). */
  private lastTime: number | undefined;
  /** From the last prepare: whether frames wait for the video (deterministic time). */
  private deterministic = false;
  /** A seek not yet shown. Deterministic, the cook after it keeps the last picture whatever is decoded, so the frame after shows it: the same output however fast ffmpeg was. */
  private seekPending = false;
  private shownIndex = -1;
  private upload?: FrameUpload;
  private waitFailure?: string;
  /** Set by an AudioOutput that plays this clip (its init, before preload): then the soundtrack is decoded. */
  wantsSound = false;
  private soundKey?: string;
  private sound?: DecodedAudio;
  private voice?: Voice;
  /** Live: the sound's drift from the playhead, averaged over cooks (frames); a seek moves it at once. */
  private soundDrift = 0;
  private soundSeek = true;

  /** Decodes the clip's soundtrack when an AudioOutput plays it, and takes its voice (handed over by name and file on a reload). */
  override async preload(): Promise<void> {
    if (!this.wantsSound) return;
    this.ensureInfo();
    const probed = Bun.spawnSync([Bun.which("ffprobe")!, "-v", "error", "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0", this.file], { stdout: "pipe", stderr: "ignore" });
    if (probed.stdout.toString().trim() === "") return;
    const { key, decoded } = acquireDecoded(this.file);
    this.soundKey = key;
    try {
      this.sound = await decoded;
    } catch (err) {
      throw new Error(`VideoPlayer "${this.name}": ${err instanceof Error ? err.message : String(err)}`);
    }
    this.voice = audio.acquireVoice(`${this.name}:VideoPlayer:${key}`, this.sound);
  }

  /** The soundtrack's voice, for the AudioOutput that plays it (undefined: no AudioOutput, or no sound). */
  get playingVoice(): Voice | undefined {
    return this.voice;
  }

  /** Keeps the sound at the picture's playhead (see the class comment). */
  private syncSound(): void {
    const voice = this.voice;
    if (!voice) return;
    const control = voice.control;
    const playing = this.playing && Math.abs(this.speed - 1) < 1e-6 && (this.loop || this.playhead < this.duration);
    Atomics.store(control, VOICE.loop, this.loop ? 1 : 0);
    Atomics.store(control, VOICE.playing, playing ? 1 : 0);
    const target = Math.round(this.currentTime * SAMPLE_RATE);
    if (audio.deterministic) {
      Atomics.store(control, VOICE.playhead, target);
      return;
    }
    const drift = Atomics.load(control, VOICE.playhead) - audio.leadFrames - target;
    // Around a loop's wrap one side has wrapped and the other not yet: that reading is not drift.
    if (Math.abs(drift) < this.sound!.frames / 2) this.soundDrift += (drift - this.soundDrift) * SOUND_DRIFT_SMOOTHING;
    if (this.soundSeek || Math.abs(this.soundDrift) > SOUND_DRIFT_FRAMES) {
      Atomics.store(control, VOICE.playhead, target + audio.leadFrames);
      this.soundDrift = 0;
      this.soundSeek = false;
    }
  }

  /** The clip's size (1×1 until it is probed). */
  override get outputSize(): [number, number] {
    return this.info ? [this.info.width, this.info.height] : [1, 1];
  }

  override isTimeDependent(): boolean {
    return true;
  }

  init(): void {
    this.upload = new FrameUpload(this.scope);
  }

  /** Seconds into the clip now (wrapped when looping). */
  get currentTime(): number {
    const duration = this.duration;
    if (!duration) return this.playhead;
    return this.loop ? this.playhead % duration : Math.min(this.playhead, duration);
  }

  /** The clip's length in seconds (0 until it is probed). */
  get duration(): number {
    return this.info?.duration ?? 0;
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  play(): this {
    this.playing = true;
    return this;
  }

  pause(): this {
    this.playing = false;
    return this;
  }

  /** Jumps to `seconds` (clamped to the clip); the next frame shows it. */
  seek(seconds: number): this {
    const duration = this.duration;
    this.playhead = Math.max(0, duration ? Math.min(seconds, duration) : seconds);
    this.lastTime = undefined;
    this.seekPending = true;
    this.soundSeek = true;
    return this;
  }

  restart(): this {
    return this.seek(0).play();
  }

  /** The frame index (unwrapped) for a playhead. */
  private indexAt(playhead: number): number {
    const info = this.info!;
    const index = Math.floor(playhead * info.fps + 1e-6);
    return this.loop ? index : Math.min(index, info.frameCount - 1);
  }

  /** Probes the clip when `file` changed; throws what is wrong with it. */
  private ensureInfo(): VideoInfo {
    const file = this.file;
    if (file === "") throw new Error(`VideoPlayer "${this.name}": no file set (${this.name}.file = join(import.meta.dir, "clip.mp4"))`);
    if (!isAbsolute(file)) throw new Error(`VideoPlayer "${this.name}": file "${file}" is relative; pass an absolute path, e.g. join(import.meta.dir, "${file}")`);
    if (this.info && this.infoFile === file) return this.info;
    if (!existsSync(file)) throw new Error(`VideoPlayer "${this.name}": file not found: ${file}`);
    const ffprobe = Bun.which("ffprobe");
    if (!ffprobe || !Bun.which("ffmpeg")) throw new Error(`VideoPlayer "${this.name}": needs ffmpeg and ffprobe, which are not on the PATH: ${INSTALL}`);
    this.info = probeVideoSync(ffprobe, file);
    this.infoFile = file;
    this.decoder?.dispose();
    this.decoder = undefined;
    return this.info;
  }

  /** The decoder that will give frame `index`: the running one, or a new one started at it. */
  private decoderFor(index: number): VideoDecoder {
    const decoder = this.decoder;
    if (decoder && decoder.file === this.file && decoder.loop === this.loop && !decoder.behind(index) && index - decoder.front < SKIP_LIMIT_FRAMES && !decoder.error) return decoder;
    decoder?.dispose();
    this.decoder = new VideoDecoder(Bun.which("ffmpeg")!, this.file, this.info!, index, this.loop);
    return this.decoder;
  }

  /** The playhead a cook at chain time `time` shows. */
  private playheadAt(time: number): number {
    return this.lastTime !== undefined && this.playing ? this.playhead + (time - this.lastTime) * this.speed : this.playhead;
  }

  override async prepare(ctx: PrepareContext): Promise<void> {
    this.deterministic = ctx.deterministic;
    if (!ctx.deterministic || ctx.time === undefined) return;
    try {
      this.ensureInfo();
      const index = this.indexAt(this.clamped(this.playheadAt(ctx.time)));
      const decoder = this.decoderFor(index);
      const waited = await Promise.race([decoder.waitFor(index), Bun.sleep(WAIT_LIMIT_MS).then(() => "timeout" as const)]);
      if (waited === "timeout") this.waitFailure = `VideoPlayer "${this.name}": frame ${index} of ${this.file} not decoded after ${WAIT_LIMIT_MS / 1000} s`;
      // A seek made before this wait (in setup, or a frame ago) is ready now: the next frame shows it.
      else this.seekPending = false;
    } catch {
      // The cook that follows finds the same problem and reports it.
    }
  }

  /** A playhead kept inside a clip that does not loop. */
  private clamped(playhead: number): number {
    return this.loop || !this.info ? playhead : Math.min(playhead, this.info.duration);
  }

  cook(ctx: CookContext): void {
    const info = this.ensureInfo();
    this.playhead = this.clamped(this.playheadAt(ctx.time));
    this.lastTime = ctx.time;
    const index = this.indexAt(this.playhead);
    const decoder = this.decoderFor(index);
    if (decoder.error) throw new Error(`VideoPlayer "${this.name}": ${decoder.error}`);
    if (this.waitFailure) {
      const failure = this.waitFailure;
      this.waitFailure = undefined;
      throw new Error(failure);
    }
    this.syncSound();
    const texture = this.acquire(info.width, info.height);
    if (this.seekPending && this.deterministic) {
      // Hold the playhead: the next frame's prepare waits for the sought frame, and that frame shows it.
      this.seekPending = false;
      this.lastTime = undefined;
      return;
    }
    const frame = decoder.take(index);
    if (!frame) return;
    this.seekPending = false;
    if (frame.index === this.shownIndex) return;
    this.upload!.draw(ctx.frame, ctx.gpu.queue, this.name, frame.pixels, info.width, info.height, texture);
    this.shownIndex = frame.index;
  }

  /** The pooled texture for this size (dropping one of another size). */
  private acquire(width: number, height: number): TextureHandle {
    if (this.output && (this.output.width !== width || this.output.height !== height)) {
      this.scope.drop(this.output);
      this.output = undefined;
    }
    this.output ??= this.scope.texture({ width, height, format: OUTPUT_FORMAT, usage: VIDEO_USAGE, slot: "video" });
    return this.output;
  }

  /** Takes over the playhead, play state and the running decoder (so a reload neither rewinds nor restarts ffmpeg). */
  override adopt(previous: this): void {
    this.playhead = previous.playhead;
    this.playing = previous.playing;
    this.lastTime = previous.lastTime;
    this.deterministic = previous.deterministic;
    // The same voice (same clip) keeps playing in step: no seek on a reload.
    if (this.voice && previous.voice === this.voice) {
      this.soundDrift = previous.soundDrift;
      this.soundSeek = previous.soundSeek;
    }
    this.info = previous.info;
    this.infoFile = previous.infoFile;
    this.decoder = previous.decoder;
    // The pooled output texture comes over with the frame it shows.
    this.shownIndex = previous.shownIndex;
    // The previous instance is disposed after the swap: it must not stop the decoder it handed over.
    // (Should this build fail instead, the previous instance starts a new decoder at its playhead.)
    previous.decoder = undefined;
  }

  override dispose(): void {
    this.decoder?.dispose();
    this.decoder = undefined;
    if (this.voice) audio.releaseVoice(this.voice);
    this.voice = undefined;
    if (this.soundKey) releaseDecoded(this.soundKey);
    this.soundKey = undefined;
    super.dispose();
  }
}
defineOperator(VideoPlayer);
