// Noise, coloured: fractal noise multiplied by a colour gradient, then brightened (the
// original's hello-noise, a step further). Change a number and save: the next frame shows it.
//
// Run it:            bun vivid
// Look at a frame:   bun vivid --headless --frames 30 --snapshot frame.png
// What exists:       bun vivid operators Noise  (its params, ranges and defaults)
//
// Keys: F toggles fullscreen; moving the mouse left and right moves through the noise.
import { Composite, Gradient, HSV, Noise, type Context } from "vivid";

export function setup(ctx: Context) {
  const noise = ctx.chain.add(Noise, "noise");
  noise.type = "simplex"; // perlin | simplex | worley | value
  noise.scale = 5;
  noise.speed = 0.4; // > 0: the noise moves with time, so it cooks every frame
  noise.octaves = 5;
  noise.persistence = 0.55;

  // A diagonal gradient from teal to magenta (colours are RGBA, 0..1).
  const colours = ctx.chain.add(Gradient, "colours");
  colours.angle = 0.6;
  colours.colorA = [0.1, 0.8, 0.9, 1];
  colours.colorB = [0.9, 0.2, 0.8, 1];

  // Inputs are connected by name; multiply tints the grey noise with the gradient.
  const tinted = ctx.chain.add(Composite, "tinted").input("noise", 0).input("colours", 1);
  tinted.mode = "multiply";

  // Filters render at their input's size: here, brighter.
  const grade = ctx.chain.add(HSV, "grade").input("tinted");
  grade.value = 1.6;

  ctx.chain.output("grade");
}

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  // mouseNorm is -1..1 in each axis (y up); 0 until the mouse moves.
  ctx.chain.get("noise", Noise).offset = [ctx.mouseNorm.x * 3, 0, 0];
}
