import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import type { BytePort } from "../../runtime/control/byte-port.ts";
import { control } from "../../runtime/control/hub.ts";
import { encodeMidi, listMidiPorts, type MidiEvent } from "../../runtime/control/midi.ts";

/**
 * MIDI out, as the original's MidiOut: `open(port)` as MidiIn's (an index, a name, a device path);
 * `noteOn(note, velocity, channel)`, `noteOff`, `sendCC`, `programChange`, `sendPitchBend` (-1..1),
 * `allNotesOff`, `panic`. Values are MIDI's own (0..127), channels 1..16 (default 1). Each call writes
 * its bytes at once (non-blocking); with no port open it does nothing. The port is kept across reloads.
 */
export class MidiOut extends Operator {
  static override readonly description = "MIDI out: notes, controllers, program change, pitch bend";
  static override readonly outputKind: OutputKind = "value";
  static override readonly params = {};

  private wanted?: number | string;
  private port?: BytePort;
  failure?: string;

  open(port: number | string): this {
    this.wanted = port;
    return this;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  init(_ctx: InitContext): void {
    if (this.wanted === undefined) return;
    const wanted = this.wanted;
    let path: string | undefined;
    if (typeof wanted === "string" && wanted.startsWith("/")) path = wanted;
    else {
      const ports = listMidiPorts();
      path = (typeof wanted === "number" ? ports[wanted] : ports.find((p) => p.name.toLowerCase().includes(wanted.toLowerCase())))?.path;
      if (!path) {
        this.failure = ports.length === 0 ? `this machine has no MIDI ports (no /dev/snd/midi*): MidiOut "${this.name}" sends nothing` : `MidiOut "${this.name}": no MIDI port ${JSON.stringify(wanted)} (have: ${ports.map((p) => `${p.index} "${p.name}"`).join(", ")})`;
        control.warnOnce(ports.length === 0 ? "midi-none-out" : `midi-missing-out:${wanted}`, `MIDI: ${this.failure}`);
        return;
      }
    }
    this.port = control.bytePorts.acquire(path, "midi-out");
    if (this.port.failure) {
      this.failure = `MidiOut "${this.name}": ${this.port.failure}`;
      control.warnOnce(`midi-open-out:${path}`, `MIDI: ${this.failure}`);
    }
  }

  cook(_ctx: CookContext): void {}

  /** Writes one message. */
  send(event: MidiEvent): void {
    const bytes = encodeMidi(event);
    if (!this.port) return;
    this.port.write(bytes);
    this.port.counters.total++;
    this.port.counters.lastAddress = event.type;
  }

  noteOn(note: number, velocity = 100, channel = 1): void {
    this.send({ type: "noteOn", channel, note, velocity });
  }

  noteOff(note: number, channel = 1, velocity = 0): void {
    this.send({ type: "noteOff", channel, note, velocity });
  }

  sendCC(controller: number, value: number, channel = 1): void {
    this.send({ type: "cc", channel, controller, value });
  }

  programChange(program: number, channel = 1): void {
    this.send({ type: "programChange", channel, program });
  }

  /** Pitch bend, -1..1 (0 is centre). */
  sendPitchBend(value: number, channel = 1): void {
    this.send({ type: "pitchBend", channel, value });
  }

  /** Controller 123 (all notes off) on `channel`, or on all 16. */
  allNotesOff(channel?: number): void {
    for (const c of channel ? [channel] : Array.from({ length: 16 }, (_, i) => i + 1)) this.sendCC(123, 0, c);
  }

  /** All sound off (controller 120) and all notes off on every channel. */
  panic(): void {
    for (let c = 1; c <= 16; c++) {
      this.sendCC(120, 0, c);
      this.sendCC(123, 0, c);
    }
  }

  override dispose(): void {
    if (this.port) control.bytePorts.release(this.port);
    this.port = undefined;
    super.dispose();
  }
}
defineOperator(MidiOut);
