import { Operator, defineOperator, type CookContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { float } from "../../runtime/chain/params.ts";
import { VOICE } from "../../runtime/audio/protocol.ts";
import type { Voice } from "../../runtime/audio/system.ts";
import { AudioSource, audioInput, isVoiceSource } from "./source.ts";

/**
 * What is heard: routes its input (an AudioFile, or a VideoPlayer's soundtrack) to the output device
 * through the audio worker, at `volume`. Designate it with `ctx.chain.audioOutput("name")` as in the original; a chain with
 * one AudioOutput hears that one without the call. Without a sound card the worker plays to a null
 * sink that keeps time (one line says so). The device stays open across reloads; a reload that keeps
 * this operator keeps the sound going without a gap (both chains hold the route while they overlap).
 *
 * Params as the original's AudioOutput (`volume` 0..2). Its device choice and buffer size are not
 * here: the worker opens ALSA's default device with a 64 ms lead. Its recording tap is `--record` /
 * Shift+R: a recording of a chain with an AudioOutput carries what it plays (runtime/record/audio-feed.ts).
 */
export class AudioOutput extends Operator {
  static override readonly outputKind: OutputKind = "audio";
  static override readonly description = "What is heard: plays its input (an AudioFile, or a VideoPlayer's sound) on the output device";
  static override readonly params = {
    volume: float(1, 0, 2),
  };

  declare volume: number;
  /** Set by the chain: this is the chain's audio output (chain.audioOutput, or the only one). */
  audible = false;
  private routed?: Voice;

  init(): void {
    const input = this.inputs[0];
    // A VideoPlayer: its soundtrack is decoded in its preload only because this asks for it.
    if (isVoiceSource(input) && !(input instanceof AudioSource)) input.wantsSound = true;
    else audioInput(this);
  }

  override isTimeDependent(): boolean {
    return true;
  }

  cook(_ctx: CookContext): void {
    const source = this.inputs[0];
    const voice = this.audible && isVoiceSource(source) ? source.playingVoice : undefined;
    if (voice !== this.routed) {
      this.unroute();
      if (voice) Atomics.add(voice.control, VOICE.heard, 1);
      this.routed = voice;
    }
    if (voice && isVoiceSource(source)) voice.gains[VOICE.gain] = source.volume * this.volume;
  }

  private unroute(): void {
    if (this.routed) Atomics.sub(this.routed.control, VOICE.heard, 1);
    this.routed = undefined;
  }

  override dispose(): void {
    this.unroute();
    super.dispose();
  }
}
defineOperator(AudioOutput);
