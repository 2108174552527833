import { defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { int } from "../../runtime/chain/params.ts";
import { DMX_CHANNELS, enttecDmxPacket } from "../../runtime/control/serial.ts";
import { SerialOut } from "./serial-out.ts";

/** DMX512's refresh rate with a full universe: 44 frames a second. */
export const DMX_FRAMES_PER_SECOND = 44;

/**
 * DMX lights through an Enttec DMX USB Pro (the original's DMXOut): `port(path)` (the widget's serial
 * device, e.g. /dev/ttyUSB0), `channel(n, value)` (n 1..512, value 0..255), `rgb(start, r, g, b)`,
 * `rgbw(start, r, g, b, w)`, `blackout()`. Channel numbers count from `startChannel` (1: as written).
 * The universe is sent as the widget's "Output Only Send DMX" packet (runtime/control/serial.ts)
 * when it changed, at most DMX_FRAMES_PER_SECOND times a second (the widget repeats the last one to
 * the lights by itself), and once a second anyway, so a widget plugged in late gets it.
 *
 * `universe` is the original's param, kept for its contract: a DMX USB Pro drives one universe, so it
 * changes nothing here. It has no `baudRate` (the original's DMXOut has none): the widget is USB.
 */
export class DMXOut extends SerialOut {
  static override readonly description: string = "DMX lights through an Enttec DMX USB Pro: channel(n, v), rgb, blackout";
  static override readonly params = {
    universe: int(1, 1, 16),
    startChannel: int(1, 1, 512),
  };

  declare universe: number;
  declare startChannel: number;

  /** The widget is a USB device: the line's baud rate is not DMX's (250 kbit/s, made by the widget); 57600 is Enttec's example. */
  protected override get lineBaudRate(): number {
    return 57600;
  }

  /** The levels as sent (index 0 is channel 1). */
  readonly levels = new Uint8Array(DMX_CHANNELS);
  private changed = true;
  private lastSentMs = Number.NEGATIVE_INFINITY;
  /** Packets written so far. */
  packetsSent = 0;
  /** A clock for the rate limit (tests pass their own). */
  now: () => number = () => performance.now();

  /** Sets channel `n` (1..512, counted from startChannel) to `value` (0..255, rounded and clamped). */
  channel(n: number, value: number): this {
    const index = this.startChannel - 1 + n - 1;
    if (!Number.isInteger(n) || index < 0 || index >= DMX_CHANNELS) throw new RangeError(`${this.name}.channel(${n}, …): channels are 1..${DMX_CHANNELS - this.startChannel + 1} from startChannel ${this.startChannel}`);
    const level = Math.max(0, Math.min(255, Math.round(Number.isFinite(value) ? value : 0)));
    if (this.levels[index] !== level) {
      this.levels[index] = level;
      this.changed = true;
    }
    return this;
  }

  /** Three channels from `start`: red, green, blue (0..255). */
  rgb(start: number, r: number, g: number, b: number): this {
    return this.channel(start, r).channel(start + 1, g).channel(start + 2, b);
  }

  /** Four channels from `start`: red, green, blue, white. */
  rgbw(start: number, r: number, g: number, b: number, w: number): this {
    return this.rgb(start, r, g, b).channel(start + 3, w);
  }

  /** Every channel to 0. */
  blackout(): this {
    if (this.levels.some((level) => level !== 0)) {
      this.levels.fill(0);
      this.changed = true;
    }
    return this;
  }

  override isTimeDependent(): boolean {
    return true;
  }

  override cook(_ctx: CookContext): void {
    this.flush();
  }

  /** Writes the universe if it changed (or a second has passed) and the rate limit allows; returns whether it wrote. */
  flush(): boolean {
    const now = this.now();
    const since = now - this.lastSentMs;
    if (since < 1000 / DMX_FRAMES_PER_SECOND) return false;
    if (!this.changed && since < 1000) return false;
    if (!this.serialPort) return false;
    this.send(enttecDmxPacket(this.levels));
    this.lastSentMs = now;
    this.changed = false;
    this.packetsSent++;
    return true;
  }

  override adopt(previous: this): void {
    // The lights keep what they show: the new version starts from the levels sent.
    this.levels.set(previous.levels);
    this.lastSentMs = previous.lastSentMs;
    this.changed = previous.changed;
  }
}
defineOperator(DMXOut);
