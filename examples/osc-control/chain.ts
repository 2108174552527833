// OSC control — play the chain from TouchOSC, Max, Pure Data or any OSC sender (the original's
// network/osc-control: receive on UDP 8000, send on 9000).
//
// Every param is reachable with no wiring code: `/<operator>/<param> <value…>` sets it at the next
// frame (auto-mapping), clamped to its range, e.g. `/noise/scale 9`, `/noise/offset 1 2 0`,
// `/hsv/hueShift 0.3`, `/noise/type "worley"`. `/vivid/param "/noise/scale"` answers with the value,
// `/vivid/snapshot` writes a PNG and answers its path, `/vivid/reload` reloads.
// TouchOSC's first page drives the picture too: /1/fader1 the hue, /1/fader2 the saturation (through a
// binding), /1/toggle1 bypasses the colour. Every half second the chain sends /vivid/scale and
// /vivid/time to 127.0.0.1:9000, for a label on the controller.
//
// OscIn listens on 127.0.0.1 only; for a phone or tablet on the network, add .host("0.0.0.0") below.
//
// Try it without a controller (in another terminal):
//   bun examples/osc-control/send.ts /noise/scale 9
//   bun examples/osc-control/send.ts /vivid/param /noise/scale
//   bun examples/osc-control/send.ts --listen 9000        (what the chain sends)
import { HSV, Noise, OscIn, OscOut, type Context } from "vivid";

let out: OscOut;
let noise: Noise;

export function setup(ctx: Context) {
  const osc = ctx.chain.add(OscIn, "osc").port(8000);
  out = ctx.chain.add(OscOut, "out").host("127.0.0.1").port(9000);

  noise = ctx.chain.add(Noise, "noise").resolution(1280, 720);
  noise.scale = 4;
  noise.speed = 0.3;
  noise.octaves = 5;

  const hsv = ctx.chain.add(HSV, "hsv").input("noise");
  hsv.hueShift = 0.55;
  // A binding maps the fader's 0..1 onto 0..2; before the fader moves, 0.5 of the way.
  hsv.bind("saturation", () => (osc.has("/1/fader2") ? osc.value("/1/fader2") : 0.5), 0, 2);
  osc.onMessage("/1/fader1", ([value]) => {
    if (typeof value === "number") hsv.hueShift = value;
  });
  osc.onMessage("/1/toggle1", ([on]) => {
    hsv.bypass = on === true || on === 1;
  });

  ctx.chain.output("hsv");
}

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  if (ctx.frame % 30 === 0) {
    out.send("/vivid/scale", noise.scale);
    out.send("/vivid/time", ctx.time);
  }
}
