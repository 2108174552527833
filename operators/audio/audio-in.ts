import { defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { bool, float, path } from "../../runtime/chain/params.ts";
import { CHANNELS } from "../../runtime/audio/format.ts";
import { audio, CAPTURE_RING_FRAMES, type Capture } from "../../runtime/audio/system.ts";
import { AudioSource, type ChannelMode } from "./source.ts";

/**
 * The system's capture device (microphone, line in): `arecord` in the audio worker writes into a ring
 * of samples that the analysers read behind its write position. Pick the device with `device`: a card
 * index ("1"), part of its name as `vivid devices` lists it ("USB"), an ALSA name ("hw:1,0"), or ""
 * for the default. A device that is missing or goes away is said once; AudioIn is then silent and the
 * worker tries it again every 2 s. A reload keeps the capture open (handed over by name and device).
 * With `--fixed-fps` it is silent: a deterministic render reads no device.
 *
 * Params as the original's AudioIn (`volume` 0..2; its setMute is `mute` here). `device` is added:
 * the original opened the default device only. It is analysed, not monitored (no AudioOutput of it).
 */
export class AudioIn extends AudioSource {
  static override readonly description = "The capture device (microphone, line in), analysed live";
  static override readonly params = {
    device: path(""),
    volume: float(1, 0, 2),
    mute: bool(false),
  };

  declare device: string;
  declare volume: number;
  declare mute: boolean;

  private capture?: Capture;

  override prepare(): void {
    this.capture = audio.acquireCapture(`${this.name}:AudioIn`, this.device);
  }

  cook(_ctx: CookContext): void {
    this.position = this.capture ? Atomics.load(this.capture.position, 0) : 0;
  }

  read(out: Float32Array, start: number, count: number, mode: ChannelMode): void {
    const ring = this.capture?.ring;
    const gain = this.mute ? 0 : this.volume;
    for (let i = 0; i < count; i++) {
      if (!ring) {
        out[i] = 0;
        continue;
      }
      const slot = ((((start + i) % CAPTURE_RING_FRAMES) + CAPTURE_RING_FRAMES) % CAPTURE_RING_FRAMES) * CHANNELS;
      const left = ring[slot]!;
      const right = ring[slot + 1]!;
      out[i] = (mode === "mono" ? (left + right) * 0.5 : mode === "left" ? left : right) * gain;
    }
  }

  override dispose(): void {
    if (this.capture) audio.releaseCapture(this.capture);
    this.capture = undefined;
    super.dispose();
  }
}
defineOperator(AudioIn);
