/**
 * Mixing one voice (a decoded file) into a block of interleaved stereo: the one piece of arithmetic
 * behind what an AudioOutput plays. The audio worker mixes with it live, and a deterministic
 * recording (`--record` / `--fixed-fps`, no worker) mixes each frame's samples with it, so the sound
 * in a recording is the signal the output plays, not a second rendition of the file.
 */

/**
 * Adds `count` frames of `samples` (interleaved stereo, `frames` long) from frame `start`, times
 * `gain`, into `out` from frame 0 when `heard` (else only the playhead moves). A looping voice wraps
 * to 0 at its end; one that does not loop stops there. Returns the playhead after the block and
 * whether the voice reached its end.
 */
export function mixVoice(out: Float32Array, samples: Float32Array, frames: number, start: number, count: number, loop: boolean, gain: number, heard: boolean): { end: number; stopped: boolean } {
  let playhead = start < 0 ? 0 : start;
  for (let i = 0; i < count; i++) {
    if (playhead >= frames) {
      if (!loop || frames === 0) return { end: playhead, stopped: true };
      playhead = 0;
    }
    if (heard) {
      out[i * 2] += samples[playhead * 2]! * gain;
      out[i * 2 + 1] += samples[playhead * 2 + 1]! * gain;
    }
    playhead++;
  }
  return { end: playhead, stopped: false };
}
