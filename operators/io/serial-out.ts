import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { int, type ParamDecls } from "../../runtime/chain/params.ts";
import type { BytePort } from "../../runtime/control/byte-port.ts";
import { control } from "../../runtime/control/hub.ts";

/**
 * Writes to a serial port, as the original's SerialOut: `port(path)`, `baudRate`, `send(text or
 * bytes)`, `sendLine(text)` (with "\n"), `sendCSV(numbers)`. Writes are non-blocking; what the device
 * cannot take is counted (`dropped`), never waited for. The port is kept open across reloads.
 */
export class SerialOut extends Operator {
  static override readonly description: string = "Writes text, lines and bytes to a serial port";
  static override readonly outputKind: OutputKind = "value";
  static override readonly params: ParamDecls = {
    baudRate: int(9600, 300, 115200),
  };

  declare baudRate: number;

  private path?: string;
  protected serialPort?: BytePort;
  failure?: string;
  private readonly encoder = new TextEncoder();

  port(path: string): this {
    this.path = path;
    return this;
  }

  get isOpen(): boolean {
    return this.serialPort?.isOpen ?? false;
  }

  /** Bytes the device could not take (its buffer full). */
  get dropped(): number {
    return this.serialPort?.writeDropped ?? 0;
  }

  /** The baud rate the port is opened at. */
  protected get lineBaudRate(): number {
    return this.baudRate;
  }

  init(_ctx: InitContext): void {
    if (!this.path) return;
    this.serialPort = control.bytePorts.acquire(this.path, "serial-out", this.lineBaudRate);
    if (this.serialPort.failure) {
      this.failure = `${this.typeName} "${this.name}": ${this.serialPort.failure}`;
      control.warnOnce(`serial-open:${this.path}`, `serial: ${this.failure}`);
    }
  }

  cook(_ctx: CookContext): void {}

  send(data: string | Uint8Array): void {
    const port = this.serialPort;
    if (!port) return;
    port.write(typeof data === "string" ? this.encoder.encode(data) : data);
    port.counters.total++;
  }

  sendLine(text: string): void {
    this.send(`${text}\n`);
  }

  sendCSV(values: readonly number[]): void {
    this.sendLine(values.join(","));
  }

  override dispose(): void {
    if (this.serialPort) control.bytePorts.release(this.serialPort);
    this.serialPort = undefined;
    super.dispose();
  }
}
defineOperator(SerialOut);
