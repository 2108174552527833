// A new Vivid project. `setup` builds the chain once (and again on every save: the chain hot-reloads,
// operators that keep their name keep their state); `update` runs every frame.
//
// Run it:            bun vivid                 (a window; edit this file and save to see the change)
// Look at a frame:   bun vivid --headless --frames 30 --snapshot frame.png
// What exists:       bun vivid operators       (every operator and its params; --json for tools)
//
// Keys: F toggles fullscreen, R reloads, Esc quits.
import { Gradient, Shape, Composite, type Context } from "vivid";

export function setup(ctx: Context) {
  // A generator renders at its own resolution (default 1280x720): here a dark blue radial gradient.
  const background = ctx.chain.add(Gradient, "background");
  background.mode = "radial";
  background.colorA = [0.15, 0.2, 0.45, 1];
  background.colorB = [0.02, 0.02, 0.06, 1];

  // A soft circle; its size is set every frame in update().
  const circle = ctx.chain.add(Shape, "circle");
  circle.type = "circle";
  circle.size = [0.35, 0.35];
  circle.softness = 0.05;
  circle.color = [1, 0.75, 0.3, 1];

  // Inputs are connected by name: input 0 is the background, input 1 is drawn over it.
  ctx.chain.add(Composite, "scene").input("background", 0).input("circle", 1);

  // The one texture that goes to the screen (and to --snapshot).
  ctx.chain.output("scene");
}

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  // Params are plain properties; changing one is a uniform write, never a recompile.
  const breathe = 0.3 + 0.05 * Math.sin(ctx.time * 2);
  ctx.chain.get("circle", Shape).size = [breathe, breathe];
  ctx.debug("fps", ctx.dt > 0 ? 1 / ctx.dt : 0);
}
