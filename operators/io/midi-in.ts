import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { int } from "../../runtime/chain/params.ts";
import { control } from "../../runtime/control/hub.ts";
import { hasMidiSequencer, listMidiPorts, type MidiEvent, type MidiInput } from "../../runtime/control/midi.ts";

/**
 * MIDI in: notes, controllers and pitch bend from a MIDI port, as the original's MidiIn. `open(port)`
 * takes the port's index or (part of) its name among the machine's raw MIDI devices
 * (`MidiIn.ports()`), or the path of any MIDI byte stream (a serial MIDI adapter, a pseudo-terminal).
 * `channel` filters (1..16; 0, the default, is every channel).
 *
 * What it reads is this frame's: the bytes are parsed as they arrive (off the frame path) and applied
 * at the frame boundary, before `update(ctx)`. `noteOn()` is true when a note began this frame;
 * `note()` and `velocity()` are the last note's (velocity 0..1); `cc(n)` is controller n's last value,
 * 0..1; `pitchBend()` is -1..1; `events()` are this frame's messages. The port (and what it has
 * received: held notes, controller values) is kept across reloads.
 *
 * Where the machine has no MIDI device (no /dev/snd/midi*, no /dev/snd/seq) opening by index or name
 * says so once and the operator stays idle; the chain runs on.
 */
export class MidiIn extends Operator {
  static override readonly description = "MIDI in: notes, controllers (0..1), pitch bend, this frame's events";
  static override readonly outputKind: OutputKind = "value";
  static override readonly params = {
    channel: int(0, 0, 16),
  };

  declare channel: number;

  private wanted?: number | string;
  private midiInput?: MidiInput;
  /** Why no port is open, naming what was asked for and what there is. */
  failure?: string;

  /** The machine's MIDI ports (raw MIDI devices), by index and name. */
  static ports() {
    return listMidiPorts();
  }

  /** Opens a port: its index in `MidiIn.ports()`, a part of its name, or a device path ("/dev/snd/midiC1D0", "/dev/ttyUSB0"). */
  open(port: number | string): this {
    this.wanted = port;
    return this;
  }

  /** Whether a port is open and reading. */
  get isOpen(): boolean {
    return this.midiInput?.port.isOpen ?? false;
  }

  init(_ctx: InitContext): void {
    if (this.wanted === undefined) return;
    const path = this.resolvePath(this.wanted);
    if (path === undefined) return;
    this.midiInput = control.acquireMidiIn(path);
    if (this.midiInput.port.failure) {
      this.failure = `MidiIn "${this.name}": ${this.midiInput.port.failure}`;
      control.warnOnce(`midi-open:${path}`, `MIDI: ${this.failure}`);
    }
  }

  private resolvePath(wanted: number | string): string | undefined {
    if (typeof wanted === "string" && wanted.startsWith("/")) return wanted;
    const ports = listMidiPorts();
    if (ports.length === 0) {
      this.failure = `this machine has no MIDI ports (no /dev/snd/midi* raw MIDI device${hasMidiSequencer() ? "" : ", no /dev/snd/seq sequencer"}): MidiIn "${this.name}" stays idle; plug in a MIDI interface, or open a device path`;
      control.warnOnce("midi-none", `MIDI: ${this.failure}`);
      return undefined;
    }
    const port = typeof wanted === "number" ? ports[wanted] : ports.find((p) => p.name.toLowerCase().includes(wanted.toLowerCase()));
    if (!port) {
      this.failure = `MidiIn "${this.name}": no MIDI port ${JSON.stringify(wanted)} (have: ${ports.map((p) => `${p.index} "${p.name}"`).join(", ")})`;
      control.warnOnce(`midi-missing:${wanted}`, `MIDI: ${this.failure}`);
      return undefined;
    }
    return port.path;
  }

  cook(_ctx: CookContext): void {}

  private matches(channel: number): boolean {
    return this.channel === 0 || this.channel === channel;
  }

  /** Messages received and waiting for the next frame boundary. */
  get queued(): number {
    return this.midiInput?.queue.length ?? 0;
  }

  /** This frame's messages (on the channel filtered to). */
  events(): MidiEvent[] {
    const input = this.midiInput;
    if (!input || input.frameSerial !== control.frameSerial) return [];
    if (this.channel === 0) return input.frameEvents;
    return input.frameEvents.filter((event) => !("channel" in event) || this.matches(event.channel));
  }

  /** Whether a note began this frame. */
  noteOn(): boolean {
    return this.events().some((event) => event.type === "noteOn");
  }

  /** Whether a note ended this frame. */
  noteOff(): boolean {
    return this.events().some((event) => event.type === "noteOff");
  }

  /** The last note begun (0..127), -1 before any. */
  note(): number {
    const last = this.midiInput?.lastNote;
    return last && this.matches(last.channel) ? last.note : -1;
  }

  /** The last note's velocity, 0..1. */
  velocity(): number {
    const last = this.midiInput?.lastNote;
    return last && last.note >= 0 && this.matches(last.channel) ? last.velocity / 127 : 0;
  }

  /** Whether `note` is held (on the channel filtered to, or any). */
  isNoteDown(note: number): boolean {
    const down = this.midiInput?.notesDown;
    if (!down) return false;
    if (this.channel !== 0) return down.has(this.channel * 128 + note);
    for (let channel = 1; channel <= 16; channel++) if (down.has(channel * 128 + note)) return true;
    return false;
  }

  /** Controller `n`'s last value, 0..1 (0 before any). */
  cc(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > 127) throw new RangeError(`${this.name}.cc(${n}): controllers are 0..127`);
    return (this.midiInput?.cc[this.channel * 128 + n] ?? 0) / 127;
  }

  /** The last pitch bend, -1..1. */
  pitchBend(): number {
    return this.midiInput?.pitchBend[this.channel] ?? 0;
  }

  override dispose(): void {
    if (this.midiInput) control.releaseMidiIn(this.midiInput);
    this.midiInput = undefined;
    super.dispose();
  }
}
defineOperator(MidiIn);
