import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MidiFilePlayer, MidiIn, MidiOut, Noise } from "../../../operators/index.ts";
import { control } from "../../../runtime/control/hub.ts";
import { encodeMidi, listMidiPorts, MidiParser, type MidiEvent } from "../../../runtime/control/midi.ts";
import type { Engine } from "../../../runtime/engine.ts";
import { openPtyPair, type PtyPair } from "../../helpers/pty-pair.ts";
import { engineFor } from "../../helpers/render.ts";

// MIDI as the 1.0 specification defines the bytes, a MIDI port that is a real pseudo-terminal pair
// (socat), and a standard MIDI file written byte by byte here.

const parse = (...chunks: number[][]) => {
  const parser = new MidiParser();
  const events: MidiEvent[] = [];
  for (const chunk of chunks) parser.push(chunk, (event) => events.push(event));
  return { events, errors: parser.errors };
};

describe("MIDI byte stream", () => {
  test("running status: data pairs after a note-on repeat it; note-on with velocity 0 is a note-off", () => {
    expect(parse([0x90, 60, 100, 62, 90, 64, 0]).events).toEqual([
      { type: "noteOn", channel: 1, note: 60, velocity: 100 },
      { type: "noteOn", channel: 1, note: 62, velocity: 90 },
      { type: "noteOff", channel: 1, note: 64, velocity: 0 },
    ]);
    // Controller on channel 10 with running status, split across reads.
    expect(parse([0xb9, 7], [127, 10], [64]).events).toEqual([
      { type: "cc", channel: 10, controller: 7, value: 127 },
      { type: "cc", channel: 10, controller: 10, value: 64 },
    ]);
    expect(parse([0x80, 60, 64, 0xc3, 5, 6]).events).toEqual([
      { type: "noteOff", channel: 1, note: 60, velocity: 64 },
      { type: "programChange", channel: 4, program: 5 },
      { type: "programChange", channel: 4, program: 6 },
    ]);
  });

  test("system exclusive from F0 to F7; real-time bytes inside a message do not break it", () => {
    expect(parse([0xf0, 0x7e, 0x7f, 0x06, 0x01, 0xf7]).events).toEqual([{ type: "sysex", data: Uint8Array.of(0x7e, 0x7f, 0x06, 0x01) }]);
    expect(parse([0x90, 60, 0xf8, 100]).events).toEqual([
      { type: "system", status: 0xf8, data: [] },
      { type: "noteOn", channel: 1, note: 60, velocity: 100 },
    ]);
    // A status byte ends an unfinished sysex (an error); the note after it is read.
    const cut = parse([0xf0, 1, 2, 0x91, 60, 1]);
    expect(cut.events).toEqual([{ type: "noteOn", channel: 2, note: 60, velocity: 1 }]);
    expect(cut.errors).toBe(1);
    // Song position (F2) takes two data bytes and clears running status: the bytes after it are stray.
    const common = parse([0x90, 60, 1, 0xf2, 0x10, 0x20, 61, 1]);
    expect(common.events).toEqual([
      { type: "noteOn", channel: 1, note: 60, velocity: 1 },
      { type: "system", status: 0xf2, data: [0x10, 0x20] },
    ]);
    expect(common.errors).toBe(2);
  });

  test("stray data bytes are counted and skipped; pitch bend is -1..1 around 0x2000", () => {
    const stray = parse([5, 6, 0xe0, 0x00, 0x40, 0xe0, 0x7f, 0x7f, 0xe0, 0, 0]);
    expect(stray.errors).toBe(2);
    expect(stray.events.map((e) => (e.type === "pitchBend" ? e.value : null))).toEqual([0, 8191 / 8192, -1]);
  });

  test("what the encoder writes, the parser reads back", () => {
    const events: MidiEvent[] = [
      { type: "noteOn", channel: 16, note: 127, velocity: 1 },
      { type: "cc", channel: 3, controller: 74, value: 0 },
      { type: "pitchBend", channel: 1, value: 0 },
      { type: "sysex", data: Uint8Array.of(1, 2, 3) },
    ];
    const bytes = events.flatMap((e) => [...encodeMidi(e)]);
    expect(bytes.slice(0, 3)).toEqual([0x9f, 127, 1]);
    expect(parse(bytes).events).toEqual(events);
  });

  test("this machine: no raw MIDI device is listed where /dev/snd has none", () => {
    const dir = mkdtempSync(join(tmpdir(), "vivid-snd-"));
    try {
      writeFileSync(join(dir, "midiC1D0"), "");
      writeFileSync(join(dir, "pcmC0D0p"), "");
      expect(listMidiPorts(dir, "/nonexistent")).toEqual([{ index: 0, name: "card 1 device 0", path: join(dir, "midiC1D0") }]);
      expect(listMidiPorts(join(dir, "missing"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("MidiIn, MidiOut and ctx.midi.map over a pseudo-terminal", () => {
  let pty: PtyPair;
  const engines: Engine[] = [];
  const warnings: string[] = [];
  beforeAll(async () => {
    pty = await openPtyPair();
    control.onWarning = (message) => warnings.push(message);
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
    control.midiMappings.clear();
  });
  afterAll(() => pty.close());

  async function waitQueued(midi: MidiIn, count: number): Promise<void> {
    const end = Date.now() + 10_000;
    while (midi.queued < count) {
      if (Date.now() > end) throw new Error(`only ${midi.queued} of ${count} MIDI events arrived`);
      await Bun.sleep(5);
    }
  }

  test("notes and controllers arrive at the next frame; a mapped controller moves its param across the range", async () => {
    let midi!: MidiIn;
    let noise!: Noise;
    const engine = await engineFor((ctx) => {
      noise = ctx.chain.add(Noise, "noise").resolution(8, 8);
      midi = ctx.chain.add(MidiIn, "midi").open(pty.b);
      ctx.midi.map(7, "noise.scale", 2, 15);
      ctx.midi.map(1, "noise.speed"); // the declared range, 0..5
      ctx.chain.output("noise");
    });
    engines.push(engine);
    expect(midi.isOpen).toBe(true);
    pty.write(Uint8Array.of(0x90, 60, 127, 0xb0, 7, 0, 0xb0, 1, 127));
    await waitQueued(midi, 3);
    expect(midi.noteOn()).toBe(false); // not before the frame boundary
    engine.frame();
    expect(midi.noteOn()).toBe(true);
    expect([midi.note(), midi.velocity(), midi.isNoteDown(60)]).toEqual([60, 1, true]);
    expect(midi.events().map((e) => e.type)).toEqual(["noteOn", "cc", "cc"]);
    expect([noise.scale, noise.speed]).toEqual([2, 5]);

    pty.write(Uint8Array.of(0xb0, 7, 127, 0x80, 60, 0));
    await waitQueued(midi, 2);
    engine.frame();
    expect(noise.scale).toBe(15);
    expect(midi.cc(7)).toBe(1);
    expect([midi.noteOn(), midi.noteOff(), midi.isNoteDown(60)]).toEqual([false, true, false]);

    pty.write(Uint8Array.of(0xb0, 7, 64));
    await waitQueued(midi, 1);
    engine.frame();
    expect(noise.scale).toBeCloseTo(2 + (64 / 127) * 13, 5);
    engine.frame();
    expect(midi.events()).toEqual([]); // events are one frame's
    expect(control.summaries().find((s) => s.source === `midi:${pty.b}`)?.total).toBe(6);
  });

  test("a channel filter; MidiOut writes the bytes the specification gives", async () => {
    let midi!: MidiIn;
    let out!: MidiOut;
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Noise, "noise").resolution(8, 8);
      midi = ctx.chain.add(MidiIn, "midi").open(pty.b);
      midi.channel = 2;
      out = ctx.chain.add(MidiOut, "out").open(pty.b);
      ctx.chain.output("noise");
    });
    engines.push(engine);
    pty.write(Uint8Array.of(0x90, 40, 10, 0x91, 41, 20));
    await waitQueued(midi, 2);
    engine.frame();
    expect(midi.events()).toEqual([{ type: "noteOn", channel: 2, note: 41, velocity: 20 }]);
    expect(midi.note()).toBe(41);

    pty.drain();
    out.noteOn(60, 100, 1);
    out.sendCC(7, 64, 10);
    out.sendPitchBend(0, 1);
    out.programChange(5, 16);
    expect([...(await pty.read(11))]).toEqual([0x90, 60, 100, 0xb9, 7, 64, 0xe0, 0x00, 0x40, 0xcf, 5]);
  });

  test("opening by index where the machine has no MIDI device is said once, and the chain runs on", async () => {
    if (listMidiPorts().length > 0) return; // a machine with MIDI hardware has nothing to say here
    warnings.length = 0;
    let midi!: MidiIn;
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Noise, "noise").resolution(8, 8);
      midi = ctx.chain.add(MidiIn, "midi").open(0);
      ctx.chain.add(MidiIn, "midi2").open("Launchpad");
      ctx.chain.output("noise");
    });
    engines.push(engine);
    expect(midi.isOpen).toBe(false);
    expect(warnings.filter((w) => w.includes("no MIDI ports"))).toHaveLength(1); // two MidiIns, said once
    expect(midi.failure).toMatch(/no MIDI ports \(no \/dev\/snd\/midi\*/);
    expect(() => engine.frame()).not.toThrow();
    expect([midi.noteOn(), midi.cc(1), midi.note()]).toEqual([false, 0, -1]);
  });
});

/** A standard MIDI file, written byte by byte as the SMF 1.0 specification lays it out. */
function smf(division: number, tracks: number[][]): Uint8Array {
  const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
  const bytes = [...Buffer.from("MThd"), ...u32(6), ...u16(1), ...u16(tracks.length), ...u16(division)];
  for (const track of tracks) bytes.push(...Buffer.from("MTrk"), ...u32(track.length), ...track);
  return Uint8Array.from(bytes);
}
/** A variable-length quantity (delta times). */
const vlq = (n: number): number[] => {
  const out = [n & 0x7f];
  while ((n >>= 7) > 0) out.unshift((n & 0x7f) | 0x80);
  return out;
};

describe("MidiFilePlayer", () => {
  const dir = mkdtempSync(join(tmpdir(), "vivid-smf-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // 480 ticks a beat. Track 0: 120 bpm, then 240 bpm from tick 960 (1.0 s). Track 1: note 60 on at 0,
  // off at 480 (0.5 s), controller 7 = 127 at 960 (1.0 s), note 64 on at 1440 (1.0 s + 480 ticks at
  // 240 bpm = 1.25 s), off at 1920 (1.5 s).
  const file = join(dir, "song.mid");
  writeFileSync(
    file,
    smf(480, [
      [0x00, 0xff, 0x51, 0x03, 0x07, 0xa1, 0x20, ...vlq(960), 0xff, 0x51, 0x03, 0x03, 0xd0, 0x90, 0x00, 0xff, 0x2f, 0x00],
      [0x00, 0x90, 60, 100, ...vlq(480), 0x80, 60, 0, ...vlq(480), 0xb0, 7, 127, ...vlq(480), 0x90, 64, 90, ...vlq(480), 0x90, 64, 0, 0x00, 0xff, 0x2f, 0x00],
    ]),
  );

  /** Frames 0..n-1 at 60 fixed fps; what the player gave at each frame, as "frame: event". */
  async function play(frames: number, configure?: (player: MidiFilePlayer) => void): Promise<string[]> {
    let player!: MidiFilePlayer;
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Noise, "noise").resolution(8, 8);
      player = ctx.chain.add(MidiFilePlayer, "player").load(file);
      configure?.(player);
      ctx.chain.output("noise");
    });
    const seen: string[] = [];
    const record = (frame: number) => {
      for (const event of player.events()) seen.push(`${frame}: ${event.type} ${"note" in event ? event.note : "controller" in event ? `${event.controller}=${event.value}` : ""}`);
    };
    try {
      // The build cooks frame 0 once (its first cook is part of the reload transaction), then the
      // loop draws frame 0 again at the same time, with nothing new.
      record(0);
      for (let frame = 0; frame < frames; frame++) {
        engine.frame();
        record(frame);
      }
    } finally {
      await engine.dispose();
    }
    return seen;
  }

  test("each event arrives at the frame of its time under fixed fps (tempo changes included), the same every run", async () => {
    const first = await play(100);
    // time = frame / 60: 0 s → frame 0, 0.5 s → 30, 1.0 s → 60, 1.25 s → 75, 1.5 s → 90.
    expect(first).toEqual(["0: noteOn 60", "30: noteOff 60", "60: cc 7=127", "75: noteOn 64", "90: noteOff 64"]);
    expect(await play(100)).toEqual(first);
  });

  test("loop starts again after the last event; track picks one track", async () => {
    const looped = await play(100, (player) => (player.loop = true));
    // The file lasts 1.5 s (its last event); looped, 0 s comes again at 1.5 s + one frame's wrap.
    expect(looped.slice(0, 5)).toEqual(["0: noteOn 60", "30: noteOff 60", "60: cc 7=127", "75: noteOn 64", "90: noteOff 64"]);
    expect(looped.slice(5)).toEqual(["91: noteOn 60"]);
    expect(await play(100, (player) => (player.track = 0))).toEqual([]);
  });
});
