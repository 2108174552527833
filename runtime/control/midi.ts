/**
 * MIDI: the byte-stream parser, the encoder, the ports of this machine, the per-port state that
 * survives reloads, the CC → param mapping table (`ctx.midi.map`), and standard MIDI files.
 *
 * Ports are the kernel's raw MIDI devices (`/dev/snd/midiC<card>D<device>`, what ALSA makes for
 * every USB or hardware MIDI interface), read and written as byte streams through
 * runtime/control/byte-port.ts, so the parser below sees exactly what the cable carried. A path of
 * any byte stream works too (a serial MIDI adapter, a pseudo-terminal: what the tests use). Not done:
 * the ALSA sequencer (software ports such as a DAW's virtual outputs), which would need libasound
 * through bun:ffi and a /dev/snd/seq to test against; this machine has neither /dev/snd/seq nor any
 * raw MIDI device, and a MidiIn says so once and stays idle.
 *
 * Standard MIDI files are parsed by `midi-file` (npm, a small maintained parser and writer: no
 * dependencies, arrays in and out) and timed here: ticks to seconds through the file's tempo map.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseMidi } from "midi-file";
import type { Chain } from "../chain/chain.ts";
import type { OperatorClass } from "../chain/operator.ts";
import type { BytePort } from "./byte-port.ts";
import type { ControlHub } from "./hub.ts";

/** One MIDI message. Channels are 1..16; data values are as on the wire (0..127) except pitch bend (-1..1). */
export type MidiEvent =
  | { type: "noteOn"; channel: number; note: number; velocity: number }
  | { type: "noteOff"; channel: number; note: number; velocity: number }
  | { type: "cc"; channel: number; controller: number; value: number }
  | { type: "programChange"; channel: number; program: number }
  | { type: "pitchBend"; channel: number; value: number }
  | { type: "channelPressure"; channel: number; pressure: number }
  | { type: "polyPressure"; channel: number; note: number; pressure: number }
  | { type: "sysex"; data: Uint8Array }
  | { type: "system"; status: number; data: number[] };

/** Data bytes a channel message takes, by its status's high nibble. */
const CHANNEL_DATA: Record<number, number> = { 0x80: 2, 0x90: 2, 0xa0: 2, 0xb0: 2, 0xc0: 1, 0xd0: 1, 0xe0: 2 };
/** Data bytes of the system common messages (F1 quarter frame, F2 song position, F3 song select, F6 tune request). */
const COMMON_DATA: Record<number, number> = { 0xf1: 1, 0xf2: 2, 0xf3: 1, 0xf4: 0, 0xf5: 0, 0xf6: 0 };
/** A system exclusive message longer than this is cut off and counted as an error. */
const SYSEX_LIMIT = 65_536;

/**
 * MIDI bytes to messages, as the MIDI 1.0 specification reads them: running status (data bytes after
 * a channel message repeat its status), note-on with velocity 0 as note-off, system exclusive from F0
 * to F7 (ended early by any other status, which counts as an error), real-time bytes (F8..FF)
 * anywhere, even inside another message, without disturbing it. Stray data bytes are counted in
 * `errors` and skipped.
 */
export class MidiParser {
  errors = 0;
  private status = 0;
  private readonly data: number[] = [];
  private sysex: number[] | null = null;

  push(bytes: ArrayLike<number>, emit: (event: MidiEvent) => void): void {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]! & 0xff;
      if (byte >= 0xf8) {
        emit({ type: "system", status: byte, data: [] });
        continue;
      }
      if (byte === 0xf0) {
        if (this.sysex) this.errors++;
        this.sysex = [];
        this.status = 0;
        continue;
      }
      if (byte === 0xf7) {
        if (this.sysex) emit({ type: "sysex", data: Uint8Array.from(this.sysex) });
        else this.errors++;
        this.sysex = null;
        continue;
      }
      if (byte >= 0x80) {
        if (this.sysex) {
          this.errors++;
          this.sysex = null;
        }
        this.data.length = 0;
        if (byte >= 0xf0) {
          // System common: clears running status.
          const needed = COMMON_DATA[byte] ?? 0;
          this.status = needed > 0 ? byte : 0;
          if (needed === 0) emit({ type: "system", status: byte, data: [] });
        } else this.status = byte;
        continue;
      }
      if (this.sysex) {
        if (this.sysex.length < SYSEX_LIMIT) this.sysex.push(byte);
        else {
          this.errors++;
          this.sysex = null;
        }
        continue;
      }
      if (this.status === 0) {
        this.errors++;
        continue;
      }
      this.data.push(byte);
      if (this.status >= 0xf0) {
        if (this.data.length === COMMON_DATA[this.status]) {
          emit({ type: "system", status: this.status, data: this.data.slice() });
          this.status = 0;
          this.data.length = 0;
        }
        continue;
      }
      if (this.data.length === CHANNEL_DATA[this.status & 0xf0]) {
        emit(channelMessage(this.status, this.data[0]!, this.data[1] ?? 0));
        this.data.length = 0;
      }
    }
  }
}

function channelMessage(status: number, a: number, b: number): MidiEvent {
  const channel = (status & 0x0f) + 1;
  switch (status & 0xf0) {
    case 0x80:
      return { type: "noteOff", channel, note: a, velocity: b };
    case 0x90:
      return b === 0 ? { type: "noteOff", channel, note: a, velocity: 0 } : { type: "noteOn", channel, note: a, velocity: b };
    case 0xa0:
      return { type: "polyPressure", channel, note: a, pressure: b };
    case 0xb0:
      return { type: "cc", channel, controller: a, value: b };
    case 0xc0:
      return { type: "programChange", channel, program: a };
    case 0xd0:
      return { type: "channelPressure", channel, pressure: a };
    default:
      return { type: "pitchBend", channel, value: Math.max(-1, ((b << 7) | a) / 8192 - 1) };
  }
}

const data7 = (value: number, what: string) => {
  if (!Number.isInteger(value) || value < 0 || value > 127) throw new RangeError(`MIDI ${what} must be a whole number in 0..127, got ${value}`);
  return value;
};
const channelNibble = (channel: number) => {
  if (!Number.isInteger(channel) || channel < 1 || channel > 16) throw new RangeError(`MIDI channel must be 1..16, got ${channel}`);
  return channel - 1;
};

/** The bytes of one message (no running status: every message carries its status byte). */
export function encodeMidi(event: MidiEvent): Uint8Array {
  switch (event.type) {
    case "noteOn":
      return Uint8Array.of(0x90 | channelNibble(event.channel), data7(event.note, "note"), data7(event.velocity, "velocity"));
    case "noteOff":
      return Uint8Array.of(0x80 | channelNibble(event.channel), data7(event.note, "note"), data7(event.velocity, "velocity"));
    case "cc":
      return Uint8Array.of(0xb0 | channelNibble(event.channel), data7(event.controller, "controller"), data7(event.value, "value"));
    case "programChange":
      return Uint8Array.of(0xc0 | channelNibble(event.channel), data7(event.program, "program"));
    case "channelPressure":
      return Uint8Array.of(0xd0 | channelNibble(event.channel), data7(event.pressure, "pressure"));
    case "polyPressure":
      return Uint8Array.of(0xa0 | channelNibble(event.channel), data7(event.note, "note"), data7(event.pressure, "pressure"));
    case "pitchBend": {
      const raw = Math.round((Math.max(-1, Math.min(1, event.value)) + 1) * 8192);
      const value = Math.min(16383, raw);
      return Uint8Array.of(0xe0 | channelNibble(event.channel), value & 0x7f, value >> 7);
    }
    case "sysex":
      return Uint8Array.from([0xf0, ...event.data, 0xf7]);
    case "system":
      return Uint8Array.from([event.status, ...event.data]);
  }
}

/** A MIDI port of this machine: an ALSA raw MIDI device. */
export interface MidiPortInfo {
  index: number;
  name: string;
  path: string;
}

/** The raw MIDI devices under `/dev/snd`, named from `/proc/asound` (empty where there are none). */
export function listMidiPorts(devDir = "/dev/snd", procDir = "/proc/asound"): MidiPortInfo[] {
  if (!existsSync(devDir)) return [];
  const ports: MidiPortInfo[] = [];
  for (const file of readdirSync(devDir).sort()) {
    const match = /^midiC(\d+)D(\d+)$/.exec(file);
    if (!match) continue;
    let name = `card ${match[1]} device ${match[2]}`;
    try {
      name = readFileSync(`${procDir}/card${match[1]}/id`, "utf8").trim() + (match[2] === "0" ? "" : ` ${match[2]}`);
    } catch {
      // No /proc/asound: the number will do.
    }
    ports.push({ index: ports.length, name, path: `${devDir}/${file}` });
  }
  return ports;
}

/** Whether this machine has the ALSA sequencer device (software MIDI ports). */
export function hasMidiSequencer(devDir = "/dev/snd"): boolean {
  return existsSync(`${devDir}/seq`);
}

/**
 * One input port's state, shared by every MidiIn on it and kept across reloads: events arrive from the
 * port's reader into `queue`, and at the frame boundary they become this frame's events and update
 * the notes held, controller values and pitch bend.
 */
export class MidiInput {
  readonly parser = new MidiParser();
  queue: MidiEvent[] = [];
  /** Controller values 0..127, by channel (1..16) × 128; index 0 holds the last of any channel. */
  readonly cc = new Uint8Array(17 * 128);
  readonly pitchBend = new Float32Array(17);
  readonly notesDown = new Set<number>();
  /** This frame's events and the frame they belong to (ControlHub.frameSerial). */
  frameEvents: MidiEvent[] = [];
  frameSerial = -1;
  lastNote = { channel: 0, note: -1, velocity: 0 };
  private parserErrors = 0;

  constructor(readonly port: BytePort) {}

  /** The reader's chunk (off the frame path): parsed and queued. */
  receive(bytes: Uint8Array): void {
    this.parser.push(bytes, (event) => {
      if (this.queue.length < 65_536) this.queue.push(event);
      else this.port.counters.dropped++;
    });
    if (this.parser.errors !== this.parserErrors) {
      this.port.counters.errors += this.parser.errors - this.parserErrors;
      this.parserErrors = this.parser.errors;
    }
  }

  /** The frame boundary: the queued events become this frame's, and the state follows them. */
  apply(frameSerial: number): MidiEvent[] {
    const events = this.queue;
    this.queue = [];
    this.frameEvents = events;
    this.frameSerial = frameSerial;
    for (const event of events) {
      this.port.counters.total++;
      this.port.counters.lastAddress = describeMidi(event);
      switch (event.type) {
        case "noteOn":
          this.notesDown.add(event.channel * 128 + event.note);
          this.lastNote = { channel: event.channel, note: event.note, velocity: event.velocity };
          break;
        case "noteOff":
          this.notesDown.delete(event.channel * 128 + event.note);
          break;
        case "cc":
          this.cc[event.channel * 128 + event.controller] = event.value;
          this.cc[event.controller] = event.value;
          break;
        case "pitchBend":
          this.pitchBend[event.channel] = event.value;
          this.pitchBend[0] = event.value;
          break;
      }
    }
    return events;
  }
}

/** `noteOn 1/60 100`, `cc 1/7 64`: the "last address" of a MIDI source in the stats stream. */
export function describeMidi(event: MidiEvent): string {
  switch (event.type) {
    case "noteOn":
    case "noteOff":
      return `${event.type} ${event.channel}/${event.note} ${event.velocity}`;
    case "cc":
      return `cc ${event.channel}/${event.controller} ${event.value}`;
    case "programChange":
      return `program ${event.channel}/${event.program}`;
    case "pitchBend":
      return `pitchBend ${event.channel} ${event.value.toFixed(3)}`;
    case "channelPressure":
      return `pressure ${event.channel} ${event.pressure}`;
    case "polyPressure":
      return `pressure ${event.channel}/${event.note} ${event.pressure}`;
    case "sysex":
      return `sysex ${event.data.length} bytes`;
    case "system":
      return `system 0x${event.status.toString(16)}`;
  }
}

/** One row of `ctx.midi.map`: a controller (on a channel, or any) drives `op.param` over min..max. */
export interface MidiMapping {
  cc: number;
  /** 1..16, or 0 for any channel. */
  channel: number;
  target: string;
  min?: number;
  max?: number;
}

/**
 * `ctx.midi`: the mapping table from controllers to params, by name. It belongs to the process (the
 * Context's), so mappings stay across reloads; a setup that maps the same controller again replaces
 * the row (a reload does not double it). A moved controller sets its param at the frame boundary,
 * mapped from 0..127 onto min..max (default: the param's declared range), through the same checks
 * as OSC (type, range) and counted in the stats stream as mapping hits.
 */
export class MidiMappings {
  private readonly rows = new Map<string, MidiMapping>();
  /** `--midi-learn`: the param to map to the next controller moved (set by the runtime's prompt). */
  learning?: { target: string; done: (mapping: MidiMapping) => void };

  /** Maps controller `cc` (0..127) to `target` ("op.param"), optionally on one `channel` (1..16). */
  map(cc: number, target: string, min?: number, max?: number, channel = 0): void {
    if (!Number.isInteger(cc) || cc < 0 || cc > 127) throw new RangeError(`ctx.midi.map(${cc}, …): the controller is a whole number in 0..127`);
    if (typeof target !== "string" || !/^[^.]+\.[^.]+$/.test(target)) throw new TypeError(`ctx.midi.map(${cc}, ${JSON.stringify(target)}): the target is "operator.param", e.g. "noise.scale"`);
    if (!Number.isInteger(channel) || channel < 0 || channel > 16) throw new RangeError(`ctx.midi.map(…, channel ${channel}): 1..16, or 0 for any`);
    this.rows.set(`${channel}/${cc}`, { cc, channel, target, min, max });
  }

  /** Removes the mapping of controller `cc` (on `channel`, default any). */
  unmap(cc: number, channel = 0): void {
    this.rows.delete(`${channel}/${cc}`);
  }

  list(): MidiMapping[] {
    return [...this.rows.values()];
  }

  /** The rows a controller message on `channel` reaches. */
  rowsFor(cc: number, channel: number): MidiMapping[] {
    const out: MidiMapping[] = [];
    const exact = this.rows.get(`${channel}/${cc}`);
    if (exact) out.push(exact);
    const any = this.rows.get(`0/${cc}`);
    if (any) out.push(any);
    return out;
  }

  clear(): void {
    this.rows.clear();
  }
}

/**
 * Applies a controller message to the mapped params of `chain` (and, in learn mode, maps it first).
 * Unknown targets are counted and shown once.
 */
export function applyMidiMappings(hub: ControlHub, mappings: MidiMappings, chain: Chain, event: Extract<MidiEvent, { type: "cc" }>, input: MidiInput): void {
  if (mappings.learning) {
    const { target, done } = mappings.learning;
    mappings.learning = undefined;
    mappings.map(event.controller, target, undefined, undefined, 0);
    done({ cc: event.controller, channel: 0, target });
  }
  for (const row of mappings.rowsFor(event.controller, event.channel)) {
    const [opName, paramName] = row.target.split(".") as [string, string];
    const label = `MIDI cc ${event.controller} → ${row.target}`;
    if (!chain.has(opName)) {
      input.port.counters.errors++;
      hub.warnOnce(`midi:${row.target}`, `${label}: no operator named "${opName}" (have: ${chain.names().join(", ")}); counted, not shown again`);
      continue;
    }
    const op = chain.get(opName);
    const decl = (op.constructor as OperatorClass).params[paramName];
    if (!decl) {
      input.port.counters.errors++;
      hub.warnOnce(`midi:${row.target}`, `${label}: ${op.typeName} "${opName}" has no param "${paramName}"; counted, not shown again`);
      continue;
    }
    const unit = event.value / 127;
    let arg: number | boolean | string;
    if (decl.type === "bool") arg = unit >= 0.5;
    else if (decl.type === "enum") arg = decl.options![Math.min(decl.options!.length - 1, Math.floor(unit * decl.options!.length))]!;
    else {
      const low = row.min ?? decl.min ?? 0;
      const high = row.max ?? decl.max ?? 1;
      arg = low + unit * (high - low);
    }
    hub.setParam(op, paramName, [arg], input.port.counters, label);
  }
}

/** One timed message of a MIDI file. */
export interface TimedMidiEvent {
  time: number;
  track: number;
  event: MidiEvent;
}

/**
 * A standard MIDI file (format 0, 1 or 2) as a list of channel messages with their times in seconds,
 * sorted by time (ties keep file order): ticks become seconds through the tempo map (Set Tempo meta
 * events, default 120 bpm), or through the SMPTE division when the file uses one.
 */
export function readMidiFile(bytes: Uint8Array): { events: TimedMidiEvent[]; duration: number; tracks: number } {
  const parsed = parseMidi(bytes);
  const header = parsed.header as { ticksPerBeat?: number; framesPerSecond?: number; ticksPerFrame?: number };
  type Raw = { deltaTime: number; type: string; [key: string]: unknown };
  const absolute: Array<{ tick: number; track: number; order: number; raw: Raw }> = [];
  const tempos: Array<{ tick: number; microsecondsPerBeat: number }> = [];
  let order = 0;
  (parsed.tracks as unknown as Raw[][]).forEach((track, trackIndex) => {
    let tick = 0;
    for (const raw of track) {
      tick += raw.deltaTime;
      if (raw.type === "setTempo") tempos.push({ tick, microsecondsPerBeat: raw.microsecondsPerBeat as number });
      absolute.push({ tick, track: trackIndex, order: order++, raw });
    }
  });
  tempos.sort((a, b) => a.tick - b.tick);
  const toSeconds = (tick: number): number => {
    if (header.framesPerSecond) return tick / (header.framesPerSecond * (header.ticksPerFrame ?? 1));
    const ticksPerBeat = header.ticksPerBeat ?? 480;
    let seconds = 0;
    let lastTick = 0;
    let tempo = 500_000;
    for (const change of tempos) {
      if (change.tick >= tick) break;
      seconds += ((change.tick - lastTick) / ticksPerBeat) * (tempo / 1e6);
      lastTick = change.tick;
      tempo = change.microsecondsPerBeat;
    }
    return seconds + ((tick - lastTick) / ticksPerBeat) * (tempo / 1e6);
  };
  const events: TimedMidiEvent[] = [];
  let duration = 0;
  for (const { tick, track, raw } of absolute) {
    const time = toSeconds(tick);
    duration = Math.max(duration, time);
    const event = fromFileEvent(raw);
    if (event) events.push({ time, track, event });
  }
  events.sort((a, b) => a.time - b.time);
  return { events, duration, tracks: parsed.tracks.length };
}

function fromFileEvent(raw: { type: string; [key: string]: unknown }): MidiEvent | undefined {
  const channel = ((raw.channel as number) ?? 0) + 1;
  switch (raw.type) {
    case "noteOn":
      return (raw.velocity as number) === 0 ? { type: "noteOff", channel, note: raw.noteNumber as number, velocity: 0 } : { type: "noteOn", channel, note: raw.noteNumber as number, velocity: raw.velocity as number };
    case "noteOff":
      return { type: "noteOff", channel, note: raw.noteNumber as number, velocity: raw.velocity as number };
    case "controller":
      return { type: "cc", channel, controller: raw.controllerType as number, value: raw.value as number };
    case "programChange":
      return { type: "programChange", channel, program: raw.programNumber as number };
    case "pitchBend":
      return { type: "pitchBend", channel, value: (raw.value as number) / 8192 };
    case "channelAftertouch":
      return { type: "channelPressure", channel, pressure: raw.amount as number };
    case "noteAftertouch":
      return { type: "polyPressure", channel, note: raw.noteNumber as number, pressure: raw.amount as number };
    case "sysEx":
      return { type: "sysex", data: Uint8Array.from(raw.data as number[]).filter((b, i, all) => !(i === all.length - 1 && b === 0xf7)) };
    default:
      return undefined;
  }
}
