import { GraphError } from "../../runtime/chain/chain.ts";
import { Operator, ValueOperator, type OutputKind } from "../../runtime/chain/operator.ts";
import type { Voice } from "../../runtime/audio/system.ts";

/** Which channel(s) an analyser reads: both averaged, or one. */
export type ChannelMode = "mono" | "left" | "right";

/**
 * An operator whose output is sound (AudioFile, AudioIn): analysers read it on the frame thread.
 * `position` is "now" on the source's own timeline, in frames at 48 kHz, as of this frame's cook:
 * in a deterministic render frame / fps, live what the device is playing (or has captured) now.
 * Frames are read by absolute index, so an analyser can take exactly the frames it has not seen.
 */
export abstract class AudioSource extends Operator {
  static override readonly outputKind: OutputKind = "audio";
  /** "Now" on this source's timeline, in frames; set by its cook. */
  position = 0;

  init(): void {}

  /** Audio moves with time: a source cooks every frame (its position), and so do its analysers. */
  override isTimeDependent(): boolean {
    return true;
  }

  /** Writes frames [start, start + count) of this source into `out` (0 where there is nothing). */
  abstract read(out: Float32Array, start: number, count: number, mode: ChannelMode): void;
}

/** Input 0 of an analyser as an AudioSource, or a message naming the call to make. */
export function audioInput(op: Operator): AudioSource {
  const input = op.inputs[0];
  if (input instanceof AudioSource) return input;
  const site = op.inputSites[0] ?? op.addSite;
  if (!input) throw new GraphError(`${op.typeName} "${op.name}" needs an audio input: call ${op.name}.input("<AudioFile or AudioIn name>")`, site);
  throw new GraphError(`${op.typeName} "${op.name}": input "${input.name}" is a ${input.typeName} (${input.outputKind}), not sound: connect an AudioFile or AudioIn`, site);
}

/**
 * A value operator that analyses its audio input 0 (Levels, BandSplit, BeatDetect): init checks the
 * input is sound, and it cooks every frame, as its source does.
 */
export abstract class AudioAnalyser extends ValueOperator {
  override init(): void {
    audioInput(this);
  }

  override isTimeDependent(): boolean {
    return true;
  }
}

/**
 * An operator whose sound an AudioOutput routes to the device: a voice of the audio system at a
 * volume. AudioFile is one; VideoPlayer is one for its clip's soundtrack, which it decodes only when
 * an AudioOutput asks for it (`wantsSound`, set in the AudioOutput's init, before preload).
 */
export interface VoiceSource extends Operator {
  readonly playingVoice: Voice | undefined;
  volume: number;
  wantsSound?: boolean;
}

export function isVoiceSource(op: Operator | undefined): op is VoiceSource {
  return op !== undefined && "playingVoice" in op;
}
