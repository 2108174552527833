#!/usr/bin/env bun
/**
 * `bun bench/inspector.ts [blocks=12] [WxH=1920x1080] [--chromium]`: what an open inspector page costs
 * a frame. In one process, as runtime/main.ts runs them: the GPU, an engine on an animated chain at
 * that size (Noise → Mirror → HSV, cooked every frame), the inspector and its server on a free port,
 * and a client: by default a socket client that asks for thumbnails exactly as the page does (the
 * runtime's whole share of a page's cost), with `--chromium` the page itself in headless Chromium
 * (Debian's chromium through playwright-core; on a machine whose GPU is the CPU the browser's own
 * drawing then competes with the rasteriser too).
 *
 * Frames run in blocks of FRAMES_PER_BLOCK, alternately with the client watching and not (it sends
 * `watch_thumbnails`), so a load that drifts on a shared machine moves both alike. A frame is timed
 * from its start to the GPU finishing it (boundary → update → cook → thumbnails → submit → work done).
 * Prints the median frame time with and without, the difference, and the census in each state.
 * Numbers only.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { Engine } from "../runtime/engine.ts";
import { Gpu } from "../runtime/gpu/gpu.ts";
import { InspectorConnection } from "../runtime/inspector/client.ts";
import { Inspector } from "../runtime/inspector/inspector.ts";
import { startInspectServer } from "../runtime/inspector/server.ts";
import { StatsHub } from "../runtime/stats/hub.ts";

const FRAMES_PER_BLOCK = 4;
const args = process.argv.slice(2);
const useChromium = args.includes("--chromium");
const positional = args.filter((arg) => !arg.startsWith("--"));
const blocks = Number(positional[0] ?? 12);
const [width, height] = (positional[1] ?? "1920x1080").split("x").map(Number) as [number, number];

const dir = mkdtempSync(join(tmpdir(), "vivid-bench-inspector-"));
const chainFile = join(dir, "chain.ts");
writeFileSync(
  chainFile,
  `import { HSV, Mirror, Noise, type Context } from "vivid";
export function setup(ctx: Context) {
  const chain = ctx.chain;
  const noise = chain.add(Noise, "noise").resolution(${width}, ${height});
  noise.speed = 0.5;
  const mirror = chain.add(Mirror, "mirror").input("noise");
  mirror.mode = "kaleidoscope";
  chain.add(HSV, "hsv").input("mirror");
  chain.output("hsv");
}
`,
);

const gpu = await Gpu.open();
const engine = new Engine(gpu, { projectDir: dir, chainFile, width, height });
const hub = new StatsHub();
const inspector = new Inspector(engine, hub, { project: "bench", version: "bench", requestReload: () => {} });
const server = startInspectServer(inspector, { port: 0, host: "127.0.0.1" });
let browser: Browser | undefined;
try {
  const built = await engine.load();
  if (!built.ok) throw new Error(built.error.message);
  const client = await InspectorConnection.connect(`ws://127.0.0.1:${server.port}/ws`);
  let page: Page | undefined;
  if (useChromium) browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });

  /** One frame as main.ts draws it headless, timed until the GPU has finished it. */
  const frame = async (): Promise<number> => {
    const start = performance.now();
    inspector.boundary(start);
    const draw = inspector.wantsFrames ? (f: Parameters<Inspector["recordFrame"]>[0], output: Parameters<Inspector["recordFrame"]>[1]) => inspector.recordFrame(f, output) : undefined;
    engine.frame(start, draw);
    inspector.afterSubmit();
    hub.recordFrame(performance.now() - start, Number.NaN, start);
    await gpu.queue.onSubmittedWorkDone();
    return performance.now() - start;
  };
  const census = () => {
    const live: Record<string, number> = {};
    for (const [kind, count] of Object.entries(gpu.census.snapshot().kinds)) if (count.live) live[kind] = count.live;
    return JSON.stringify(live);
  };
  /** Turns watching on or off and runs frames until the inspector has acted on it. */
  const watch = async (on: boolean) => {
    if (useChromium) {
      if (on) {
        page = await browser!.newPage();
        await page.goto(`http://127.0.0.1:${server.port}/`);
      } else {
        await page?.close();
        page = undefined;
      }
    } else {
      client.send({ type: "watch_thumbnails", on });
    }
    for (let i = 0; i < 200 && inspector.wantsFrames !== on; i++) await frame();
    if (inspector.wantsFrames !== on) throw new Error(`the inspector did not ${on ? "start" : "stop"} watching`);
    // Two frames for the ring to fill (on) or to be given back (off).
    await frame();
    await frame();
  };

  for (let i = 0; i < 5; i++) await frame(); // warm-up: pipelines, caches
  const censusWithout = census();
  const times = { without: [] as number[], with: [] as number[] };
  let censusWith = "";
  for (let block = 0; block < blocks * 2; block++) {
    const on = block % 2 === 1;
    await watch(on);
    if (on) censusWith = census();
    for (let i = 0; i < FRAMES_PER_BLOCK; i++) (on ? times.with : times.without).push(await frame());
  }
  await watch(false);
  const censusAfter = census();
  client.close();

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const without = median(times.without);
  const withPage = median(times.with);
  const load = (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ");
  console.log(`inspector overhead, ${width}x${height}, adapter ${gpu.adapter.name}, ${useChromium ? "the page in headless Chromium" : "a socket client watching thumbnails"}, load average ${load}`);
  console.log(`frames: ${times.without.length} without, ${times.with.length} with, in alternating blocks of ${FRAMES_PER_BLOCK}; thumbnails delivered: ${inspector.thumbnailsDelivered}`);
  console.log(`median frame (start → GPU done): ${without.toFixed(2)} ms without, ${withPage.toFixed(2)} ms with: ${withPage >= without ? "+" : ""}${(((withPage - without) / without) * 100).toFixed(1)} %`);
  console.log(`census without:          ${censusWithout}`);
  console.log(`census while watched:    ${censusWith}`);
  console.log(`census after it stopped: ${censusAfter} (${censusAfter === censusWithout ? "identical to without" : "DIFFERENT"})`);
} finally {
  await browser?.close();
  server.stop();
  inspector.dispose();
  await engine.dispose();
  await gpu.idle();
  gpu.destroy();
  rmSync(dir, { recursive: true, force: true });
}
