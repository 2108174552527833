import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { DMXOut, Noise, SerialIn, SerialOut } from "../../../operators/index.ts";
import { control } from "../../../runtime/control/hub.ts";
import { parseCsvNumbers } from "../../../runtime/control/serial.ts";
import type { Engine } from "../../../runtime/engine.ts";
import { openPtyPair, type PtyPair } from "../../helpers/pty-pair.ts";
import { engineFor } from "../../helpers/render.ts";

// Serial and DMX through a real pseudo-terminal pair (socat): lines written at one end arrive as
// values at the next frame; DMX packets read at the other end are the Enttec DMX USB Pro layout.

let pty: PtyPair;
const engines: Engine[] = [];
const warnings: string[] = [];
beforeAll(async () => {
  pty = await openPtyPair();
  control.onWarning = (message) => warnings.push(message);
});
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.dispose();
});
afterAll(() => pty.close());

async function serialEngine<T>(add: (ctx: import("../../../runtime/chain/context.ts").Context) => T): Promise<{ engine: Engine; op: T }> {
  let op!: T;
  const engine = await engineFor((ctx) => {
    ctx.chain.add(Noise, "noise").resolution(8, 8);
    op = add(ctx);
    ctx.chain.output("noise");
  });
  engines.push(engine);
  return { engine, op };
}

describe("SerialIn / SerialOut", () => {
  test("CSV lines written at one end arrive as lastLine and values at the next frame, a line split across writes too", async () => {
    const { engine, op: serial } = await serialEngine((ctx) => ctx.chain.add(SerialIn, "serial").port(pty.b));
    expect(serial.isOpen).toBe(true);
    pty.write("512,1023,0\r\n4.5, x ,-7\n1,2");
    const end = Date.now() + 10_000;
    while (serial.queued < 2 && Date.now() < end) await Bun.sleep(5);
    expect(serial.lastLine).toBe(""); // nothing before the frame boundary
    engine.frame();
    expect(serial.lines()).toEqual(["512,1023,0", "4.5, x ,-7"]);
    expect(serial.lastLine).toBe("4.5, x ,-7");
    expect(serial.values).toEqual([4.5, Number.NaN, -7]);
    pty.write(",3\n");
    while (serial.queued < 1 && Date.now() < end) await Bun.sleep(5);
    engine.frame();
    expect(serial.values).toEqual([1, 2, 3]);
    engine.frame();
    expect(serial.lines()).toEqual([]);
    expect(serial.values).toEqual([1, 2, 3]); // the last line stays
  });

  test("SerialOut writes text and lines; a missing port is said with its path and the chain runs on", async () => {
    const { engine, op: out } = await serialEngine((ctx) => {
      ctx.chain.add(SerialIn, "missing").port("/dev/ttyNOPE0");
      return ctx.chain.add(SerialOut, "out").port(pty.b);
    });
    pty.drain();
    out.sendLine("hello");
    out.sendCSV([1, 2.5, -3]);
    expect(new TextDecoder().decode(await pty.read(15))).toBe("hello\n1,2.5,-3\n");
    expect(warnings.find((w) => w.includes("/dev/ttyNOPE0"))).toMatch(/does not exist \(is the device plugged in\?/);
    expect(() => engine.frame()).not.toThrow();
  });

  test("CSV numbers", () => {
    expect(parseCsvNumbers("1, 2 ,3")).toEqual([1, 2, 3]);
    expect(parseCsvNumbers("0.5;1e3\t-2")).toEqual([0.5, 1000, -2]);
    expect(parseCsvNumbers("")).toEqual([]);
  });
});

describe("DMXOut (Enttec DMX USB Pro)", () => {
  test("the packet is the Enttec layout byte for byte; channels count from startChannel; sends are rate-limited to 44 a second", async () => {
    let clock = 1000;
    const { engine, op: dmx } = await serialEngine((ctx) => {
      const out = ctx.chain.add(DMXOut, "dmx").port(pty.b);
      out.now = () => clock;
      out.channel(1, 255).rgb(10, 1, 2, 300).channel(512, 7.4);
      return out;
    });
    // The build's first cook sent the universe.
    const first = await pty.read(518);
    const expected = new Uint8Array(518);
    expected.set([0x7e, 0x06, 0x01, 0x02, 0x00]); // start, label 6 (send DMX), length 513 LSB/MSB, start code
    expected[5 + 0] = 255; // channel 1
    expected.set([1, 2, 255], 5 + 9); // channels 10..12 (300 clamped to 255)
    expected[5 + 511] = 7; // channel 512 (7.4 rounded)
    expected[517] = 0xe7; // end
    expect([...first]).toEqual([...expected]);

    // Changes within 1/44 s wait; the next frame after it sends them, once.
    dmx.rgb(10, 0, 0, 0);
    engine.frame();
    engine.frame();
    expect(pty.drain().length).toBe(0);
    clock += 1000 / 44;
    engine.frame();
    engine.frame();
    const second = await pty.read(518);
    expect([...second.slice(5 + 9, 5 + 12)]).toEqual([0, 0, 0]);
    expect(pty.drain().length).toBe(0);
    // Nothing changed: nothing sent until a second has passed, then the universe again (a widget plugged in late gets it).
    clock += 500;
    engine.frame();
    expect(pty.drain().length).toBe(0);
    clock += 501;
    engine.frame();
    expect((await pty.read(518))[5]).toBe(255);
    expect(dmx.packetsSent).toBe(3);
  });

  test("startChannel offsets channel numbers; blackout zeroes the universe", async () => {
    let clock = 0;
    const { engine, op: dmx } = await serialEngine((ctx) => {
      const out = ctx.chain.add(DMXOut, "dmx").port(pty.b);
      out.now = () => clock;
      out.startChannel = 101;
      out.rgb(1, 10, 20, 30);
      return out;
    });
    const packet = await pty.read(518);
    expect([...packet.slice(5 + 100, 5 + 103)]).toEqual([10, 20, 30]);
    expect(() => dmx.channel(413, 1)).toThrow(/channels are 1\.\.412 from startChannel 101/);
    dmx.blackout();
    clock += 100;
    engine.frame();
    expect((await pty.read(518)).slice(5, 517).every((level) => level === 0)).toBe(true);
  });
});
