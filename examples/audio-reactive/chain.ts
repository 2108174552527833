// Audio-reactive — sound drives the picture (the original's audio-reactive fixture).
// An AudioFile plays a 100 BPM beat (generated beside this file on the first run: beat-100bpm.wav),
// heard through an AudioOutput (a null sink that keeps time when the machine has no sound card).
// Levels drives the disc's size and colour; BeatDetect throws a ring out on each beat; Bloom glows.
// The dashboard (and --stats) shows bpm, the beats counted and the level in dBFS.
//
// `bun vivid examples/audio-reactive --headless --fixed-fps 30 --frames 300 --stats s.jsonl` renders
// it deterministically: the file is read at frame / 30 seconds, with no device.
// Keys: Space pauses and resumes the music; F toggles fullscreen.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AudioFile, AudioOutput, BeatDetect, Bloom, Composite, Levels, Shape, clickTrack, encodeWav, type Context } from "vivid";

const TRACK = join(import.meta.dir, "beat-100bpm.wav");

export function setup(ctx: Context) {
  // 20 beats at 100 BPM is 12 s: the loop comes round on the beat.
  if (!existsSync(TRACK)) writeFileSync(TRACK, encodeWav(clickTrack({ bpm: 100, seconds: 12 })));

  const music = ctx.chain.add(AudioFile, "music");
  music.file = TRACK;
  music.loop = true;
  ctx.chain.add(AudioOutput, "speakers").input("music");
  ctx.chain.audioOutput("speakers");

  const levels = ctx.chain.add(Levels, "levels").input("music");
  levels.smoothing = 0.6;
  const beat = ctx.chain.add(BeatDetect, "beat").input("music");

  const disc = ctx.chain.add(Shape, "disc").resolution(ctx.width, ctx.height);
  disc.type = "circle";
  disc.softness = 0.02;
  disc.bindDirect("size", () => [0.12 + 0.9 * levels.rms, 0.12 + 0.9 * levels.rms]);
  disc.bindDirect("color", () => [0.25 + 2 * levels.rms, 0.35, 1 - 1.2 * levels.rms, 1]);

  const ring = ctx.chain.add(Shape, "ring").resolution(ctx.width, ctx.height);
  ring.type = "ring";
  ring.thickness = 0.03;
  // The ring grows from the disc for a second after each beat, and fades with the beat's intensity.
  ring.bindDirect("size", () => [0.2 + 1.4 * Math.min(beat.timeSinceBeat, 1), 0.2 + 1.4 * Math.min(beat.timeSinceBeat, 1)]);
  ring.bindDirect("color", () => [beat.intensity, beat.intensity, beat.intensity, 1]);

  const both = ctx.chain.add(Composite, "both").input("disc", 0).input("ring", 1);
  both.mode = "add";
  const glow = ctx.chain.add(Bloom, "glow").input("both");
  glow.threshold = 0.4;
  glow.intensity = 1.5;
  ctx.chain.output("glow");
}

export function update(ctx: Context) {
  const music = ctx.chain.get("music", AudioFile);
  const beat = ctx.chain.get("beat", BeatDetect);
  const levels = ctx.chain.get("levels", Levels);
  if (ctx.key("Space").pressed) {
    if (music.playing) music.pause();
    else music.play();
  }
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  ctx.debug("bpm", beat.bpm);
  ctx.debug("beats", beat.count);
  ctx.debug("level dBFS", levels.rmsDb);
  ctx.debug("music s", music.currentTime);
}
