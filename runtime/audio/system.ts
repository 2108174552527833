/**
 * The process's audio: the clock mode, the voices (files being played) and captures (input devices)
 * handed out by name like the GPU pools, and the audio worker that owns the device. It lives for the
 * whole process, as the GPU does, so a reload never closes or reopens the device: operators acquire
 * their voice or capture in `preload`/`init` and release it in `dispose`, and the new chain's
 * operator of the same name gets the same one back (holders 1 → 2 → 1), playhead and all.
 *
 * Two clocks:
 * - deterministic (`--fixed-fps F`): no device, no worker; an AudioFile is read at frame / F
 *   seconds exactly, so a render is the same every time;
 * - live: the worker's block clock. What the analysers read is what the device is playing now
 *   (the playhead less the blocks written ahead of it).
 */
import { listDevices, resolveDevice } from "./devices.ts";
import type { DecodedAudio } from "./decode.ts";
import { BLOCK_FRAMES, CHANNELS, SAMPLE_RATE } from "./format.ts";
import { mixVoice } from "./mix.ts";
import { STAT, STAT_BYTES, TAP, TAP_BYTES, VOICE, VOICE_BYTES, type FromWorker, type ToWorker } from "./protocol.ts";

/** Blocks written to a real device ahead of the clock (~64 ms): what it has in hand against a late wake-up. */
const LEAD_BLOCKS = 3;
/** Frames a capture ring holds (1.4 s at 48 kHz): more than the largest FFT. */
export const CAPTURE_RING_FRAMES = 65536;

export interface Voice {
  readonly id: number;
  readonly key: string;
  readonly decoded: DecodedAudio;
  /** VOICE slots, shared with the worker. */
  readonly control: Int32Array;
  readonly gains: Float32Array;
  holders: number;
}

export interface Capture {
  readonly id: number;
  readonly key: string;
  /** The ALSA name it was opened with. */
  readonly device: string;
  readonly ring: Float32Array;
  /** [0]: frames written so far (mod 2^31), published after the samples. */
  readonly position: Int32Array;
  holders: number;
}

/** Blocks the recording tap's ring holds (2.7 s at 48 kHz, 1 MB): a recording drained less often than that loses nothing. */
export const TAP_RING_BLOCKS = 128;

/**
 * A live recording's view of what the output plays (`audio.tap`): the worker's mixed blocks, by
 * their absolute block number, in a ring the recording drains off the frame.
 */
export interface RecordTap {
  readonly ring: Float32Array;
  /** When each block of the ring was due (epoch ms: performance.timeOrigin + the worker's now). */
  readonly due: Float64Array;
  /** TAP slots, shared with the worker. */
  readonly control: Int32Array;
}

/** What the stats stream says about audio once a second. */
export interface AudioStats {
  /** "null" (no device: the clock runs on its own), a device name, or "fixed" (--fixed-fps: no device at all). */
  sink: string;
  /** Times the device (the worker) was opened in this process. */
  opens: number;
  underruns: number;
  /** Mixing time / block time over the last second, 0..1. */
  dspLoad: number;
  /** Seconds of audio played since the device opened. */
  clockSeconds: number;
  /** Blocks written to the device ahead of what is heard, in ms: the output part of the audio → picture latency. */
  leadMs: number;
}

class AudioSystem {
  fixedFps?: number;
  /** Where one-line notices go (no device, a device lost or back); main.ts may redirect them. */
  say: (line: string) => void = (line) => console.log(line);
  private worker?: Worker;
  private stats?: Int32Array;
  private opens = 0;
  private sinkName = "null";
  private lead = 0;
  private nextId = 1;
  private readonly voices = new Map<string, Voice>();
  private readonly captures = new Map<string, Capture>();
  private recordTap?: RecordTap;

  /** The engine sets the clock mode once: deterministic with --fixed-fps, else the device's. */
  configure(options: { fixedFps?: number }): void {
    this.fixedFps = options.fixedFps;
  }

  get deterministic(): boolean {
    return this.fixedFps !== undefined;
  }

  get deviceOpens(): number {
    return this.opens;
  }

  /** Frames the device plays behind the playhead (written ahead); 0 for the null sink. */
  get leadFrames(): number {
    return this.lead * BLOCK_FRAMES;
  }

  /** Opens the device (starts the worker) if it is not open yet; live mode only. */
  private ensureOpen(): void {
    if (this.worker || this.deterministic) return;
    const forced = process.env.VIVID_AUDIO_DEVICE;
    let outputDevice: string | null;
    if (forced !== undefined && forced !== "") {
      outputDevice = forced === "none" ? null : forced;
    } else {
      const devices = listDevices();
      outputDevice = devices.outputs.length > 0 ? "default" : null;
      if (outputDevice === null) this.say(`vivid: audio: ${devices.note ?? "no output device"}; playing to a null sink that keeps time`);
    }
    this.sinkName = outputDevice ?? "null";
    this.lead = outputDevice === null ? 0 : LEAD_BLOCKS;
    const stats = new SharedArrayBuffer(STAT_BYTES);
    this.stats = new Int32Array(stats);
    const worker = new Worker(new URL("./worker.ts", import.meta.url).href);
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.onWorkerMessage(event.data);
    // The worker never keeps the process alive: the frame loop decides when it ends.
    (worker as Worker & { unref(): void }).unref();
    this.worker = worker;
    this.opens++;
    this.post({ type: "start", stats, outputDevice, leadBlocks: this.lead });
    const tap: RecordTap = {
      ring: new Float32Array(new SharedArrayBuffer(TAP_RING_BLOCKS * BLOCK_FRAMES * CHANNELS * 4)),
      due: new Float64Array(new SharedArrayBuffer(TAP_RING_BLOCKS * 8)),
      control: new Int32Array(new SharedArrayBuffer(TAP_BYTES)),
    };
    Atomics.store(tap.control, TAP.firstBlock, -1);
    this.recordTap = tap;
    this.post({ type: "tap", ring: tap.ring.buffer as SharedArrayBuffer, due: tap.due.buffer as SharedArrayBuffer, control: tap.control.buffer as SharedArrayBuffer });
    for (const voice of this.voices.values()) this.postVoice(voice);
    for (const capture of this.captures.values()) this.post({ type: "capture", id: capture.id, device: capture.device, ring: capture.ring.buffer as SharedArrayBuffer, position: capture.position.buffer as SharedArrayBuffer });
  }

  private onWorkerMessage(message: FromWorker): void {
    switch (message.type) {
      case "output-lost":
        this.say(`vivid: audio: output ${message.device} lost (${message.reason}); keeping time, reconnecting`);
        break;
      case "output-back":
        this.say(`vivid: audio: output ${message.device} is back`);
        break;
      case "capture-lost":
        this.say(`vivid: audio: input ${message.device} unavailable (${message.reason}); AudioIn is silent until it is back`);
        break;
      case "capture-back":
        this.say(`vivid: audio: input ${message.device} is back`);
        break;
      case "closed":
        break;
    }
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private postVoice(voice: Voice): void {
    this.post({ type: "voice", id: voice.id, samples: voice.decoded.samples.buffer as SharedArrayBuffer, frames: voice.decoded.frames, control: voice.control.buffer as SharedArrayBuffer });
  }

  /**
   * The voice called `key` (an operator's name, type and file) playing `decoded`: the same one a
   * previous holder had, with its playhead, or a new one that starts playing at 0.
   */
  acquireVoice(key: string, decoded: DecodedAudio): Voice {
    let voice = this.voices.get(key);
    if (!voice || voice.decoded !== decoded) {
      if (voice) this.endVoice(voice);
      const control = new SharedArrayBuffer(VOICE_BYTES);
      voice = { id: this.nextId++, key, decoded, control: new Int32Array(control), gains: new Float32Array(control), holders: 0 };
      Atomics.store(voice.control, VOICE.playing, 1);
      voice.gains[VOICE.gain] = 1;
      this.voices.set(key, voice);
      this.ensureOpen();
      this.postVoice(voice);
    }
    voice.holders++;
    return voice;
  }

  releaseVoice(voice: Voice): void {
    if (--voice.holders > 0) return;
    this.endVoice(voice);
  }

  private endVoice(voice: Voice): void {
    if (this.voices.get(voice.key) === voice) this.voices.delete(voice.key);
    this.post({ type: "voice-end", id: voice.id });
  }

  /** The capture called `key` on `pick` (a card index, part of a name, or an ALSA name; "" the default). */
  acquireCapture(key: string, pick: string): Capture {
    let capture = this.captures.get(key);
    const device = this.deterministic ? "" : resolveDevice(pick, listDevices().inputs);
    if (!capture || capture.device !== device) {
      if (capture) this.endCapture(capture);
      capture = { id: this.nextId++, key, device, ring: new Float32Array(new SharedArrayBuffer(CAPTURE_RING_FRAMES * CHANNELS * 4)), position: new Int32Array(new SharedArrayBuffer(4)), holders: 0 };
      this.captures.set(key, capture);
      if (this.deterministic) {
        this.say(`vivid: audio: AudioIn is silent with --fixed-fps (a deterministic render reads no device)`);
      } else {
        this.ensureOpen();
        this.post({ type: "capture", id: capture.id, device, ring: capture.ring.buffer as SharedArrayBuffer, position: capture.position.buffer as SharedArrayBuffer });
      }
    }
    capture.holders++;
    return capture;
  }

  releaseCapture(capture: Capture): void {
    if (--capture.holders > 0) return;
    this.endCapture(capture);
  }

  private endCapture(capture: Capture): void {
    if (this.captures.get(capture.key) === capture) this.captures.delete(capture.key);
    this.post({ type: "capture-end", id: capture.id });
  }

  /**
   * Deterministic time (no worker): adds what the output plays over the next `count` frames into
   * `out` (interleaved stereo, zeroed by the caller), each heard voice from the playhead its
   * AudioFile set in this frame's cook, with the worker's own mixing (mix.ts). A recording calls it
   * once per frame, after the cook, for the frame's [n / F, (n + 1) / F) of samples.
   */
  mixFixed(out: Float32Array, count: number): void {
    for (const voice of this.voices.values()) {
      const control = voice.control;
      if (Atomics.load(control, VOICE.playing) === 0 || Atomics.load(control, VOICE.heard) === 0) continue;
      const loop = Atomics.load(control, VOICE.loop) !== 0;
      mixVoice(out, voice.decoded.samples, voice.decoded.frames, Atomics.load(control, VOICE.playhead), count, loop, voice.gains[VOICE.gain]!, true);
    }
  }

  /**
   * Live time: the worker's tap, a copy of every block it mixes for the output, kept while the
   * worker runs (one copy of 1024 frames a block, 0.24 µs measured), so a recording that starts now also has
   * the blocks a device is still to play. undefined without a worker (deterministic time, or no
   * audio in this process).
   */
  get tap(): RecordTap | undefined {
    return this.worker ? this.recordTap : undefined;
  }

  /**
   * Which frame of the output's mixed stream is heard at wall time `epochMs` (performance.timeOrigin
   * + now), fractional: the last block mixed, plus the time since it was due at 48 kHz, less the
   * blocks a device has in hand (the lead). NaN before the worker has mixed into the tap.
   */
  heardFrameAt(tap: RecordTap, epochMs: number): number {
    const written = Atomics.load(tap.control, TAP.written);
    if (written === 0) return Number.NaN;
    // Back from the last block's due time the clock is extrapolated; ahead of it, at most one block
    // (the worker is late: the next block is not mixed yet).
    const since = Math.min(BLOCK_FRAMES, ((epochMs - tap.due[(written - 1) % TAP_RING_BLOCKS]!) * SAMPLE_RATE) / 1000);
    return (written - 1) * BLOCK_FRAMES + since - this.leadFrames;
  }

  /** Live voices and captures (tests: 0 after teardown). */
  get live(): number {
    return this.voices.size + this.captures.size;
  }

  snapshot(): AudioStats {
    const stats = this.stats;
    const sink = this.deterministic ? "fixed" : this.worker ? (stats && Atomics.load(stats, STAT.sinkState) === 2 ? `${this.sinkName} (lost)` : this.sinkName) : "closed";
    return {
      sink,
      opens: this.opens,
      underruns: stats ? Atomics.load(stats, STAT.underruns) : 0,
      dspLoad: stats ? Atomics.load(stats, STAT.dspLoadPpm) / 1e6 : 0,
      clockSeconds: stats ? (Atomics.load(stats, STAT.blocks) * BLOCK_FRAMES) / SAMPLE_RATE : 0,
      leadMs: (this.lead * BLOCK_FRAMES * 1000) / SAMPLE_RATE,
    };
  }

  /** Whether anything audio was ever used in this process (so the stats stream only then carries audio). */
  get used(): boolean {
    return this.opens > 0 || this.deterministic && this.voices.size + this.captures.size > 0;
  }

  /** Closes the device (the worker) at exit. A later acquire opens it again (counted). */
  close(): void {
    const worker = this.worker;
    if (!worker) return;
    this.post({ type: "close" });
    this.worker = undefined;
    this.stats = undefined;
    // Give it a moment to end its subprocesses, then stop it.
    setTimeout(() => worker.terminate(), 100).unref?.();
  }
}

/** The one audio system of the process. */
export const audio = new AudioSystem();
