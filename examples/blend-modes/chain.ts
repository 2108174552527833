// Blend Modes — Composite's six modes, one at a time.
// A drifting noise texture and a turning ring of colour (Ramp, angular) are blended onto a soft
// gradient base by one Composite with three inputs (base, then two layers blended in order, all in
// one pass). Space steps through the modes: over, add, multiply, screen, overlay, difference; the
// current one shows in the dashboard as "mode".
//
// Mouse: X sets the layers' opacity.
// Keys: F toggles fullscreen; Space next mode; Backspace previous mode.
import { BLEND_MODES, Composite, Gradient, Noise, Ramp, type Context } from "vivid";

export function setup(ctx: Context) {
  const chain = ctx.chain;
  const base = chain.add(Gradient, "base").resolution(1280, 720);
  base.angle = 0.5;
  base.colorA = [0.1, 0.2, 0.45, 1];
  base.colorB = [0.85, 0.6, 0.35, 1];

  const noise = chain.add(Noise, "noise").resolution(1280, 720);
  noise.scale = 5;
  noise.speed = 0.3;

  const ring = chain.add(Ramp, "ring").resolution(1280, 720);
  ring.type = "angular";
  ring.hueSpeed = 0.1;
  ring.saturation = 0.9;

  const comp = chain.add(Composite, "comp").input("base", 0).input("noise", 1).input("ring", 2);
  comp.opacity = 0.6;
  chain.output("comp");
}

let modeIndex = 0;

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  if (ctx.key("Space").pressed) modeIndex = (modeIndex + 1) % BLEND_MODES.length;
  if (ctx.key("Backspace").pressed) modeIndex = (modeIndex + BLEND_MODES.length - 1) % BLEND_MODES.length;
  const comp = ctx.chain.get("comp", Composite);
  comp.mode = BLEND_MODES[modeIndex]!;
  comp.opacity = 0.2 + (ctx.mouseNorm.x * 0.5 + 0.5) * 0.8;
  ctx.debug("mode", comp.mode);
}
