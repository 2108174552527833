// MIDI control — play the chain from a MIDI controller, or from a MIDI file when there is none.
//
// Controllers are mapped to params by name (`ctx.midi.map(cc, "op.param", min?, max?)`; without
// min..max, the param's declared range): the mod wheel (CC 1) sets the noise's scale, CC 74 (a
// synth's cutoff knob) the hue, CC 7 (volume) the brightness. A note's velocity flashes the colour.
// The first MIDI port of the machine is opened (`MidiIn.ports()` lists them; open one by name,
// `midi.open("Launchpad")`, or a device path). A machine without MIDI says so once and runs on.
//
// pattern.mid (eight notes and a CC 74 sweep, 2 s) plays in a loop against the chain's clock, so
// the example moves without a controller; under --fixed-fps it gives the same frames every run.
// Run with `--midi-learn` to map a controller by moving it: type a param (noise.speed), move a knob.
//
// Keys: F toggles fullscreen.
import { join } from "node:path";
import { HSV, MidiFilePlayer, MidiIn, Noise, type Context } from "vivid";

let midi: MidiIn;
let player: MidiFilePlayer;
let hsv: HSV;
let flash = 0;

export function setup(ctx: Context) {
  midi = ctx.chain.add(MidiIn, "midi").open(0);
  player = ctx.chain.add(MidiFilePlayer, "player").load(join(import.meta.dir, "pattern.mid"));
  player.loop = true;

  const noise = ctx.chain.add(Noise, "noise").resolution(1280, 720);
  noise.speed = 0.2;
  hsv = ctx.chain.add(HSV, "hsv").input("noise");
  hsv.hueShift = 0.6;

  ctx.midi.map(1, "noise.scale", 2, 15);
  ctx.midi.map(74, "hsv.hueShift");
  ctx.midi.map(7, "hsv.value", 0, 2);
  ctx.chain.output("hsv");
}

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  // A note from the controller or the file flashes the colour by its velocity; it fades in ~0.3 s.
  if (midi.noteOn()) flash = midi.velocity();
  if (player.noteOn()) flash = player.velocity();
  flash = Math.max(0, flash - ctx.dt * 3);
  hsv.saturation = 1 + 2 * flash;
  // Without a controller, the file's CC 74 sweeps the hue.
  if (!midi.isOpen) hsv.hueShift = player.cc(74);
  ctx.debug("note", player.note());
}
