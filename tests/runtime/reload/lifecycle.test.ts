import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSocket } from "node:dgram";
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { native } from "../../helpers/native.ts";
import { diffImages } from "../../helpers/render.ts";
import { rgbaFloatToBytes } from "../../../runtime/snapshot.ts";
import type { ChainError } from "../../../runtime/reload/errors.ts";
import type { ErrorPhase } from "../../../runtime/engine.ts";

// What one version of a chain owns beyond its GPU objects, on the real device with real files and
// real sockets on 127.0.0.1: its timers, its clean-up (ctx.onDispose, the dispose export) and its
// first frame, which belongs to the reload transaction.
const { Engine } = native.engine;
const { Gpu } = native.gpu;
const { Reloader } = createRequire(import.meta.url)("../../../runtime/reload/reloader.ts") as typeof import("../../../runtime/reload/reloader.ts");

type EngineT = InstanceType<typeof Engine>;
let gpu: import("../../../runtime/gpu/gpu.ts").Gpu;
let root: string;
let dir: string;
let chainFile: string;
const errors: Array<{ error: ChainError; phase: ErrorPhase }> = [];

/** What the chains below record, shared with the test through globalThis. */
interface Log {
  ticks: Map<number, number>;
  topTicks: Map<number, number>;
  received: Array<[number, string]>;
  socketErrors: string[];
  events: string[];
}
const log = (): Log => (globalThis as unknown as { lifecycleLog: Log }).lifecycleLog;
function resetLog(): void {
  (globalThis as unknown as { lifecycleLog: Log }).lifecycleLog = { ticks: new Map(), topTicks: new Map(), received: [], socketErrors: [], events: [] };
}

/** Saves like most editors do: write a temp file, rename it over the original. */
function save(file: string, text: string): string {
  writeFileSync(`${file}.tmp-save`, text);
  renameSync(`${file}.tmp-save`, file);
  return file;
}

/** The UDP sockets bound to 127.0.0.1:`port`, as the kernel lists them. */
function socketsOnPort(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return readFileSync("/proc/net/udp", "utf8")
    .split("\n")
    .filter((line) => line.trim().split(/\s+/)[1] === local).length;
}

const PORT = 40000 + (process.pid % 20000);

/**
 * Version `version` of a chain that starts an interval at its module's top level and one in setup,
 * and listens on a UDP port. `reuseAddr` lets the new version bind while the old one still holds the
 * port, as it does until the swap; the old one closes it in its clean-up.
 */
const socketChain = (version: number, { cleanUp = true } = {}) => `import { createSocket } from "node:dgram";
import { createRequire } from "node:module";
import { Noise } from "vivid";
const log = globalThis.lifecycleLog;
setInterval(() => log.topTicks.set(${version}, (log.topTicks.get(${version}) ?? 0) + 1), 2);
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(16, 16);
  noise.speed = 0;
  noise.scale = ${2 + (version % 7)};
  ctx.chain.output("noise");
  setInterval(() => log.ticks.set(${version}, (log.ticks.get(${version}) ?? 0) + 1), 2);
  const socket = createSocket({ type: "udp4", reuseAddr: true });
  socket.on("message", (message) => log.received.push([${version}, String(message)]));
  socket.on("error", (error) => log.socketErrors.push(error.code));
  socket.bind(${PORT}, "127.0.0.1");
  ${cleanUp ? "ctx.onDispose(() => socket.close());" : ""}
  log.events.push("setup ${version}");
}
export function dispose(ctx) {
  log.events.push("dispose ${version} " + ctx.chain.get("noise").scale);
}
`;

async function retireAfterReload(engine: EngineT, text: string): Promise<void> {
  const { entry, done } = await engine.reload(save(chainFile, text));
  expect(entry.ok, entry.error?.message).toBe(true);
  for (let i = 0; i < 3; i++) engine.frame();
  await done;
}

async function newEngine(text: string): Promise<EngineT> {
  save(chainFile, text);
  const engine = new Engine(gpu, { projectDir: dir, chainFile, width: 16, height: 16, fixedFps: 60 });
  engine.onError = (error, phase) => errors.push({ error, phase });
  const built = await engine.load();
  if (!built.ok) throw new Error(built.error.message);
  return engine;
}

beforeAll(async () => {
  gpu = await Gpu.open();
  root = mkdtempSync(join(tmpdir(), "vivid-lifecycle-"));
  dir = join(root, "project");
  mkdirSync(dir);
  chainFile = join(dir, "chain.ts");
});

afterAll(() => {
  expect(gpu.census.live()).toBe(0);
  gpu.destroy();
  rmSync(root, { recursive: true, force: true });
});

describe("the chain owns its resources", () => {
  test("a chain with setInterval and a UDP socket reloads 100 times: one live interval of each kind, one bound socket, no EADDRINUSE", async () => {
    resetLog();
    errors.length = 0;
    const engine = await newEngine(socketChain(0));
    for (let version = 1; version <= 100; version++) await retireAfterReload(engine, socketChain(version));
    await Bun.sleep(30);

    // No interval of versions 0-99 ticks after its swap: their counts stand still while version 100's run.
    const before = { ticks: new Map(log().ticks), top: new Map(log().topTicks) };
    await Bun.sleep(100);
    const tickedSince = (now: Map<number, number>, then: Map<number, number>) => [...now].filter(([version, count]) => count !== (then.get(version) ?? 0)).map(([version]) => version);
    expect(tickedSince(log().ticks, before.ticks)).toEqual([100]);
    expect(tickedSince(log().topTicks, before.top)).toEqual([100]);
    expect(engine.liveTimers).toBe(2);

    // One socket holds the port, and it is the running version's.
    expect(log().socketErrors).toEqual([]);
    expect(socketsOnPort(PORT)).toBe(1);
    const sender = createSocket("udp4");
    await new Promise<void>((resolve, reject) => sender.send("hello", PORT, "127.0.0.1", (error) => (error ? reject(error) : resolve())));
    for (let i = 0; i < 50 && log().received.length === 0; i++) await Bun.sleep(10);
    sender.close();
    expect(log().received).toEqual([[100, "hello"]]);

    // Each version's dispose ran once, right after the next version's setup, with its own chain in ctx.
    const expected = ["setup 0"];
    for (let version = 1; version <= 100; version++) expected.push(`setup ${version}`, `dispose ${version - 1} ${2 + ((version - 1) % 7)}`);
    expect(log().events).toEqual(expected);

    // At exit the last version is disposed too: no socket, no interval.
    await engine.dispose();
    expect(log().events.at(-1)).toBe("dispose 100 4");
    expect(socketsOnPort(PORT)).toBe(0);
    const last = log().ticks.get(100);
    await Bun.sleep(30);
    expect(log().ticks.get(100)).toBe(last);
    expect(errors).toEqual([]);
  });

  test("timers the chain clears itself are forgotten; a timer started from a dispose callback never fires", async () => {
    resetLog();
    const chain = (extra: string) => `import { Noise } from "vivid";
const log = globalThis.lifecycleLog;
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(16, 16);
  ctx.chain.output("noise");
  ${extra}
}
`;
    const engine = await newEngine(
      chain(`for (let i = 0; i < 50; i++) clearInterval(setInterval(() => log.events.push("cleared interval ticked"), 1));
  for (let i = 0; i < 50; i++) clearTimeout(Number(setTimeout(() => log.events.push("cleared timeout fired"), 1)));
  setTimeout(() => log.events.push("one-shot fired"), 1);
  ctx.onDispose(() => setTimeout(() => log.events.push("late timer fired"), 1));`),
    );
    await Bun.sleep(30);
    expect(engine.liveTimers).toBe(0);
    await retireAfterReload(engine, chain(""));
    await Bun.sleep(30);
    expect(log().events).toEqual(["one-shot fired"]);
    await engine.dispose();
  });
});

describe("the first frame belongs to the transaction", () => {
  test("a chain whose update throws at once is not swapped in: ok false with the located error, the old chain and its picture kept, the new version's socket closed", async () => {
    resetLog();
    errors.length = 0;
    const engine = await newEngine(socketChain(1));
    engine.frame();
    const running = engine.chain;
    const good = rgbaFloatToBytes((await engine.readOutput()).pixels);
    const broken = socketChain(2).replace("export function dispose", 'export function update(ctx) {\n  ctx.chain.get("noise").scale = 5;\n  throw new Error("update broke at once");\n}\nexport function dispose');
    const { entry } = await engine.reload(save(chainFile, broken));
    expect(entry.ok).toBe(false);
    expect(entry.error?.message).toBe("update broke at once");
    expect(entry.error?.file).toBe(chainFile);
    expect(entry.error?.line).toBe(broken.split("\n").findIndex((line) => line.includes("update broke at once")) + 1);
    expect(engine.chain).toBe(running);
    for (let i = 0; i < 3; i++) engine.frame();
    expect(diffImages(good, rgbaFloatToBytes((await engine.readOutput()).pixels)).maxAbs).toBe(0);
    // Version 2 ran its setup, so its clean-up ran: its socket is closed and version 1's still listens.
    await Bun.sleep(20);
    expect(log().events).toEqual(["setup 1", "setup 2", "dispose 2 5"]);
    expect(socketsOnPort(PORT)).toBe(1);
    expect(errors).toEqual([]);
    await engine.dispose();
    expect(socketsOnPort(PORT)).toBe(0);
  });
});

describe("errors from timers", () => {
  test("a throw from a tracked interval is an error located at the throw, every time, and the chain keeps running", async () => {
    resetLog();
    errors.length = 0;
    const text = `import { Noise } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(16, 16);
  ctx.chain.output("noise");
  setInterval(() => {
    throw new Error("tick broke");
  }, 2);
}
`;
    const engine = await newEngine(text);
    await Bun.sleep(200);
    engine.frame();
    expect(errors.length).toBeGreaterThan(10);
    expect(new Set(errors.map((e) => e.phase))).toEqual(new Set(["timer"]));
    expect(errors[0]!.error).toMatchObject({ message: "tick broke", file: chainFile, line: 6 });
    // Located once: every report is the same record.
    expect(new Set(errors.map((e) => e.error)).size).toBe(1);
    await engine.dispose();
    const count = errors.length;
    await Bun.sleep(30);
    expect(errors.length).toBe(count);
  });
});

describe("files outside the project folder", () => {
  test("an edit to a helper the chain imports from outside the project folder is applied by the watcher", async () => {
    const shared = join(root, "lib");
    mkdirSync(shared, { recursive: true });
    const helper = join(shared, "look.ts");
    save(helper, "export const scale = 3;\n");
    const engine = await newEngine(`import { Noise } from "vivid";
import { scale } from "../lib/look.ts";
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(16, 16);
  noise.speed = 0;
  noise.scale = scale;
  ctx.chain.output("noise");
}
`);
    const entries: Array<{ ok: boolean; file: string }> = [];
    const reloader = new Reloader(engine, { onReload: (entry) => entries.push(entry), watchShaders: false });
    await reloader.start();
    try {
      engine.frame();
      const scale = () => (engine.chain!.get("noise") as unknown as { scale: number }).scale;
      expect(scale()).toBe(3);
      save(helper, "export const scale = 11;\n");
      const end = Date.now() + 10_000;
      while (entries.length === 0 && Date.now() < end) {
        if (reloader.pending) await reloader.apply();
        engine.frame();
        await Bun.sleep(20);
      }
      expect(entries).toMatchObject([{ ok: true, file: "../lib/look.ts" }]);
      expect(scale()).toBe(11);
      const edited = rgbaFloatToBytes((await engine.readOutput()).pixels);
      // The picture is noise at scale 11, as a chain that says 11 itself renders it.
      const reference = new Engine(gpu, { projectDir: dir, chainFile: save(join(dir, "reference.ts"), readFileSync(chainFile, "utf8").replace('import { scale } from "../lib/look.ts";', "const scale = 11;")), width: 16, height: 16, fixedFps: 60 });
      const built = await reference.load();
      expect(built.ok).toBe(true);
      reference.frame();
      expect(diffImages(edited, rgbaFloatToBytes((await reference.readOutput()).pixels)).maxAbs).toBe(0);
      await reference.dispose();
    } finally {
      await reloader.close();
      await engine.dispose();
    }
  });
});
