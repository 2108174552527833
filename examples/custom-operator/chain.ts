// Custom Operator — a shader-only operator of the project's own: rings.ts declares its params once,
// rings.wgsl draws it (docs/wgsl-operator.md walks through both). Save either file while it runs:
// a change to rings.wgsl recompiles that one pass; a WGSL error is shown at its line, and the last good
// frame stays on screen.
//
// Keys: F toggles fullscreen; the mouse moves the rings' centre.
import { Vignette, type Context } from "vivid";
import { Rings } from "./rings.ts";

export function setup(ctx: Context) {
  const rings = ctx.chain.add(Rings, "rings");
  rings.frequency = 8;
  rings.speed = 0.5;
  // A user operator is an operator like the others: filters take it as input.
  ctx.chain.add(Vignette, "vignette").input("rings").intensity = 0.2;
  ctx.chain.output("vignette");
}

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  const { x, y } = ctx.mouseNorm;
  ctx.chain.get("rings", Rings).center = [0.5 + x * 0.5, 0.5 - y * 0.5];
}
