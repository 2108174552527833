// Chain Basics — operators added by name, connected by name, one output (port of the original's
// 2d-effects/chain-basics).
// A picture is distorted by drifting noise (Displace: source + map), tinted by a radial hue ramp
// (Composite, multiply) and its hue cycled by HSV. The original displaced a photo
// (assets/images/nature.jpg), which is not in this repository; here the picture is a grid of soft
// dots (Shape → Tile) over a warm gradient, so the example runs as it is. Image works the same way:
// `image.file = join(import.meta.dir, "photo.jpg")`, then `displace.source("image")`.
//
// Mouse: X sets the displacement strength, Y the tint's saturation.
// Keys: F toggles fullscreen; D toggles the displacement (bypass); V toggles vsync.
import { Composite, Displace, Gradient, HSV, Noise, Ramp, Shape, Tile, type Context } from "vivid";

export function setup(ctx: Context) {
  const chain = ctx.chain;

  const dot = chain.add(Shape, "dot").resolution(256, 256);
  dot.type = "circle";
  dot.size = [0.6, 0.6];
  dot.softness = 0.15;
  const dots = chain.add(Tile, "dots").input("dot");
  dots.repeat = [8, 4.5];

  const backdrop = chain.add(Gradient, "backdrop").resolution(1280, 720);
  backdrop.mode = "radial";
  backdrop.colorA = [0.9, 0.55, 0.2, 1];
  backdrop.colorB = [0.15, 0.05, 0.25, 1];
  const picture = chain.add(Composite, "picture").inputA("backdrop").inputB("dots");
  picture.mode = "screen";

  const noise = chain.add(Noise, "noise").resolution(1280, 720);
  noise.type = "simplex";
  noise.scale = 3;
  noise.speed = 0.3;
  noise.octaves = 3;

  const displace = chain.add(Displace, "displace").source("picture").map("noise");
  displace.strength = 0.08;

  const ramp = chain.add(Ramp, "ramp").resolution(1280, 720);
  ramp.type = "radial";
  ramp.hueSpeed = 0.1;
  ramp.hueRange = 0.3;
  ramp.saturation = 0.6;

  const tint = chain.add(Composite, "tint").inputA("displace").inputB("ramp");
  tint.mode = "multiply";

  chain.add(HSV, "hsv").input("tint");
  chain.output("hsv");
}

export function update(ctx: Context) {
  const { chain, time } = ctx;
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  if (ctx.key("V").pressed) ctx.vsync = !ctx.vsync;
  const displace = chain.get("displace", Displace);
  if (ctx.key("D").pressed) displace.bypass = !displace.bypass;

  chain.get("noise", Noise).offset = [time * 0.2, time * 0.15, 0];
  displace.strength = 0.02 + (ctx.mouseNorm.x * 0.5 + 0.5) * 0.13;
  chain.get("ramp", Ramp).saturation = 0.3 + (ctx.mouseNorm.y * 0.5 + 0.5) * 0.7;
  chain.get("hsv", HSV).hueShift = (time * 0.05) % 1;
  ctx.debug("strength", displace.strength);
}
