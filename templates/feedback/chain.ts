// Feedback — trails, and params driven by value operators.
// A star circles the centre; Feedback blends each frame with its previous output, zoomed and turned
// a little, so the star leaves a spiralling trail that fades. LFOs drive the star's rotation, size
// and colour through bindings (`op.bind("param", () => lfo.value, min, max)`, `op.bindDirect`).
// Edit and save while it runs: the trail survives the reload (Feedback keeps its textures).
//
// Run it:            bun vivid
// Look at a frame:   bun vivid --headless --frames 30 --snapshot frame.png --snapshot-frame 30
// What exists:       bun vivid operators Feedback  (its params, ranges and defaults)
//
// Keys: F toggles fullscreen; T toggles the trail (a Logic toggle drives Feedback's decay).
import { Feedback, LFO, Logic, Shape, type Context } from "vivid";

export function setup(ctx: Context) {
  const spin = ctx.chain.add(LFO, "spin");
  spin.frequency = 0.25;
  spin.waveform = "saw";
  const pulse = ctx.chain.add(LFO, "pulse");
  pulse.frequency = 0.7;
  const trailsOff = ctx.chain.add(Logic, "trailsOff");
  trailsOff.operation = "toggle";

  const star = ctx.chain.add(Shape, "star").resolution(1280, 720);
  star.type = "star";
  star.sides = 5;
  star.bind("rotation", () => spin.value, 0, 6.28);
  star.bindDirect("size", () => [0.12 + 0.1 * pulse.value, 0.12 + 0.1 * pulse.value]);
  star.bindDirect("color", () => [1, 0.35 + 0.6 * pulse.value, 0.9 - 0.7 * pulse.value, 1]);
  // A binding may read anything, here the clock: the star circles the centre (x scaled for 16:9).
  star.bindDirect("position", () => [0.5 + 0.28 * Math.cos(ctx.time * 1.3) * (9 / 16), 0.5 + 0.28 * Math.sin(ctx.time * 1.3)]);

  const trails = ctx.chain.add(Feedback, "trails").input("star");
  trails.mix = 0.2;
  trails.zoom = 1.015;
  trails.rotate = 0.01;
  trails.bindDirect("decay", () => (trailsOff.result ? 0 : 0.99));

  ctx.chain.output("trails");
}

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  ctx.chain.get("trailsOff", Logic).trigger(ctx.key("T").held);
}
