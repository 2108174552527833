/**
 * What the frame thread and the audio worker (worker.ts) say to each other, and the layout of the
 * memory they share. One place, so both sides agree.
 */

/** Int32 slots of a voice's control block (a 32-byte SharedArrayBuffer); `gain` is a Float32 slot. */
export const VOICE = {
  /** Frames played so far (the worker advances it; a seek stores it). */
  playhead: 0,
  /** 1 while playing. */
  playing: 1,
  /** 1: start again at the end. */
  loop: 2,
  /** 1 when an AudioOutput routes it to the device. */
  heard: 3,
  /** Float32: the voice's volume times the output's. */
  gain: 4,
} as const;
export const VOICE_BYTES = 32;

/** Int32 slots of the stats block the worker writes. */
export const STAT = {
  /** Blocks mixed since the device opened: the audio clock. */
  blocks: 0,
  /** Blocks the device missed (late by more than the lead) plus those aplay reported. */
  underruns: 1,
  /** Mixing time / block time over the last second, in millionths. */
  dspLoadPpm: 2,
  /** 0 null sink, 1 writing to the device, 2 device lost (kept time meanwhile). */
  sinkState: 3,
} as const;
export const STAT_BYTES = 32;

/**
 * Int32 slots of a recording tap's control block (TAP_BYTES). The worker copies every mixed block
 * into the tap's ring at its absolute block number (STAT.blocks), writes the block's due time into
 * the tap's `due` ring at the same place, then publishes:
 */
export const TAP = {
  /** Blocks mixed so far, counting the one just copied (its absolute number + 1). */
  written: 0,
  /** The first block copied into the ring (-1 until the worker saw the tap). */
  firstBlock: 1,
} as const;
export const TAP_BYTES = 8;

export type ToWorker =
  | { type: "start"; stats: SharedArrayBuffer; outputDevice: string | null; leadBlocks: number }
  | { type: "voice"; id: number; samples: SharedArrayBuffer; frames: number; control: SharedArrayBuffer }
  | { type: "voice-end"; id: number }
  | { type: "capture"; id: number; device: string; ring: SharedArrayBuffer; position: SharedArrayBuffer }
  | { type: "capture-end"; id: number }
  | { type: "tap"; ring: SharedArrayBuffer; due: SharedArrayBuffer; control: SharedArrayBuffer }
  | { type: "close" };

export type FromWorker =
  | { type: "output-lost"; device: string; reason: string }
  | { type: "output-back"; device: string }
  | { type: "capture-lost"; id: number; device: string; reason: string }
  | { type: "capture-back"; id: number; device: string }
  | { type: "closed" };
