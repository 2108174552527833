import { isAbsolute } from "node:path";
import { defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { bool, float, path } from "../../runtime/chain/params.ts";
import { acquireDecoded, releaseDecoded, type DecodedAudio } from "../../runtime/audio/decode.ts";
import { SAMPLE_RATE } from "../../runtime/audio/format.ts";
import { VOICE } from "../../runtime/audio/protocol.ts";
import { audio, type Voice } from "../../runtime/audio/system.ts";
import { AudioSource, type ChannelMode } from "./source.ts";

/**
 * Plays a sound file: WAV, MP3, FLAC, OGG and whatever else ffmpeg decodes (runtime/audio/decode.ts;
 * decoded once, off the frame thread, before the chain that uses it is swapped in). It starts playing
 * when it is loaded; `pause()`, `play()`, `stop()` and `seek(seconds)` steer it. It is heard through
 * an AudioOutput; analysers (Levels, FFT, BandSplit, BeatDetect) read it whether it is heard or not.
 *
 * Time: with `--fixed-fps F` it is read at frame / F seconds exactly (no device), so a render is the
 * same every run; live, the audio worker plays it and the analysers read what is being heard now.
 * A reload keeps its playhead (and paused state): the voice is handed over by name, type and file.
 * A missing or undecodable file fails the reload with the path in the message; the last good chain
 * keeps running.
 *
 * Params as the original's AudioFile (`volume` 0..1). Deviations: `file` and `loop` are params (the
 * original's setFile / loop methods), so they are listed and handed over like the others; `file` must
 * be absolute, like Image's (`join(import.meta.dir, "beat.wav")`).
 */
export class AudioFile extends AudioSource {
  static override readonly description = "A sound file (WAV, MP3, FLAC, OGG via ffmpeg), played and analysed";
  static override readonly params = {
    file: path("", "*.wav;*.mp3;*.flac;*.ogg"),
    volume: float(1, 0, 1),
    loop: bool(false),
  };

  declare file: string;
  declare volume: number;
  declare loop: boolean;

  private decodedKey?: string;
  private decoded?: DecodedAudio;
  private voice?: Voice;
  /** Deterministic clock: the chain time at which the playhead was 0, and where it was paused (frames) when paused. */
  private timeOrigin = 0;
  private pausedAt?: number;
  /** The file the voice plays; a different file set later is prepared on the next reload's build. */
  private preparedFile = "";

  override async preload(): Promise<void> {
    const file = this.file;
    if (file === "") throw new Error(`AudioFile "${this.name}": no file set (${this.name}.file = join(import.meta.dir, "music.wav"))`);
    if (!isAbsolute(file)) throw new Error(`AudioFile "${this.name}": file "${file}" is relative; pass an absolute path, e.g. join(import.meta.dir, "${file}")`);
    const { key, decoded } = acquireDecoded(file);
    this.decodedKey = key;
    try {
      this.decoded = await decoded;
    } catch (err) {
      throw new Error(`AudioFile "${this.name}": ${err instanceof Error ? err.message : String(err)}`);
    }
    this.preparedFile = file;
    this.voice = audio.acquireVoice(`${this.name}:AudioFile:${key}`, this.decoded);
    Atomics.store(this.voice.control, VOICE.loop, this.loop ? 1 : 0);
  }

  /** Seconds of audio in the file (0 before it is decoded). */
  get duration(): number {
    return this.decoded ? this.decoded.frames / SAMPLE_RATE : 0;
  }

  /** The playhead in seconds, as of this frame. */
  get currentTime(): number {
    return this.position / SAMPLE_RATE;
  }

  get playing(): boolean {
    return this.voice !== undefined && Atomics.load(this.voice.control, VOICE.playing) === 1;
  }

  play(): void {
    if (!this.voice) return;
    if (this.pausedAt !== undefined) {
      this.timeOrigin = this.lastTime - this.pausedAt / SAMPLE_RATE;
      this.pausedAt = undefined;
    }
    Atomics.store(this.voice.control, VOICE.playing, 1);
  }

  pause(): void {
    if (!this.voice) return;
    this.pausedAt ??= this.position;
    Atomics.store(this.voice.control, VOICE.playing, 0);
  }

  /** Pauses and goes back to the start. */
  stop(): void {
    this.pause();
    this.seek(0);
  }

  /** Moves the playhead to `seconds` (clamped to the file). */
  seek(seconds: number): void {
    if (!this.voice || !Number.isFinite(seconds)) return;
    const frame = Math.max(0, Math.min(this.decoded!.frames, Math.round(seconds * SAMPLE_RATE)));
    if (this.pausedAt !== undefined) this.pausedAt = frame;
    else this.timeOrigin = this.lastTime - frame / SAMPLE_RATE;
    Atomics.store(this.voice.control, VOICE.playhead, frame + audio.leadFrames);
    this.position = frame;
  }

  private lastTime = 0;

  cook(ctx: CookContext): void {
    if (this.file !== this.preparedFile) {
      throw new Error(`AudioFile "${this.name}": file changed to ${this.file} while running; set it in setup (a save reloads it)`);
    }
    const voice = this.voice!;
    const frames = this.decoded!.frames;
    this.lastTime = ctx.time;
    Atomics.store(voice.control, VOICE.loop, this.loop ? 1 : 0);
    if (audio.deterministic) {
      let position = this.pausedAt ?? Math.round((ctx.time - this.timeOrigin) * SAMPLE_RATE);
      if (!this.loop && position >= frames) Atomics.store(voice.control, VOICE.playing, 0);
      if (this.loop) position = ((position % frames) + frames) % frames;
      this.position = position;
      // No worker moves the playhead here: a recording mixes this frame's sound from it (audio.mixFixed).
      Atomics.store(voice.control, VOICE.playhead, Math.max(0, position));
    } else {
      // What the device plays now: the playhead less what was written ahead of it.
      this.position = Atomics.load(voice.control, VOICE.playhead) - audio.leadFrames;
    }
  }

  read(out: Float32Array, start: number, count: number, mode: ChannelMode): void {
    const samples = this.decoded!.samples;
    const frames = this.decoded!.frames;
    const volume = this.volume;
    const loop = this.loop;
    for (let i = 0; i < count; i++) {
      let frame = start + i;
      if (loop) frame = ((frame % frames) + frames) % frames;
      else if (frame < 0 || frame >= frames) {
        out[i] = 0;
        continue;
      }
      const left = samples[frame * 2]!;
      const right = samples[frame * 2 + 1]!;
      out[i] = (mode === "mono" ? (left + right) * 0.5 : mode === "left" ? left : right) * volume;
    }
  }

  /** The voice to route to the device (AudioOutput). */
  get playingVoice(): Voice | undefined {
    return this.voice;
  }

  override adopt(previous: this): void {
    this.timeOrigin = previous.timeOrigin;
    this.pausedAt = previous.pausedAt;
    this.lastTime = previous.lastTime;
    this.position = previous.position;
  }

  override dispose(): void {
    if (this.voice) audio.releaseVoice(this.voice);
    this.voice = undefined;
    if (this.decodedKey) releaseDecoded(this.decodedKey);
    this.decodedKey = undefined;
    super.dispose();
  }
}
defineOperator(AudioFile);
