import { afterAll, describe, expect, test } from "vitest";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodePacket, encodeMessage } from "../../../runtime/control/osc-codec.ts";
import { readPng } from "../../../runtime/snapshot.ts";
import { cleanup, events, tempProject, waitFor, type Json } from "../../helpers/live-run.ts";
import { REPO } from "../../helpers/render.ts";

// `bun vivid` as a user runs it, with OSC over real UDP on 127.0.0.1: the example receives
// /noise/scale 9, the stats stream records the change and a snapshot taken over OSC has exactly the
// pixels of the same chain with scale 9 written in code; a reload while messages stream loses none
// and never reopens the port.

const client = dgram.createSocket("udp4");
await new Promise<void>((resolve) => client.bind(0, "127.0.0.1", resolve));
afterAll(() => client.close());

async function freePort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

const send = (port: number, address: string, ...args: Array<number | string>) =>
  new Promise<void>((resolve, reject) => client.send(encodeMessage(address, args), port, "127.0.0.1", (error) => (error ? reject(error) : resolve())));

/** Spawns the runtime itself (not `bun vivid`, whose script runner outlives a kill); killed after the test. */
function startVivid(args: string[]) {
  const child = Bun.spawn(["bun", "runtime/cli.ts", ...args], { cwd: REPO, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let output = "";
  void (async () => {
    for await (const chunk of child.stdout as ReadableStream<Uint8Array>) output += new TextDecoder().decode(chunk);
  })();
  cleanup.push(() => {
    if (child.exitCode === null) child.kill();
    return child.exited;
  });
  return { child, output: () => output };
}

const controlEvents = (stats: string, source: string) => events(stats).filter((e) => e.type === "control" && e.source === source);

describe("OSC through bun vivid", () => {
  test("examples/osc-control: /noise/scale 9 is in the stats stream, and the next snapshot is the chain with scale 9 in code", async () => {
    const [inPort, outPort] = [await freePort(), await freePort()];
    // The example as shipped, on free ports (8000 / 9000 may be taken on a shared machine) and at a
    // small size (the software GPU is slow at 1280×720).
    const text = readFileSync(join(REPO, "examples/osc-control/chain.ts"), "utf8")
      .replace(".port(8000)", `.port(${inPort})`)
      .replace(".port(9000)", `.port(${outPort})`)
      .replace("resolution(1280, 720)", "resolution(96, 54)");
    expect(text).toContain(`.port(${inPort})`);
    const live = tempProject("vivid-osc-example-", text);
    const vivid = startVivid([live.dir, "--headless", "--no-dashboard", "--fixed-fps", "30", "--stats", live.stats]);
    const source = `osc:${inPort}`;
    await waitFor("the OSC port open", () => controlEvents(live.stats, source).find((e) => e.opened === 1), 60_000);

    await send(inPort, "/noise/scale", 9);
    const changed = await waitFor("the change in the stats stream", () => controlEvents(live.stats, source).find((e) => (e.changes as Json)["noise.scale"] !== undefined), 60_000);
    expect(changed.changes).toEqual({ "noise.scale": 9 });
    expect(changed.mappedPerS).toBe(1);
    await waitFor("the plain line", () => (vivid.output().includes(`${source} set noise.scale = 9`) ? true : undefined));

    // The snapshot, asked for over OSC: the answer is its path.
    const answer = new Promise<string>((resolve) => client.once("message", (bytes) => resolve(String(decodePacket(bytes)[0]!.args[0]))));
    await send(inPort, "/vivid/snapshot");
    const path = await answer;
    cleanup.push(() => Bun.file(path).delete().catch(() => {}));
    const frame = Number(await waitFor("the snapshot line", () => /wrote .*snapshot_1\.png \(96x54, frame (\d+)\)/.exec(vivid.output())?.[1]));

    // The same chain with scale 9 in the code, snapshotted at the same frame (the same fixed time).
    const reference = tempProject("vivid-osc-reference-", text.replace("noise.scale = 4;", "noise.scale = 9;"));
    const expectedPng = join(reference.dir, "expected.png");
    const run = Bun.spawn(["bun", "runtime/cli.ts", reference.dir, "--headless", "--fixed-fps", "30", "--snapshot", expectedPng, "--snapshot-frame", String(frame)], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
    cleanup.push(() => (run.exitCode === null ? (run.kill(), run.exited) : undefined));
    expect(await run.exited).toBe(0);
    const got = readPng(readFileSync(path));
    const expected = readPng(readFileSync(expectedPng));
    expect([got.width, got.height]).toEqual([96, 54]);
    let differing = 0;
    for (let i = 0; i < got.data.length; i++) if (got.data[i] !== expected.data[i]) differing++;
    expect(differing).toBe(0);

    // And scale 4 (the code's own) at that frame is another picture: the OSC value is what made it.
    const unchanged = join(reference.dir, "scale4.png");
    const run4 = Bun.spawn(["bun", "runtime/cli.ts", live.dir, "--headless", "--fixed-fps", "30", "--snapshot", unchanged, "--snapshot-frame", String(frame)], { cwd: REPO, stdout: "pipe", stderr: "pipe", env: { ...process.env } });
    cleanup.push(() => (run4.exitCode === null ? (run4.kill(), run4.exited) : undefined));
    // (The live run still holds the port: this run reports it in use and renders all the same.)
    expect(await run4.exited).toBe(0);
    expect(await new Response(run4.stderr).text()).toContain(`UDP port ${inPort} is in use`);
    const scale4 = readPng(readFileSync(unchanged));
    let moved = 0;
    for (let i = 0; i < got.data.length; i += 4) if (Math.abs(got.data[i]! - scale4.data[i]!) > 8) moved++;
    expect(moved).toBeGreaterThan((96 * 54) / 4);
  }, 240_000);

  test("--osc <port> without an OscIn: /noise/scale is auto-mapped; /vivid/reload answers and reloads", async () => {
    const port = await freePort();
    const live = tempProject(
      "vivid-osc-flag-",
      `import { Noise, type Context } from "vivid";
export function setup(ctx: Context) {
  ctx.chain.add(Noise, "noise").resolution(16, 16);
  ctx.chain.output("noise");
}
`,
    );
    startVivid([live.dir, "--headless", "--no-dashboard", "--size", "16x16", "--osc", String(port), "--stats", live.stats]);
    await waitFor("the OSC port open", () => controlEvents(live.stats, `osc:${port}`).find((e) => e.opened === 1), 60_000);
    await send(port, "/noise/scale", 3);
    const changed = await waitFor("the change", () => controlEvents(live.stats, `osc:${port}`).find((e) => (e.changes as Json)["noise.scale"] !== undefined), 60_000);
    expect(changed.changes).toEqual({ "noise.scale": 3 });
    const answer = new Promise<string>((resolve) => client.once("message", (bytes) => resolve(String(decodePacket(bytes)[0]!.args[0]))));
    await send(port, "/vivid/reload");
    expect(await answer).toBe("queued");
    const reload = await waitFor("the reload", () => events(live.stats).find((e) => e.type === "reload"), 60_000);
    expect(reload.ok).toBe(true);
  }, 180_000);

  test("saving the chain five times while 1500 messages stream: every sequence number arrives, the port is opened once", async () => {
    const port = await freePort();
    const chain = (version: number) => `import { Noise, OscIn, type Context } from "vivid";
// Kept on globalThis: the module is evaluated again by each reload, the set must outlive it.
const seen: Set<number> = ((globalThis as Record<string, unknown>).__seqSeen ??= new Set<number>()) as Set<number>;
export function setup(ctx: Context) {
  const osc = ctx.chain.add(OscIn, "osc").port(${port}).host("127.0.0.1");
  osc.onMessage("/seq", ([n]) => { seen.add(n as number); });
  const noise = ctx.chain.add(Noise, "noise").resolution(16, 16);
  noise.scale = ${2 + version};
  ctx.chain.output("noise");
}
export function update(ctx: Context) {
  ctx.debug("seen", seen.size);
  ctx.debug("version", ${version});
}
`;
    const live = tempProject("vivid-osc-reload-", chain(0));
    startVivid([live.dir, "--headless", "--no-dashboard", "--size", "16x16", "--stats", live.stats]);
    await waitFor("the OSC port open", () => controlEvents(live.stats, `osc:${port}`).find((e) => e.opened === 1), 60_000);

    const total = 1500;
    let saves = 0;
    const started = Date.now();
    for (let n = 0; n < total; n++) {
      await send(port, "/seq", n);
      if (n % 3 === 2) await Bun.sleep(10); // ~300 messages a second for ~5 s
      const due = Math.floor((Date.now() - started) / 800);
      if (due > saves && saves < 5) live.save(chain(++saves));
    }
    while (saves < 5) live.save(chain(++saves));
    const reloads = await waitFor("five ok reloads", () => {
      const ok = events(live.stats).filter((e) => e.type === "reload" && e.ok);
      return ok.length >= 5 ? ok : undefined;
    }, 120_000);
    expect(reloads.length).toBeGreaterThanOrEqual(5);
    const seen = await waitFor("every message seen", () => events(live.stats).find((e) => e.type === "debug" && e.name === "seen" && e.value === total), 60_000);
    expect(seen.value).toBe(total);
    const last = controlEvents(live.stats, `osc:${port}`).at(-1)!;
    expect(last.total).toBe(total);
    expect(last.opened).toBe(1);
    expect(last.dropped).toBe(0);
    // The last save's chain is the one running.
    await waitFor("version 5 running", () => events(live.stats).find((e) => e.type === "debug" && e.name === "version" && e.value === 5), 60_000);
  }, 240_000);
});
