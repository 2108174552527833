/**
 * OSC 1.0 packets to and from bytes, through osc.js (the npm package `osc`, Colin Clark's, the most
 * used OSC library for JavaScript). Only its codec module (`osc/src/osc.js`) is loaded: no transports,
 * no serial port, nothing native; it runs under Bun as it is (tests/runtime/control/osc-codec.test.ts).
 *
 * A bundle is flattened into its messages, in order, nested bundles included. Their time tags are not
 * scheduled: everything that arrives is applied at the next frame boundary (a frame is ~16 ms, finer
 * scheduling would wait for a frame anyway).
 */
// @ts-expect-error osc.js ships no types for its codec module
import oscCodec from "osc/src/osc.js";

/** One OSC argument as the chain sees it: numbers (i, f, d, h), strings (s, S, c), booleans (T, F), blobs, nil/impulse as null. */
export type OscArg = number | string | boolean | Uint8Array | null;

/** One received or sent message. */
export interface OscMessage {
  address: string;
  args: OscArg[];
}

/** An argument with its OSC type tag, for a sender that wants an int ("i") where a float would go. */
export interface TypedOscArg {
  type: "i" | "f" | "d" | "s" | "T" | "F" | "N" | "b" | "h";
  value?: unknown;
}

interface CodecArg {
  type: string;
  value?: unknown;
}
interface CodecPacket {
  address?: string;
  args?: CodecArg[];
  packets?: CodecPacket[];
}

const READ_OPTIONS = { metadata: true, unpackSingleArgs: false };

/** Decodes a datagram into its messages (a bundle's, flattened). Throws on bytes that are not OSC. */
export function decodePacket(bytes: Uint8Array): OscMessage[] {
  const packet = oscCodec.readPacket(bytes, READ_OPTIONS) as CodecPacket;
  const out: OscMessage[] = [];
  flatten(packet, out, 0);
  return out;
}

function flatten(packet: CodecPacket, out: OscMessage[], depth: number): void {
  if (depth > 16) throw new Error("OSC bundle nested more than 16 deep");
  if (packet.packets) {
    for (const inner of packet.packets) flatten(inner, out, depth + 1);
    return;
  }
  if (typeof packet.address !== "string" || !packet.address.startsWith("/")) throw new Error(`not an OSC address: ${String(packet.address)}`);
  out.push({ address: packet.address, args: (packet.args ?? []).map(fromCodec) });
}

function fromCodec(arg: CodecArg): OscArg {
  switch (arg.type) {
    case "T":
      return true;
    case "F":
      return false;
    case "N":
    case "I":
      return null;
    case "h":
    case "t": {
      // 64-bit values arrive as Long objects; as a number they lose precision past 2^53, which a param never needs.
      const long = arg.value as { toNumber?: () => number } | number;
      return typeof long === "number" ? long : (long.toNumber?.() ?? Number(long));
    }
    case "r":
    case "m":
      return null;
    default:
      return arg.value as OscArg;
  }
}

/**
 * Encodes one message. A JS number is sent as a float32 ("f", what TouchOSC and most controllers send
 * and expect), a string as "s", a boolean as T/F, a Uint8Array as a blob, null as nil; `{ type, value }`
 * picks the type tag.
 */
export function encodeMessage(address: string, args: ReadonlyArray<OscArg | TypedOscArg>): Uint8Array {
  if (typeof address !== "string" || !address.startsWith("/")) throw new TypeError(`OSC address must start with "/", got ${JSON.stringify(address)}`);
  return oscCodec.writePacket({ address, args: args.map(toCodec) }, { metadata: true }) as Uint8Array;
}

/** Encodes a bundle (time tag "immediately") of messages. */
export function encodeBundle(messages: ReadonlyArray<{ address: string; args: ReadonlyArray<OscArg | TypedOscArg> }>): Uint8Array {
  const packets = messages.map((m) => ({ address: m.address, args: m.args.map(toCodec) }));
  return oscCodec.writePacket({ timeTag: { raw: [0, 1] }, packets }, { metadata: true }) as Uint8Array;
}

function toCodec(arg: OscArg | TypedOscArg): CodecArg {
  if (arg === null) return { type: "N" };
  if (typeof arg === "number") {
    if (!Number.isFinite(arg)) throw new TypeError(`OSC argument must be finite, got ${arg}`);
    return { type: "f", value: arg };
  }
  if (typeof arg === "string") return { type: "s", value: arg };
  if (typeof arg === "boolean") return { type: arg ? "T" : "F" };
  if (arg instanceof Uint8Array) return { type: "b", value: arg };
  if (typeof arg === "object" && typeof arg.type === "string") return arg.type === "T" || arg.type === "F" || arg.type === "N" ? { type: arg.type } : { type: arg.type, value: arg.value };
  throw new TypeError(`cannot send ${typeof arg} as an OSC argument`);
}
