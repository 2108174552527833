// Hello Noise — the basic Noise → output chain (port of the original's 02-hello-noise).
// Generators such as Noise, Gradient and SolidColor render at their declared resolution
// (1280×720 unless set); the window scales the output to fit.
//
// Keys: F toggles fullscreen.
import { Noise, type Context } from "vivid";

export function setup(ctx: Context) {
  const noise = ctx.chain.add(Noise, "noise");
  noise.resolution(1920, 1080);
  noise.scale = 13.3;
  noise.speed = 0.5;
  noise.octaves = 4;
  noise.lacunarity = 2.0;
  noise.persistence = 0.68;
  noise.offset = [35.3, 0, 0];
  ctx.chain.output("noise");
}

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  ctx.debug("time", ctx.time);
  ctx.debug("frame", ctx.frame);
  ctx.debug("fps", ctx.dt > 0 ? 1 / ctx.dt : 0);
}
