import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { control, SourceCounters } from "../../runtime/control/hub.ts";
import type { OscArg, TypedOscArg } from "../../runtime/control/osc-codec.ts";

/** Counters per destination, kept across reloads (so the stats stream's totals go on). */
const destinations = new Map<string, { counters: SourceCounters; refs: number; remove: () => void }>();

/**
 * Sends OSC over UDP (default 127.0.0.1:9000, as the original's OscOut). `send(address, ...args)`:
 * numbers go as float32, strings as strings, booleans as T/F; `{ type: "i", value: 3 }` picks a tag.
 * Sending is a non-blocking datagram from one socket the control hub shares.
 */
export class OscOut extends Operator {
  static override readonly description = "OSC over UDP out (default 127.0.0.1:9000): send(address, ...args)";
  static override readonly outputKind: OutputKind = "value";
  static override readonly params = {};

  private destHost = "127.0.0.1";
  private destPort = 9000;
  private counters?: SourceCounters;

  /** Where to send (default 127.0.0.1). */
  host(host: string): this {
    this.destHost = host;
    this.retarget();
    return this;
  }

  /** The UDP port to send to (default 9000). */
  port(port: number): this {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`${this.name}.port(${port}): expects a whole number in 1..65535`);
    this.destPort = port;
    this.retarget();
    return this;
  }

  /** Sends one message now. */
  send(address: string, ...args: Array<OscArg | TypedOscArg>): void {
    control.sendOsc(this.destHost, this.destPort, address, args, this.counters);
  }

  init(_ctx: InitContext): void {
    this.retarget();
  }

  cook(_ctx: CookContext): void {}

  private retarget(): void {
    if (this.scope === undefined) return;
    this.releaseCounters();
    const key = `osc-out:${this.destHost}:${this.destPort}`;
    let entry = destinations.get(key);
    if (!entry) {
      const counters = new SourceCounters(key);
      entry = { counters, refs: 0, remove: control.addSource(counters) };
      destinations.set(key, entry);
    }
    entry.refs++;
    this.counters = entry.counters;
  }

  private releaseCounters(): void {
    if (!this.counters) return;
    const entry = destinations.get(this.counters.name);
    this.counters = undefined;
    if (entry && --entry.refs <= 0) {
      entry.remove();
      destinations.delete(entry.counters.name);
    }
  }

  override dispose(): void {
    this.releaseCounters();
    super.dispose();
  }
}
defineOperator(OscOut);
