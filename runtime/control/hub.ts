/**
 * Live control from outside: the process-wide place where OSC (and MIDI, serial) input arrives and
 * where it is applied. OSC sockets live on their own thread (runtime/control/osc-socket-worker.ts),
 * which decodes every datagram and posts batches here; device files (MIDI, serial) are read by a
 * timer. Both only queue: the engine drains the queue at the start of each frame, before
 * `update(ctx)`, and only there are values stored, handlers run and params set. (The original applied
 * its WebSocket params from the socket thread: a race this does not repeat.)
 *
 * Sockets are held by port, with a reference count kept here, not by the operators: a reload builds the
 * new chain's `OscIn` (which takes a reference) before the old one is released, so the port stays open
 * across reloads, is never bound twice (no EADDRINUSE from ourselves) and no datagram is lost: the
 * queue does not belong to any chain version, and the first frame of the new chain drains what
 * arrived during the reload.
 *
 * Auto-mapping: while a receiver with auto-mapping on exists (every `OscIn` unless `.autoMap(false)`,
 * and `--osc <port>`), `/<operator>/<param> <value…>` sets that param of the running chain at the next
 * frame boundary: checked against its declared type, clamped to its declared range (see
 * runtime/chain/params.ts `normalize`), vectors and colours from several floats. An unknown param or a
 * bad value is counted and shown once per address, never thrown into the frame. `/vivid/…` addresses
 * are queries answered over OSC to the sender.
 */
import dgram from "node:dgram";
import type { Chain } from "../chain/chain.ts";
import type { Operator, OperatorClass } from "../chain/operator.ts";
import { components, describe, normalize, type ParamDecl, type ParamValue } from "../chain/params.ts";
import { suggest } from "../reload/errors.ts";
import { BytePorts } from "./byte-port.ts";
import { SourceCounters } from "./counters.ts";
import { applyMidiMappings, MidiInput, MidiMappings } from "./midi.ts";
import { SerialInput } from "./serial.ts";
import { encodeMessage, type OscArg, type OscMessage, type TypedOscArg } from "./osc-codec.ts";
import type { FromSockets, ToSockets } from "./osc-socket-worker.ts";

export { SourceCounters };

/** Messages held while no frame drains them (a paused run, a flood); past it new ones are dropped and counted. */
export const QUEUE_LIMIT = 65_536;
/** Distinct addresses whose problems have been shown; past it problems are still counted, not shown. */
const SHOWN_LIMIT = 256;

/** Where a message came from, to answer it. */
export interface Sender {
  address: string;
  port: number;
}

/** An operator of the running chain that wants OSC messages (OscIn): the hub hands it each one at the drain. */
export interface OscListener {
  readonly oscPort: number;
  /** Runs its handlers for `message`; returns whether any pattern matched. */
  receiveOsc(message: OscMessage): boolean;
}

function isOscListener(op: Operator): op is Operator & OscListener {
  return typeof (op as Partial<OscListener>).receiveOsc === "function" && typeof (op as Partial<OscListener>).oscPort === "number";
}

/** Binds per port in this process: a receiver closed and made again shows as a second bind. */
const bindsByPort = new Map<number, number>();

/** One UDP port we listen on, shared by every OscIn (of every chain version) on it. */
export class OscReceiver {
  /** Whether the sockets thread has a socket for it (bound, or binding). */
  bound = false;
  refs = 0;
  /** How many times this process has bound the port (counted by port, not by receiver): stays 1 across reloads. */
  get opened(): number {
    return bindsByPort.get(this.port) ?? 0;
  }
  state: "opening" | "open" | "failed" = "opening";
  /** Why it failed (the port in use), for `OscIn.status`. */
  failure?: string;
  /** Auto-mapping through this port: on unless an OscIn on it turned it off. */
  autoMap = true;
  /** The latest arguments of each address received (what `OscIn.value` reads), updated at the drain. */
  readonly values = new Map<string, OscArg[]>();
  readonly counters: SourceCounters;

  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    this.counters = new SourceCounters(`osc:${port}`);
  }
}

interface Queued {
  message: OscMessage;
  from: Sender;
  receiver: OscReceiver;
}

export interface ControlSourceSummary {
  source: string;
  messagesPerS: number;
  mappedPerS: number;
  total: number;
  lastAddress: string | null;
  errors: number;
  dropped: number;
  clamped: number;
  /** Times the port was opened (OSC receivers only). */
  opened?: number;
  /** Params set from outside in the last second, the last value of each ("noise.scale": 9). */
  changes: Record<string, ParamValue>;
}

export class ControlHub {
  private readonly receivers = new Map<number, OscReceiver>();
  private queue: Queued[] = [];
  private readonly listenersByChain = new WeakMap<Chain, Array<Operator & OscListener>>();
  /** Problems shown once per key (kind and address). */
  private readonly shown = new Set<string>();
  /** Other sources (MIDI, serial, OSC out) register their counters here for the stats stream. */
  private readonly extraSources = new Set<SourceCounters>();
  private sendSocket?: dgram.Socket;
  /** The sockets thread (runtime/control/osc-socket-worker.ts), started with the first receiver. */
  private socketsThread?: Worker;
  private readonly midiInputs = new Map<string, MidiInput>();
  private readonly serialInputs = new Map<string, SerialInput>();
  /** `ctx.midi`: controller → param mappings, by name, for the whole process (runtime/control/midi.ts). */
  readonly midiMappings = new MidiMappings();
  /** Counts drains (one per frame): what "this frame's events" of a MIDI or serial input compare with. */
  frameSerial = 0;
  /** Serial ports, raw MIDI ports and pseudo-terminals, held by path across reloads. */
  readonly bytePorts = new BytePorts((counters) => this.addSource(counters));
  /** Where problems are shown (main.ts: the stats stream and the dashboard). Each is shown once. */
  onWarning: (message: string) => void = (message) => console.error(`vivid: ${message}`);
  /** `/vivid/reload`: main.ts queues a reload; undefined where there is none (a batch run). */
  onReloadRequest?: () => void;
  /** `/vivid/snapshot`: main.ts writes one at the end of the frame and calls `done` with its path. */
  onSnapshotRequest?: (done: (path: string | null) => void) => void;

  /**
   * Takes a reference to the receiver on `port`, binding it the first time (or again after it
   * failed). The bind is asynchronous: a port in use is reported through `onWarning`, naming the
   * port and what to try, and the receiver's `state` says "failed".
   */
  acquireOsc(port: number, host = "127.0.0.1"): OscReceiver {
    let receiver = this.receivers.get(port);
    if (!receiver) {
      receiver = new OscReceiver(port, host);
      this.receivers.set(port, receiver);
    }
    receiver.refs++;
    if (!receiver.bound) this.bind(receiver);
    return receiver;
  }

  /** Gives a reference back; the last one closes the socket. */
  releaseOsc(receiver: OscReceiver): void {
    if (--receiver.refs > 0) return;
    if (this.receivers.get(receiver.port) === receiver) this.receivers.delete(receiver.port);
    // Closed whether it has bound yet or not (a chain replaced within the bind's few milliseconds).
    if (receiver.bound) this.toSockets({ type: "close", port: receiver.port });
    receiver.bound = false;
  }

  /** The receiver on `port`, if one is held. */
  receiver(port: number): OscReceiver | undefined {
    return this.receivers.get(port);
  }

  private bind(receiver: OscReceiver): void {
    receiver.bound = true;
    receiver.state = "opening";
    receiver.failure = undefined;
    this.toSockets({ type: "bind", port: receiver.port, host: receiver.host });
  }

  private toSockets(request: ToSockets): void {
    if (!this.socketsThread) {
      const thread = new Worker(new URL("./osc-socket-worker.ts", import.meta.url).href);
      // The sockets must not keep a finished run alive.
      (thread as Worker & { unref(): void }).unref();
      thread.onmessage = (event: MessageEvent<FromSockets>) => this.fromSockets(event.data);
      thread.onerror = (event) => this.onWarning(`OSC: the sockets thread failed: ${event.message}`);
      this.socketsThread = thread;
    }
    this.socketsThread.postMessage(request);
  }

  /** What the sockets thread reports: binds, failures, and batches of decoded messages to queue. */
  private fromSockets(report: FromSockets): void {
    const receiver = this.receivers.get(report.port);
    if (!receiver || !receiver.bound) return; // released meanwhile
    switch (report.type) {
      case "listening":
        receiver.state = "open";
        bindsByPort.set(receiver.port, (bindsByPort.get(receiver.port) ?? 0) + 1);
        return;
      case "failed":
        receiver.state = "failed";
        receiver.bound = false;
        receiver.failure =
          report.code === "EADDRINUSE"
            ? `UDP port ${receiver.port} is in use (another vivid, or an OSC program such as TouchOSC Bridge or Max, holds it): close that program, or listen on another port (oscIn.port(${receiver.port + 1}) in the chain, or --osc ${receiver.port + 1})`
            : report.code === "EACCES"
              ? `UDP port ${receiver.port} may not be bound by this user (ports below 1024 need root): use a port from 1024 up, e.g. 8000`
              : `UDP port ${receiver.port} could not be opened: ${report.message}`;
        this.onWarning(`OSC: ${receiver.failure}`);
        return;
      case "socket-error":
        this.warnOnce(`socket:${receiver.port}:${report.code}`, `OSC port ${receiver.port}: ${report.message}`);
        return;
      case "garbage":
        receiver.counters.errors++;
        this.warnOnce(`garbage:${receiver.port}:${report.address}`, `OSC port ${receiver.port}: a datagram from ${report.address}:${report.remotePort} is not OSC (${report.length} bytes: ${report.reason}); such datagrams are counted, not shown again`);
        return;
      case "messages":
        for (const [message, address, port] of report.messages) {
          if (this.queue.length >= QUEUE_LIMIT) {
            receiver.counters.dropped++;
            continue;
          }
          this.queue.push({ message, from: { address, port }, receiver });
        }
        return;
    }
  }

  /** Messages waiting for the next frame. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * The frame boundary: stores every queued message's values, runs the running chain's OSC handlers,
   * auto-maps params and answers queries. `report` gets a handler's throw (it is the chain's error, not
   * ours). Called by the engine before `update(ctx)`.
   */
  drain(chain: Chain | undefined, report: (error: unknown) => void): void {
    this.frameSerial++;
    if (this.queue.length > 0) this.drainOsc(chain, report);
    for (const input of this.midiInputs.values()) {
      if (input.queue.length === 0) {
        if (input.frameEvents.length > 0) input.frameEvents = [];
        input.frameSerial = this.frameSerial;
        continue;
      }
      for (const event of input.apply(this.frameSerial)) {
        if (event.type === "cc" && chain) applyMidiMappings(this, this.midiMappings, chain, event, input);
      }
    }
    for (const input of this.serialInputs.values()) input.apply(this.frameSerial);
  }

  /** Takes a reference to the MIDI input at `path` (a raw MIDI device, a serial MIDI adapter, a pseudo-terminal). */
  acquireMidiIn(path: string): MidiInput {
    const port = this.bytePorts.acquire(path, "midi");
    let input = this.midiInputs.get(path);
    if (!input || input.port !== port) {
      const created = new MidiInput(port);
      port.onData((bytes) => created.receive(bytes));
      this.midiInputs.set(path, created);
      input = created;
    }
    return input;
  }

  releaseMidiIn(input: MidiInput): void {
    this.bytePorts.release(input.port);
    if (input.port.refs <= 0 && this.midiInputs.get(input.port.path) === input) this.midiInputs.delete(input.port.path);
  }

  /** Takes a reference to the serial input at `path`, at `baudRate` when it opens it. */
  acquireSerialIn(path: string, baudRate: number): SerialInput {
    const port = this.bytePorts.acquire(path, "serial", baudRate);
    let input = this.serialInputs.get(path);
    if (!input || input.port !== port) {
      const created = new SerialInput(port);
      port.onData((bytes) => created.receive(bytes));
      this.serialInputs.set(path, created);
      input = created;
    }
    return input;
  }

  releaseSerialIn(input: SerialInput): void {
    this.bytePorts.release(input.port);
    if (input.port.refs <= 0 && this.serialInputs.get(input.port.path) === input) this.serialInputs.delete(input.port.path);
  }

  private drainOsc(chain: Chain | undefined, report: (error: unknown) => void): void {
    const queue = this.queue;
    this.queue = [];
    const listeners = chain ? this.listenersOf(chain) : [];
    for (const { message, from, receiver } of queue) {
      const counters = receiver.counters;
      counters.total++;
      counters.lastAddress = message.address;
      receiver.values.set(message.address, message.args);
      if (message.address.startsWith("/vivid/")) {
        this.answer(chain, message, from, receiver);
        continue;
      }
      let handled = false;
      for (const listener of listeners) {
        if (listener.oscPort !== receiver.port) continue;
        try {
          if (listener.receiveOsc(message)) handled = true;
        } catch (error) {
          report(error);
        }
      }
      if (chain && receiver.autoMap) this.autoMap(chain, message, counters, handled);
    }
  }

  private listenersOf(chain: Chain): Array<Operator & OscListener> {
    let listeners = this.listenersByChain.get(chain);
    if (!listeners) {
      listeners = chain.all().filter(isOscListener);
      this.listenersByChain.set(chain, listeners);
    }
    return listeners;
  }

  /**
   * `/<operator>/<param> <value…>`: sets the param of the running chain. An address of another shape,
   * or whose first part is no operator, is the chain's own (a handler's, `value()`'s): not an error.
   */
  private autoMap(chain: Chain, message: OscMessage, counters: SourceCounters, handled: boolean): void {
    const address = message.address;
    const slash = address.indexOf("/", 1);
    if (slash < 0 || address.indexOf("/", slash + 1) >= 0) return;
    const opName = address.slice(1, slash);
    const paramName = address.slice(slash + 1);
    if (!chain.has(opName)) return;
    const result = this.setParam(chain.get(opName), paramName, message.args, counters);
    if (result === "unknown" && !handled) {
      counters.errors++;
      const op = chain.get(opName);
      const names = Object.keys((op.constructor as OperatorClass).params);
      this.warnOnce(`unknown:${address}`, `OSC ${address}: ${op.typeName} "${opName}" has no param "${paramName}"${suggest(paramName, names)} (params: ${names.join(", ") || "none"}); counted, not shown again`);
    }
  }

  /**
   * Sets `op.<paramName>` from OSC arguments, as `/op/param` does. Returns what happened; bad values
   * are counted and shown once. (MIDI mappings use it too.)
   */
  setParam(op: Operator, paramName: string, args: readonly OscArg[], counters: SourceCounters, label = `OSC /${op.name}/${paramName}`): "set" | "unknown" | "bad" {
    const decl = (op.constructor as OperatorClass).params[paramName];
    if (!decl) return "unknown";
    let value: ParamValue;
    let clamped = false;
    try {
      value = normalize(op.name, paramName, decl, fromArgs(decl, args), () => (clamped = true));
    } catch (error) {
      counters.errors++;
      this.warnOnce(`bad:${label}`, `${label} ${args.map((a) => describe(a)).join(" ")}: ${error instanceof Error ? error.message : String(error)} (${expected(decl)}); ignored, counted, not shown again`);
      return "bad";
    }
    if (clamped) {
      counters.clamped++;
      this.warnOnce(`range:${label}`, `${label} ${args.map((a) => describe(a)).join(" ")} is outside ${op.name}.${paramName}'s range ${decl.min ?? "…"}..${decl.max ?? "…"}: clamped to ${describe(value)} (shown once)`);
    }
    op.setParam(paramName, value);
    counters.mapped++;
    counters.recordChange(`${op.name}.${paramName}`, value);
    return "set";
  }

  /** `/vivid/param [address]`, `/vivid/reload`, `/vivid/snapshot`: answered to the sender from the same port. */
  private answer(chain: Chain | undefined, message: OscMessage, from: Sender, receiver: OscReceiver): void {
    const reply = (address: string, ...args: OscArg[]) => {
      try {
        this.toSockets({ type: "reply", port: receiver.port, bytes: encodeMessage(address, args), address: from.address, remotePort: from.port });
      } catch (error) {
        this.warnOnce(`reply:${from.address}`, `OSC reply to ${from.address}:${from.port} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    switch (message.address) {
      case "/vivid/reload":
        if (this.onReloadRequest) {
          this.onReloadRequest();
          reply("/vivid/reload", "queued");
        } else reply("/vivid/reload", "unavailable");
        return;
      case "/vivid/snapshot":
        if (this.onSnapshotRequest) this.onSnapshotRequest((path) => reply("/vivid/snapshot", path ?? "failed"));
        else reply("/vivid/snapshot", "unavailable");
        return;
      case "/vivid/param": {
        if (!chain) return reply("/vivid/param", "no chain");
        const asked = message.args[0];
        for (const [address, value] of paramsOf(chain, typeof asked === "string" ? asked : undefined)) {
          reply("/vivid/param", address, ...(Array.isArray(value) ? (value as number[]) : [value as OscArg]));
        }
        return;
      }
      default:
        receiver.counters.errors++;
        this.warnOnce(`vivid:${message.address}`, `OSC ${message.address}: not a query (there are /vivid/param, /vivid/reload, /vivid/snapshot)`);
    }
  }

  /** Sends one OSC message to host:port from one shared, unbound socket. */
  sendOsc(host: string, port: number, address: string, args: ReadonlyArray<OscArg | TypedOscArg>, counters?: SourceCounters): void {
    const bytes = encodeMessage(address, args);
    if (!this.sendSocket) {
      this.sendSocket = dgram.createSocket("udp4");
      this.sendSocket.on("error", (error) => this.warnOnce(`send:${error.message}`, `OSC send: ${error.message}`));
      this.sendSocket.unref();
    }
    this.sendSocket.send(bytes, port, host);
    if (counters) {
      counters.total++;
      counters.lastAddress = address;
    }
  }

  /** Adds counters of another source (MIDI, serial, OSC out) to the stats stream; returns the function that removes them. */
  addSource(counters: SourceCounters): () => void {
    this.extraSources.add(counters);
    return () => this.extraSources.delete(counters);
  }

  /** Shows `message` the first time `key` comes up. */
  warnOnce(key: string, message: string): void {
    if (this.shown.has(key) || this.shown.size >= SHOWN_LIMIT) return;
    this.shown.add(key);
    this.onWarning(message);
  }

  /**
   * One summary per source for the stats stream, with the messages of the last second; called once a
   * second by the stats hub (each call starts a new second): every OSC port held, then every other
   * source open (MIDI, serial, OSC destinations).
   */
  summaries(): ControlSourceSummary[] {
    const out: ControlSourceSummary[] = [];
    const add = (counters: SourceCounters, opened?: number) => {
      const second = counters.takeSecond();
      out.push({
        source: counters.name,
        messagesPerS: second.messages,
        mappedPerS: second.mapped,
        total: counters.total,
        lastAddress: counters.lastAddress,
        errors: counters.errors,
        dropped: counters.dropped,
        clamped: counters.clamped,
        ...(opened !== undefined ? { opened } : {}),
        changes: second.changes as Record<string, ParamValue>,
      });
    };
    for (const receiver of this.receivers.values()) add(receiver.counters, receiver.opened);
    for (const counters of this.extraSources) add(counters);
    return out;
  }

  /** Closes every OSC socket (tests; a process's sockets are unref'd and close with it). */
  closeAll(): void {
    for (const receiver of this.receivers.values()) {
      receiver.refs = 1;
      this.releaseOsc(receiver);
    }
    this.sendSocket?.close();
    this.sendSocket = undefined;
    this.socketsThread?.terminate();
    this.socketsThread = undefined;
    this.queue = [];
  }
}

/** OSC arguments → the value a param of `decl`'s type takes (normalize then checks and clamps it). */
function fromArgs(decl: ParamDecl, args: readonly OscArg[]): unknown {
  const first = args[0];
  switch (decl.type) {
    case "float":
    case "int":
      return typeof first === "boolean" ? Number(first) : first;
    case "bool":
      return typeof first === "number" ? first !== 0 : first;
    case "enum":
      // A controller sends numbers: an index into the options, as the uniform holds it.
      return typeof first === "number" && Number.isInteger(first) ? (decl.options![first] ?? first) : first;
    case "path":
      return first;
    default:
      return args.length === 1 ? first : [...args];
  }
}

function expected(decl: ParamDecl): string {
  switch (decl.type) {
    case "float":
    case "int":
      return `expects one number, ${decl.min ?? "…"}..${decl.max ?? "…"}`;
    case "bool":
      return "expects T/F or a number (0 is false)";
    case "enum":
      return `expects one of ${decl.options!.join(", ")} or its index`;
    case "path":
      return "expects a string";
    default:
      return `expects ${components(decl.type)}${decl.type === "color" ? " (or 3)" : ""} floats`;
  }
}

/** Every `/op/param` address of the chain with its value, or the one asked for (`/op/param` or `op.param`). */
function paramsOf(chain: Chain, asked: string | undefined): Array<[string, ParamValue]> {
  const out: Array<[string, ParamValue]> = [];
  const wanted = asked?.replace(/^\//, "").replace(".", "/");
  for (const op of chain.all()) {
    for (const name of Object.keys((op.constructor as OperatorClass).params)) {
      const address = `${op.name}/${name}`;
      if (wanted !== undefined && wanted !== address) continue;
      out.push([`/${address}`, op.getParam(name)]);
    }
  }
  return out;
}

/**
 * The one hub of the process: sockets are the process's, and every engine (there is one in `bun
 * vivid`) drains the same queue.
 */
export const control = new ControlHub();

export type { OscArg, OscMessage };
