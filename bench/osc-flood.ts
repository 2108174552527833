#!/usr/bin/env bun
/**
 * OSC flood: `bun vivid` with an OscIn gets 10 000 messages a second for 30 s (by default); prints its
 * frame rate and memory before, during and after, and the change.
 *
 *   nice -n 19 bun bench/osc-flood.ts [--rate 10000] [--seconds 30] [--size 320x180]
 *
 * Baseline and flood blocks of 5 s alternate (`--seconds` of flood in all), then 10 s after: the same
 * sender runs in all of them, so its own CPU cost is in the baseline too; only where it sends changes. Baseline: to a port nobody
 * listens on (the kernel drops them). Flood: to the chain's OscIn, 4 of 5 messages `/noise/scale <v>` (auto-mapped: the
 * param changes, Noise cooks again) and 1 of 5 `/fader/<n> <v>` (an onMessage handler). After: to
 * the closed port again. The chain reports RSS and JS heap through ctx.debug every frame (1 Hz in --stats).
 * Frame rate is the median of the per-second fps of each block, each flood block against the mean of
 * the baselines either side; the run's CPU time and frame count (sampled together by the chain)
 * give its CPU per frame, and a flood block's CPU beyond what its frames take at the baselines' rate
 * is the cost per message, which a loaded machine does not blur as it does the frame rate; memory is
 * RSS and heap during the flood and 10 s after it against the first baseline. Nothing is asserted:
 * it prints numbers.
 */
import dgram from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { encodeMessage } from "../runtime/control/osc-codec.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const rate = Number(flag("--rate", "10000"));
const seconds = Number(flag("--seconds", "30"));
const size = flag("--size", "320x180");
const REPO = resolve(import.meta.dir, "..");

async function freePort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((done) => socket.bind(0, "127.0.0.1", done));
  const { port } = socket.address();
  await new Promise<void>((done) => socket.close(() => done()));
  return port;
}

const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), "vivid-osc-flood-"));
const stats = join(dir, "stats.jsonl");
writeFileSync(
  join(dir, "chain.ts"),
  `import { readFileSync } from "node:fs";
import { Noise, OscIn, type Context } from "vivid";
let faders = 0;
export function setup(ctx: Context) {
  const osc = ctx.chain.add(OscIn, "osc").port(${port}).host("127.0.0.1");
  osc.onMessage("/fader/*", () => { faders++; });
  const [w, h] = [${size.split("x").join(", ")}];
  ctx.chain.add(Noise, "noise").resolution(w, h).speed = 0.5;
  ctx.chain.output("noise");
}
export function update(ctx: Context) {
  const memory = process.memoryUsage();
  ctx.debug("rssMB", memory.rss / 1048576);
  ctx.debug("heapMB", memory.heapUsed / 1048576);
  ctx.debug("faders", faders);
  // The run's own CPU time and frame count, sampled together once a second: CPU per frame and per message.
  const cpu = process.cpuUsage();
  ctx.debug("cpuMs", (cpu.user + cpu.system) / 1000);
  // The main thread alone (its task id is the process id): utime + stime, in 10 ms ticks.
  const fields = readFileSync(\`/proc/self/task/\${process.pid}/stat\`, "utf8").split(") ")[1]!.split(" ");
  ctx.debug("mainCpuMs", (Number(fields[11]) + Number(fields[12])) * 10);
  ctx.debug("frame", ctx.frame);
}
`,
);

const vivid = Bun.spawn(["bun", "runtime/cli.ts", dir, "--headless", "--no-dashboard", "--size", size, "--stats", stats], { cwd: REPO, stdin: "ignore", stdout: "ignore", stderr: "inherit" });
const records = (): Array<Record<string, unknown>> =>
  existsSync(stats)
    ? readFileSync(stats, "utf8")
        .split("\n")
        .filter((line) => line.endsWith("}"))
        .map((line) => JSON.parse(line))
    : [];
const hubSeconds = () => (records().at(-1)?.t as number | undefined) ?? 0;

try {
  const started = Date.now();
  while (!records().some((e) => e.type === "control" && e.opened === 1)) {
    if (Date.now() - started > 120_000) throw new Error("vivid did not open the OSC port in 120 s");
    await Bun.sleep(100);
  }
  // Let it settle a few seconds (JIT, first frames).
  await Bun.sleep(5000);

  const closedPort = await freePort();
  const sender = dgram.createSocket("udp4");
  // Sending to the closed port comes back as ECONNREFUSED now and then: expected, ignored.
  sender.on("error", () => {});
  const scale = Array.from({ length: 64 }, (_, i) => encodeMessage("/noise/scale", [1 + (i % 19)]));
  const faders = Array.from({ length: 8 }, (_, i) => encodeMessage(`/fader/${i}`, [i / 8]));
  let sent = 0;

  /** Sends `rate` messages a second to `target` for `ms`, in batches every 10 ms; returns [t0, t1] on the hub's clock. */
  /** Hub time at the end of sending in each phase, by the phase's start. */
  const sendingEnds = new Map<number, number>();
  async function phase(target: number, ms: number): Promise<[number, number]> {
    const t0 = hubSeconds();
    const start = performance.now();
    let due = 0;
    while (performance.now() - start < ms) {
      const elapsed = performance.now() - start;
      const should = Math.floor((elapsed / 1000) * rate);
      for (; due < should; due++) {
        const bytes = due % 5 === 4 ? faders[due % 8]! : scale[due % 64]!;
        sender.send(bytes, target, "127.0.0.1");
        if (target === port) sent++;
      }
      await Bun.sleep(10);
    }
    sendingEnds.set(t0, hubSeconds());
    await Bun.sleep(1100); // the last second's events
    return [t0, hubSeconds()];
  }

  // Baseline and flood alternate in blocks of 5 s, so the drift of a shared machine's load (other
  // processes come and go) falls on both alike: each flood block is compared with the baseline
  // blocks either side of it.
  const blockMs = 5000;
  const floodBlocks = Math.max(1, Math.round(seconds / 5));
  const baselines: Array<[number, number]> = [];
  const floods: Array<[number, number]> = [];
  for (let i = 0; i < floodBlocks; i++) {
    baselines.push(await phase(closedPort, blockMs));
    floods.push(await phase(port, blockMs));
  }
  baselines.push(await phase(closedPort, blockMs));
  // The garbage of the flood is collected once it is over: after it, memory is compared again.
  const after = await phase(closedPort, 10_000);
  sender.close();

  const all = records();
  const within = (e: Record<string, unknown>, [t0, t1]: [number, number]) => (e.t as number) > t0 + 1 && (e.t as number) <= t1;
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted.length ? (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2 : Number.NaN;
  };
  const fps = (range: [number, number]) => median(all.filter((e) => e.type === "frames" && within(e, range)).map((e) => e.fps as number));
  const debug = (name: string, range: [number, number]) => all.filter((e) => e.type === "debug" && e.name === name && within(e, range)).map((e) => e.value as number);
  const lastOf = (xs: number[]) => xs.at(-1) ?? Number.NaN;
  const control = all.filter((e) => e.type === "control" && e.source === `osc:${port}`).at(-1) ?? {};
  const received = floods.flatMap((range) => all.filter((e) => e.type === "control" && e.source === `osc:${port}` && within(e, range)).map((e) => e.messagesPerS as number));

  /** CPU ms and frames over the samples taken while a phase was sending: [cpu ms per s, frames per s]. */
  const cpuAndFrames = ([t0]: [number, number], name = "cpuMs"): [number, number] => {
    const end = sendingEnds.get(t0)!;
    const cpu = all.filter((e) => e.type === "debug" && e.name === name && (e.t as number) > t0 && (e.t as number) <= end);
    const frame = all.filter((e) => e.type === "debug" && e.name === "frame" && (e.t as number) > t0 && (e.t as number) <= end);
    if (cpu.length < 2 || frame.length < 2) return [Number.NaN, Number.NaN];
    const seconds = (cpu.at(-1)!.t as number) - (cpu[0]!.t as number);
    return [((cpu.at(-1)!.value as number) - (cpu[0]!.value as number)) / seconds, ((frame.at(-1)!.value as number) - (frame[0]!.value as number)) / seconds];
  };
  // Per flood block: the CPU its frames would have taken at the neighbouring baselines' CPU per
  // frame, and what it took beyond that, per message.
  const perMessageUs = (name: string) =>
    floods.map((range, i) => {
      const perFrame = [baselines[i]!, baselines[i + 1]!].map((r) => cpuAndFrames(r, name)).map(([cpu, frames]) => cpu / frames);
      const [cpu, frames] = cpuAndFrames(range, name);
      return ((cpu - frames * ((perFrame[0]! + perFrame[1]!) / 2)) / rate) * 1000;
    });
  const cpuPerFrame = (ranges: Array<[number, number]>, name: string) => median(ranges.map((r) => cpuAndFrames(r, name)).map(([cpu, frames]) => cpu / frames));
  const cpuLine = (label: string, name: string) => {
    const perMessage = perMessageUs(name);
    return `  ${label} CPU per frame: baselines ${cpuPerFrame(baselines, name).toFixed(2)} ms, floods ${cpuPerFrame(floods, name).toFixed(2)} ms; per message beyond the frames': ${perMessage.map((x) => x.toFixed(1)).join(" ")} µs (median ${median(perMessage).toFixed(1)} µs)`;
  };
  const changes = floods.map((range, i) => {
    const base = (fps(baselines[i]!) + fps(baselines[i + 1]!)) / 2;
    return ((fps(range) - base) / base) * 100;
  });
  const f1 = (x: number) => x.toFixed(1);
  const signed = (x: number) => `${x >= 0 ? "+" : ""}${f1(x)}`;
  const rssStart = lastOf(debug("rssMB", baselines[0]!));
  const heapStart = lastOf(debug("heapMB", baselines[0]!));
  const rssFlood = floods.flatMap((range) => debug("rssMB", range));
  const heapFlood = floods.flatMap((range) => debug("heapMB", range));
  const rssAfter = lastOf(debug("rssMB", after));
  const heapAfter = lastOf(debug("heapMB", after));
  console.log(`OSC flood: ${rate} msg/s into an OscIn, ${floodBlocks} blocks of 5 s (${floodBlocks * 5} s in all) between 5-s baselines; Noise ${size}, 4/5 auto-mapped /noise/scale, 1/5 /fader/* handlers`);
  console.log(`  sent ${sent}; vivid received ${control.total ?? "?"} (median ${median(received).toFixed(0)} msg/s while flooded), dropped ${control.dropped ?? "?"}, errors ${control.errors ?? "?"}, port opened ${control.opened ?? "?"}x`);
  console.log(`  fps, median of per-second:   baselines ${baselines.map((r) => f1(fps(r))).join(" ")}`);
  console.log(`                               floods    ${floods.map((r) => f1(fps(r))).join(" ")}`);
  console.log(`  frame rate change per flood block against the baselines either side: ${changes.map(signed).join(" ")} % (median ${signed(median(changes))} %)`);
  console.log(cpuLine("process (every thread: the OSC sockets', lavapipe's where it renders)", "cpuMs"));
  console.log(cpuLine("main thread (the frame loop)", "mainCpuMs"));
  console.log(`  RSS MB:     start ${f1(rssStart)}, during the flood ${f1(Math.min(...rssFlood))}..${f1(Math.max(...rssFlood))}, 10 s after ${f1(rssAfter)} (${signed(rssAfter - rssStart)} MB)`);
  console.log(`  JS heap MB: start ${f1(heapStart)}, during the flood ${f1(Math.min(...heapFlood))}..${f1(Math.max(...heapFlood))}, 10 s after ${f1(heapAfter)} (${signed(heapAfter - heapStart)} MB)`);
} finally {
  vivid.kill();
  await vivid.exited;
  rmSync(dir, { recursive: true, force: true });
}
