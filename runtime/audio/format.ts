/**
 * The one audio format inside Vivid, as the original's (AUDIO_SAMPLE_RATE, AUDIO_CHANNELS,
 * AUDIO_BLOCK_SIZE): every file is decoded to it and every device is opened at it.
 */
export const SAMPLE_RATE = 48000;
export const CHANNELS = 2;
/** Frames per block the output worker mixes and writes (21.3 ms at 48 kHz). */
export const BLOCK_FRAMES = 1024;
