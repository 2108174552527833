/**
 * Serial lines in, and the Enttec DMX USB Pro packet out.
 *
 * A serial input's bytes (runtime/control/byte-port.ts reads them off the frame path) are split into
 * lines (LF, with an optional CR before it) and queued; at the frame boundary the lines become this
 * frame's, the last one is `lastLine`, and its comma-separated fields are `values` (the original's
 * `getValues()`: an Arduino printing `512,1023,0` gives [512, 1023, 0]).
 */
import type { BytePort } from "./byte-port.ts";

/** A line longer than this without a newline is cut off there and counted as an error (a device sending binary). */
const LINE_LIMIT = 4096;
const QUEUE_LIMIT = 4096;

/** The numbers of a CSV line: fields split on commas (or semicolons, tabs), each trimmed; a field that is not a number is NaN. */
export function parseCsvNumbers(line: string): number[] {
  if (line.trim() === "") return [];
  return line.split(/[,;\t]/).map((field) => {
    const text = field.trim();
    return text === "" ? Number.NaN : Number(text);
  });
}

export class SerialInput {
  private readonly decoder = new TextDecoder();
  private partial = "";
  queue: string[] = [];
  lastLine = "";
  values: number[] = [];
  frameLines: string[] = [];
  frameSerial = -1;

  constructor(readonly port: BytePort) {}

  /** The reader's chunk (off the frame path): split into lines and queued. */
  receive(bytes: Uint8Array): void {
    let text = this.partial + this.decoder.decode(bytes, { stream: true });
    let newline = text.indexOf("\n");
    while (newline >= 0) {
      const line = text.slice(0, newline).replace(/\r$/, "");
      if (this.queue.length < QUEUE_LIMIT) this.queue.push(line);
      else this.port.counters.dropped++;
      text = text.slice(newline + 1);
      newline = text.indexOf("\n");
    }
    if (text.length > LINE_LIMIT) {
      this.port.counters.errors++;
      text = "";
    }
    this.partial = text;
  }

  /** The frame boundary: queued lines become this frame's; the last one sets lastLine and values. */
  apply(frameSerial: number): void {
    this.frameSerial = frameSerial;
    if (this.queue.length === 0) {
      if (this.frameLines.length > 0) this.frameLines = [];
      return;
    }
    this.frameLines = this.queue;
    this.queue = [];
    for (const line of this.frameLines) {
      this.port.counters.total++;
      this.port.counters.lastAddress = line.length > 40 ? `${line.slice(0, 39)}…` : line;
    }
    this.lastLine = this.frameLines.at(-1)!;
    this.values = parseCsvNumbers(this.lastLine);
  }
}

/** DMX512 channels in a universe. */
export const DMX_CHANNELS = 512;

/**
 * The Enttec DMX USB Pro "Output Only Send DMX Packet" request (label 6), as its API document lays it
 * out: 0x7E start, label, data length LSB and MSB (513: the DMX start code and 512 channels), the
 * start code 0x00, the 512 channel levels, 0xE7 end: 518 bytes.
 */
export function enttecDmxPacket(channels: Uint8Array): Uint8Array {
  if (channels.length !== DMX_CHANNELS) throw new RangeError(`a DMX universe has ${DMX_CHANNELS} channels, got ${channels.length}`);
  const length = DMX_CHANNELS + 1;
  const packet = new Uint8Array(length + 5);
  packet[0] = 0x7e;
  packet[1] = 6;
  packet[2] = length & 0xff;
  packet[3] = length >> 8;
  packet[4] = 0x00;
  packet.set(channels, 5);
  packet[packet.length - 1] = 0xe7;
  return packet;
}
