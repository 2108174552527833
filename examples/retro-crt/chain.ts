// Retro CRT — a low-resolution, dithered picture on a curved tube (port of the original's
// 2d-effects/retro-crt).
// Shape (a pulsing, turning star) over a dark radial gradient (Composite, add) → HSV (hue cycling)
// → Downsample (320×240, nearest) → Dither (Bayer 4×4, 16 levels) → Scanlines → CRTEffect.
// The original's crt.chromatic = 0.3 (up to 0.5 from the mouse) was beyond its own slider's 0–0.1
// (its shader scaled it down by 100); CRTEffect's chromatic is 10× stronger here, so the mouse maps
// onto the slider's 0–0.1 and 0.03 gives about the original example's fringe.
//
// Mouse: X sets the curvature (0–0.3), Y the colour fringing (0–0.1).
// Keys: F toggles fullscreen; 1, 2, 3 pick the Bayer 2×2, 4×4, 8×8 pattern; L toggles linear filtering.
import { Composite, CRTEffect, Dither, Downsample, Gradient, HSV, Scanlines, Shape, type Context } from "vivid";

export function setup(ctx: Context) {
  const chain = ctx.chain;
  const star = chain.add(Shape, "star").resolution(1280, 720);
  star.type = "star";
  star.sides = 5;
  star.size = [0.4, 0.4];
  star.softness = 0.01;
  // Yellow rather than the original's white, so the hue cycling shows on the star too.
  star.color = [1, 0.85, 0.3, 1];

  const background = chain.add(Gradient, "background").resolution(1280, 720);
  background.mode = "radial";
  background.colorA = [0x1a / 255, 0, 0x33 / 255, 1];
  background.colorB = [0, 0, 0x0d / 255, 1];

  const comp = chain.add(Composite, "comp").inputA("background").inputB("star");
  comp.mode = "add";

  chain.add(HSV, "hsv").input("comp");

  const downsample = chain.add(Downsample, "downsample").input("hsv");
  downsample.targetW = 320;
  downsample.targetH = 240;
  downsample.filter = "nearest";

  const dither = chain.add(Dither, "dither").input("downsample");
  dither.pattern = "bayer4x4";
  dither.levels = 16;
  dither.strength = 0.8;

  const scanlines = chain.add(Scanlines, "scanlines").input("dither");
  scanlines.spacing = 3;
  scanlines.thickness = 0.4;
  scanlines.intensity = 0.25;

  const crt = chain.add(CRTEffect, "crt").input("scanlines");
  crt.curvature = 0.15;
  crt.vignette = 0.4;
  crt.scanlines = 0.1;
  crt.bloom = 0.15;
  crt.chromatic = 0.03;

  chain.output("crt");
}

export function update(ctx: Context) {
  const { chain, time } = ctx;
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;

  const star = chain.get("star", Shape);
  const pulse = 0.3 + 0.15 * Math.sin(time * 2);
  star.size = [pulse, pulse];
  star.rotation = (time * 0.5) % 6.28;
  chain.get("hsv", HSV).hueShift = (time * 0.1) % 1;

  const dither = chain.get("dither", Dither);
  if (ctx.key("1").pressed) dither.pattern = "bayer2x2";
  if (ctx.key("2").pressed) dither.pattern = "bayer4x4";
  if (ctx.key("3").pressed) dither.pattern = "bayer8x8";
  const downsample = chain.get("downsample", Downsample);
  if (ctx.key("L").pressed) downsample.filter = downsample.filter === "nearest" ? "linear" : "nearest";

  const crt = chain.get("crt", CRTEffect);
  crt.curvature = (ctx.mouseNorm.x * 0.5 + 0.5) * 0.3;
  crt.chromatic = (ctx.mouseNorm.y * 0.5 + 0.5) * 0.1;
}
