import { afterAll, afterEach, describe, expect, test } from "vitest";
import dgram from "node:dgram";
import { Noise, OscIn, SolidColor } from "../../../operators/index.ts";
import type { Context } from "../../../runtime/chain/context.ts";
import { control } from "../../../runtime/control/hub.ts";
import { decodePacket, encodeBundle, encodeMessage, type OscArg } from "../../../runtime/control/osc-codec.ts";
import type { Engine } from "../../../runtime/engine.ts";
import { diffImages, engineFor, render } from "../../helpers/render.ts";

// OSC through real UDP sockets on 127.0.0.1 into a real engine on the real GPU: a message sent by a
// client is applied at the next frame boundary, and the pixels are those of the same value set in code.

const client = dgram.createSocket("udp4");
afterAll(() => {
  client.close();
  control.closeAll();
});

const warnings: string[] = [];
control.onWarning = (message) => warnings.push(message);
const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.dispose();
  warnings.length = 0;
});

/** A port nothing listens on now (bound and closed by the kernel's choice). */
async function freePort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

function send(port: number, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => client.send(bytes, port, "127.0.0.1", (error) => (error ? reject(error) : resolve())));
}

/** Sends and waits until the hub has queued `count` more messages (the socket delivered them). */
async function sendAndQueue(port: number, bytes: Uint8Array, count = 1): Promise<void> {
  const before = control.pending;
  await send(port, bytes);
  const end = Date.now() + 10_000;
  while (control.pending < before + count) {
    if (Date.now() > end) throw new Error(`the datagram to ${port} was not queued`);
    await Bun.sleep(5);
  }
}

async function waitOpen(osc: OscIn): Promise<void> {
  const end = Date.now() + 10_000;
  while (osc.status === "opening" && Date.now() < end) await Bun.sleep(5);
  expect(osc.status).toBe("open");
}

/** Noise (64×64, not moving) and an OscIn on `port`; `extra` adds to the setup. */
async function noiseEngine(port: number, extra?: (ctx: Context, noise: Noise, osc: OscIn) => void): Promise<{ engine: Engine; noise: Noise; osc: OscIn }> {
  let noise!: Noise;
  let osc!: OscIn;
  const engine = await engineFor((ctx) => {
    noise = ctx.chain.add(Noise, "noise").resolution(64, 64);
    noise.speed = 0;
    osc = ctx.chain.add(OscIn, "osc").port(port).host("127.0.0.1");
    extra?.(ctx, noise, osc);
    ctx.chain.output("noise");
  });
  engines.push(engine);
  await waitOpen(osc);
  return { engine, noise, osc };
}

describe("OSC codec (osc.js) and patterns", () => {
  test("a message and a nested bundle decode to their addresses and arguments, in order", () => {
    expect(decodePacket(encodeMessage("/noise/scale", [7.5]))).toEqual([{ address: "/noise/scale", args: [7.5] }]);
    const bundle = encodeBundle([
      { address: "/a", args: [1, "two", true] },
      { address: "/b", args: [{ type: "i", value: 3 }, null] },
    ]);
    expect(decodePacket(bundle)).toEqual([
      { address: "/a", args: [1, "two", true] },
      { address: "/b", args: [3, null] },
    ]);
    expect(() => decodePacket(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow();
  });

  test("address patterns match as OSC 1.0 says, part by part", async () => {
    const { matchAddress } = await import("../../../runtime/control/osc-pattern.ts");
    const cases: Array<[string, string, boolean]> = [
      ["/fader/*", "/fader/1", true],
      ["/fader/*", "/fader/1/x", false], // * never crosses a /
      ["/*/scale", "/noise/scale", true],
      ["/fader?", "/fader7", true],
      ["/fader?", "/fader10", false],
      ["/pad/[1-3]", "/pad/2", true],
      ["/pad/[1-3]", "/pad/4", false],
      ["/pad/[!1-3]", "/pad/4", true],
      ["/pad/[!1-3]", "/pad/1", false],
      ["/pad/[abc]", "/pad/b", true],
      ["/{noise,blur}/scale", "/blur/scale", true],
      ["/{noise,blur}/scale", "/hsv/scale", false],
      ["/a.b", "/axb", false], // a regex character is literal
      ["/exact", "/exact", true],
    ];
    for (const [pattern, address, expected] of cases) expect([pattern, address, matchAddress(pattern, address)]).toEqual([pattern, address, expected]);
  });
});

describe("OscIn into a running chain", () => {
  test("/noise/scale 7.5 from a client: the param is 7.5 at the next frame, with the pixels of scale 7.5 set in code", async () => {
    const port = await freePort();
    const { engine, noise } = await noiseEngine(port);
    const before = await render(engine);
    await sendAndQueue(port, encodeMessage("/noise/scale", [7.5]));
    expect(noise.scale).toBe(4); // not applied from the socket callback
    const after = await render(engine);
    expect(noise.scale).toBe(7.5);

    const reference = await engineFor((ctx) => {
      const n = ctx.chain.add(Noise, "noise").resolution(64, 64);
      n.speed = 0;
      n.scale = 7.5;
      ctx.chain.output("noise");
    });
    engines.push(reference);
    const expected = await render(reference, 2);
    expect(diffImages(after.rgba, expected.rgba).maxAbs).toBe(0);
    expect(diffImages(before.rgba, expected.rgba).meanAbs).toBeGreaterThan(5);
    expect(control.receiver(port)!.counters.mapped).toBe(1);
  });

  test("out of range is clamped to the declared range and shown once; a bad type and an unknown param are counted, never thrown", async () => {
    const port = await freePort();
    const { engine, noise } = await noiseEngine(port);
    const counters = control.receiver(port)!.counters;
    await sendAndQueue(port, encodeMessage("/noise/scale", [1000]));
    await sendAndQueue(port, encodeMessage("/noise/scale", [2000]));
    engine.frame();
    expect(noise.scale).toBe(20); // Noise.scale is 0.1..20 in the original
    expect(counters.clamped).toBe(2);
    expect(warnings.filter((w) => w.includes("/noise/scale") && w.includes("clamped"))).toHaveLength(1);

    await sendAndQueue(port, encodeMessage("/noise/scale", ["big"]));
    await sendAndQueue(port, encodeMessage("/noise/scale", ["bigger"]));
    await sendAndQueue(port, encodeMessage("/noise/sclae", [3]));
    expect(() => engine.frame()).not.toThrow();
    expect(noise.scale).toBe(20);
    expect(counters.errors).toBe(3);
    expect(warnings.filter((w) => w.includes("expects a finite number"))).toHaveLength(1);
    expect(warnings.find((w) => w.includes("/noise/sclae"))).toMatch(/has no param "sclae" — did you mean "scale"\?/);
  });

  test("a vector takes several floats, a colour three or four, an enum its name or index", async () => {
    const port = await freePort();
    let solid!: SolidColor;
    const { engine, noise } = await noiseEngine(port, (ctx) => {
      solid = ctx.chain.add(SolidColor, "solid").resolution(8, 8);
    });
    await sendAndQueue(port, encodeMessage("/noise/offset", [1, 2, 3]));
    await sendAndQueue(port, encodeMessage("/solid/color", [1, 0.5, 0]));
    await sendAndQueue(port, encodeMessage("/noise/type", [{ type: "i", value: 1 }]));
    engine.frame();
    expect(noise.offset).toEqual([1, 2, 3]);
    expect(solid.color).toEqual([1, 0.5, 0, 1]);
    expect(noise.type).toBe("simplex");
    await sendAndQueue(port, encodeMessage("/noise/type", ["worley"]));
    await sendAndQueue(port, encodeMessage("/noise/offset", [1, 2]));
    engine.frame();
    expect(noise.type).toBe("worley");
    expect(noise.offset).toEqual([1, 2, 3]); // two floats for a vec3: refused
  });

  test("a bundle's messages all apply in the same frame; garbage datagrams are counted", async () => {
    const port = await freePort();
    const { engine, noise } = await noiseEngine(port);
    await sendAndQueue(port, encodeBundle([
      { address: "/noise/scale", args: [3] },
      { address: "/noise/speed", args: [0.25] },
    ]), 2);
    engine.frame();
    expect([noise.scale, noise.speed]).toEqual([3, 0.25]);
    const counters = control.receiver(port)!.counters;
    await send(port, new TextEncoder().encode("hello, not osc"));
    await send(port, new Uint8Array([0xff, 0, 1, 2]));
    const end = Date.now() + 10_000;
    while (counters.errors < 2 && Date.now() < end) await Bun.sleep(5);
    expect(counters.errors).toBe(2);
    expect(warnings.filter((w) => w.includes("is not OSC"))).toHaveLength(1);
  });

  test("onMessage patterns, value(), has(), and a binding to an OSC value", async () => {
    const port = await freePort();
    const seen: string[] = [];
    const { engine, noise, osc } = await noiseEngine(port, (_ctx, n, o) => {
      o.onMessage("/fader/*", (args, address) => seen.push(`${address}=${args[0]}`));
      n.bind("scale", () => o.value("/fader1"), 2, 15);
    });
    await sendAndQueue(port, encodeMessage("/fader/1", [0.25]));
    await sendAndQueue(port, encodeMessage("/fader/2/x", [9]));
    await sendAndQueue(port, encodeMessage("/fader1", [0.5]));
    expect(osc.has("/fader1")).toBe(false); // values are stored at the frame boundary, not before
    engine.frame();
    expect(seen).toEqual(["/fader/1=0.25"]);
    expect(osc.has("/fader1")).toBe(true);
    expect(osc.has("/fader/?")).toBe(true);
    expect(osc.has("/nothing")).toBe(false);
    expect(osc.value("/fader1")).toBe(0.5);
    expect(noise.scale).toBe(8.5); // 2 + 0.5 × (15 − 2)
  });

  test("/vivid/param answers over OSC with the param's value", async () => {
    const port = await freePort();
    const { engine } = await noiseEngine(port);
    await sendAndQueue(port, encodeMessage("/noise/scale", [6]));
    engine.frame();
    const asker = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => asker.bind(0, "127.0.0.1", resolve));
    const replies: Array<{ address: string; args: OscArg[] }> = [];
    asker.on("message", (bytes) => replies.push(...decodePacket(bytes)));
    asker.send(encodeMessage("/vivid/param", ["/noise/scale"]), port, "127.0.0.1");
    asker.send(encodeMessage("/vivid/param", ["noise.offset"]), port, "127.0.0.1");
    const end = Date.now() + 10_000;
    while (replies.length < 2 && Date.now() < end) {
      engine.frame();
      await Bun.sleep(10);
    }
    asker.close();
    expect(replies).toEqual([
      { address: "/vivid/param", args: ["/noise/scale", 6] },
      { address: "/vivid/param", args: ["/noise/offset", 0, 0, 0] },
    ]);
  });

  test("a port in use: the OscIn says so, naming the port and what to try; the chain runs on", async () => {
    const squatter = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => squatter.bind(0, "127.0.0.1", resolve));
    const port = squatter.address().port;
    let osc!: OscIn;
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Noise, "noise").resolution(8, 8);
      osc = ctx.chain.add(OscIn, "osc").port(port).host("127.0.0.1");
      ctx.chain.output("noise");
    });
    engines.push(engine);
    const end = Date.now() + 10_000;
    while (osc.status === "opening" && Date.now() < end) await Bun.sleep(5);
    squatter.close();
    expect(osc.status).toBe("failed");
    expect(osc.failure).toContain(`UDP port ${port} is in use`);
    expect(osc.failure).toContain(`--osc ${port + 1}`);
    expect(warnings.some((w) => w.includes(`UDP port ${port} is in use`))).toBe(true);
    expect(() => engine.frame()).not.toThrow();
  });
});
