// Kaleidoscope — symmetry and animation (port of the original's 2d-effects/kaleidoscope).
// Noise → Transform (slow turn, breathing scale) → Mirror (kaleidoscope, 8 turning wedges) →
// HSV (hue) → Bloom (glow) → ChromaticAberration (radial colour fringes).
// Two changes from the original: Noise is grey, so HSV had no colour to shift there; here the noise
// is first tinted by a rainbow Ramp (Composite, multiply). And its chromatic.amount = 0.3 was three
// times its own slider's maximum (0–0.1); 0.02 here.
//
// Mouse: X shifts the hue, Y sets the bloom intensity.
// Keys: F toggles fullscreen; hold 3–9 or 0 (= 10) for that many wedges.
import { Bloom, ChromaticAberration, Composite, HSV, Mirror, Noise, Ramp, Transform, type Context } from "vivid";

export function setup(ctx: Context) {
  const chain = ctx.chain;
  const noise = chain.add(Noise, "noise").resolution(1280, 720);
  noise.type = "simplex";
  noise.scale = 2.5;
  noise.speed = 0.4;
  noise.octaves = 4;
  noise.lacunarity = 2.2;
  noise.persistence = 0.55;

  const rainbow = chain.add(Ramp, "rainbow").resolution(1280, 720);
  rainbow.type = "radial";
  rainbow.hueSpeed = 0.05;
  rainbow.saturation = 0.8;
  const tinted = chain.add(Composite, "tinted").inputA("noise").inputB("rainbow");
  tinted.mode = "multiply";

  chain.add(Transform, "transform").input("tinted");

  const mirror = chain.add(Mirror, "mirror").input("transform");
  mirror.mode = "kaleidoscope";
  mirror.segments = 8;

  const hsv = chain.add(HSV, "hsv").input("mirror");
  hsv.saturation = 0.7;
  hsv.value = 1.6;

  const bloom = chain.add(Bloom, "bloom").input("hsv");
  bloom.threshold = 0.5;
  bloom.intensity = 0.6;
  bloom.radius = 8;
  bloom.passes = 2;

  const chromatic = chain.add(ChromaticAberration, "chromatic").input("bloom");
  chromatic.amount = 0.02;
  chromatic.radial = true;

  chain.output("chromatic");
}

export function update(ctx: Context) {
  const { chain, time } = ctx;
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;

  chain.get("noise", Noise).offset = [time * 0.3, time * 0.2, 0];
  const transform = chain.get("transform", Transform);
  transform.rotation = (time * 0.2) % 6.28;
  const s = 1 + 0.1 * Math.sin(time * 0.5);
  transform.scale = [s, s];

  const mirror = chain.get("mirror", Mirror);
  mirror.angle = (time * 0.1) % 6.28;
  for (let i = 3; i <= 10; i++) if (ctx.key(String(i % 10)).held) mirror.segments = i;

  chain.get("hsv", HSV).hueShift = ctx.mouseNorm.x * 0.5 + 0.5;
  chain.get("bloom", Bloom).intensity = 0.2 + (ctx.mouseNorm.y * 0.5 + 0.5) * 0.8;
  ctx.debug("segments", mirror.segments);
}
