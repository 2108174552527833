import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { control, type OscReceiver } from "../../runtime/control/hub.ts";
import type { OscArg, OscMessage } from "../../runtime/control/osc-codec.ts";
import { matchAddress } from "../../runtime/control/osc-pattern.ts";

/** A handler of `OscIn.onMessage`: the message's arguments and its address. */
export type OscHandler = (args: OscArg[], address: string) => void;

/**
 * Receives OSC over UDP (default port 8000, as the original's OscIn): messages and bundles, address
 * patterns (`*`, `?`, `[..]`, `{..}`) in `onMessage` and `has`. While it exists, every param is
 * reachable as `/<operator>/<param> <value…>` (auto-mapping, see runtime/control/hub.ts; `.autoMap(false)`
 * turns it off for this port).
 *
 * The socket is not this operator's: it is held by the control hub by port, so a reload (which makes
 * a new OscIn under the same name) keeps the port open and loses no message. Messages are applied at
 * the start of the frame, before `update(ctx)`: `value()` and `has()` read what arrived until then,
 * and the `onMessage` handlers run then, in arrival order.
 *
 * Deviations: the original's `getFloat(addr)` / `getInt(addr)` are `value(addr, index)`; its
 * `hasMessage` is `has`. It has no params (the original's neither); the port is `port(n)`.
 */
export class OscIn extends Operator {
  static override readonly description = "OSC over UDP in (default port 8000): values, patterns, handlers; /op/param sets any param";
  static override readonly outputKind: OutputKind = "value";
  static override readonly params = {};

  /** The port asked for (the listener's port, which the hub compares with each message's). */
  oscPort = 8000;
  private bindHost = "127.0.0.1";
  private autoMapping = true;
  private receiver?: OscReceiver;
  private handlers: Array<{ pattern: string; fn: OscHandler }> = [];

  /** Listens on UDP `port` (1..65535; default 8000). */
  port(port: number): this {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`${this.name}.port(${port}): expects a whole number in 1..65535`);
    if (port !== this.oscPort) {
      this.oscPort = port;
      this.dirty = true;
    }
    return this;
  }

  /**
   * The address to bind. Default 127.0.0.1, this machine only: anyone who reaches the port can set
   * params, reload and write snapshots. "0.0.0.0" (every interface) lets a phone or tablet on the
   * network in — the original's default, which is opt-in here.
   */
  host(host: string): this {
    this.bindHost = host;
    return this;
  }

  /** Turns auto-mapping (`/op/param value` sets the param) on or off for this port (default on). */
  autoMap(on: boolean): this {
    this.autoMapping = on;
    if (this.receiver) this.receiver.autoMap = on;
    return this;
  }

  /** "open", "opening", or "failed" (then `failure` says why, naming the port and what to try). */
  get status(): OscReceiver["state"] | "closed" {
    return this.receiver?.state ?? "closed";
  }

  get failure(): string | undefined {
    return this.receiver?.failure;
  }

  /** Argument `index` (default 0) of the latest message to `address`, as a number (T/F as 1/0); 0 before any. */
  value(address: string, index = 0): number {
    const arg = this.receiver?.values.get(address)?.[index];
    if (typeof arg === "number") return arg;
    if (typeof arg === "boolean") return arg ? 1 : 0;
    return 0;
  }

  /** The arguments of the latest message to `address`, or undefined before any. */
  args(address: string): OscArg[] | undefined {
    return this.receiver?.values.get(address);
  }

  /** Whether a message to `address` (or one matching the OSC pattern) has arrived since the port opened. */
  has(address: string): boolean {
    const values = this.receiver?.values;
    if (!values) return false;
    if (values.has(address)) return true;
    if (!/[*?[{]/.test(address)) return false;
    for (const received of values.keys()) if (matchAddress(address, received)) return true;
    return false;
  }

  /** Calls `fn(args, address)` for every message whose address matches the OSC `pattern`, at the start of the frame. */
  onMessage(pattern: string, fn: OscHandler): this {
    if (typeof pattern !== "string" || !pattern.startsWith("/")) throw new TypeError(`${this.name}.onMessage(${JSON.stringify(pattern)}, …): the pattern is an OSC address starting with "/"`);
    if (typeof fn !== "function") throw new TypeError(`${this.name}.onMessage("${pattern}", …): expects a function`);
    this.handlers.push({ pattern, fn });
    return this;
  }

  /** @internal The hub hands each message to the running chain's OscIn on its port (runtime/control/hub.ts). */
  receiveOsc(message: OscMessage): boolean {
    let matched = false;
    for (const { pattern, fn } of this.handlers) {
      // A pattern in the message's address (OSC's own direction) or in the handler's (a catch-all).
      if (!matchAddress(pattern, message.address) && !matchAddress(message.address, pattern)) continue;
      matched = true;
      fn(message.args, message.address);
    }
    return matched;
  }

  init(_ctx: InitContext): void {
    this.receiver = control.acquireOsc(this.oscPort, this.bindHost);
    this.receiver.autoMap = this.autoMapping;
  }

  cook(_ctx: CookContext): void {
    // A port changed while running (port(n) in update): move to it.
    if (this.receiver && this.receiver.port !== this.oscPort) {
      control.releaseOsc(this.receiver);
      this.receiver = control.acquireOsc(this.oscPort, this.bindHost);
      this.receiver.autoMap = this.autoMapping;
    }
  }

  override dispose(): void {
    if (this.receiver) control.releaseOsc(this.receiver);
    this.receiver = undefined;
    super.dispose();
  }
}
defineOperator(OscIn);
