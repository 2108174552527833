#!/usr/bin/env bun
/**
 * `bun bench/window-frames.ts [frames=1000]` (needs a display; `xvfb-run -a` or DISPLAY=:N):
 * a 64×64 noise chain in a real window for N frames — window poll, update, cook, display pass,
 * present — and the RSS after warm-up (frame max(200, N/3)) and at the end, plus the census. It prints numbers;
 * the window tests assert the census, not timing.
 */
import { Engine } from "../runtime/engine.ts";
import { DisplayPass } from "../runtime/gpu/display.ts";
import { Gpu } from "../runtime/gpu/gpu.ts";
import { createSurface } from "../runtime/gpu/surface.ts";
import { openWindow } from "../runtime/window/window.ts";
import { Noise } from "../operators/2d/noise.ts";
import type { Context } from "../runtime/chain/context.ts";

const frames = Number(process.argv[2] ?? 1000);
const gpu = await Gpu.open();
const win = openWindow({ width: 64, height: 64, title: "window-frames", vsync: false });
if ("error" in win) throw new Error(`no window: ${win.error} (run under xvfb-run -a, or set DISPLAY)`);
const surface = createSurface(gpu.device, win.nativeHandles(), gpu.census);
surface.configure(64, 64, "immediate");
const display = new DisplayPass(gpu, surface.format);
const engine = new Engine(gpu, { projectDir: import.meta.dir, chainFile: import.meta.path, width: 64, height: 64 });
const module = { setup: (ctx: Context) => { ctx.chain.add(Noise, "noise").resolution(64, 64); ctx.chain.output("noise"); } };
const built = await engine.build(module);
if (!built.ok) throw new Error(built.error.message);
engine.swap(built.chain, module);
const mb = () => process.memoryUsage.rss() / 1048576;
let warm = 0;
const warmAt = Math.max(200, Math.floor(frames / 3));
for (let i = 1; i <= frames; i++) {
  win.pollEvents();
  const target = surface.acquire();
  engine.frame(performance.now(), target ? (f, out) => display.draw(f, out, target.view, [64, 64]) : undefined);
  if (target) surface.present();
  win.input.endFrame();
  if (i % 50 === 0) await gpu.idle();
  else await new Promise((r) => setImmediate(r));
  if (i === warmAt) {
    Bun.gc(true);
    warm = mb();
  }
}
await gpu.idle();
Bun.gc(true);
const end = mb();
const perFrame = gpu.census.snapshot();
engine.dispose();
display.dispose();
await surface.destroy();
win.destroy();
console.log(JSON.stringify({ frames, rssWarmMB: Number(warm.toFixed(1)), rssEndMB: Number(end.toFixed(1)), growthMB: Number((end - warm).toFixed(2)), surfaceTextures: perFrame.kinds.surfaceTexture, liveAfterTeardown: gpu.census.live() }));
gpu.destroy();
