import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { int } from "../../runtime/chain/params.ts";
import { control } from "../../runtime/control/hub.ts";
import type { SerialInput } from "../../runtime/control/serial.ts";

/**
 * Lines from a serial port (an Arduino printing sensor values), as the original's SerialIn:
 * `port(path)` (e.g. "/dev/ttyUSB0", "/dev/ttyACM0"), `baudRate` (9600 default, 300..115200; set by
 * stty when the port opens), `lastLine`, `values` (the last line's comma-separated numbers),
 * `lines()` (this frame's). Bytes are read off the frame path and applied at the frame boundary; the
 * port is kept open across reloads. A port that cannot be opened is said once (naming the path and
 * what to try) and the chain runs on.
 */
export class SerialIn extends Operator {
  static override readonly description = "Lines from a serial port; values parsed from CSV";
  static override readonly outputKind: OutputKind = "value";
  static override readonly params = {
    baudRate: int(9600, 300, 115200),
  };

  declare baudRate: number;

  private path?: string;
  private serialInput?: SerialInput;
  failure?: string;

  /** The serial device to read. */
  port(path: string): this {
    this.path = path;
    return this;
  }

  get isOpen(): boolean {
    return this.serialInput?.port.isOpen ?? false;
  }

  init(_ctx: InitContext): void {
    if (!this.path) return;
    this.serialInput = control.acquireSerialIn(this.path, this.baudRate);
    if (this.serialInput.port.failure) {
      this.failure = `SerialIn "${this.name}": ${this.serialInput.port.failure}`;
      control.warnOnce(`serial-open:${this.path}`, `serial: ${this.failure}`);
    }
  }

  cook(_ctx: CookContext): void {}

  /** Lines received and waiting for the next frame boundary. */
  get queued(): number {
    return this.serialInput?.queue.length ?? 0;
  }

  /** The last complete line received ("" before any). */
  get lastLine(): string {
    return this.serialInput?.lastLine ?? "";
  }

  /** The last line's comma-separated fields as numbers (NaN for a field that is not one). */
  get values(): number[] {
    return this.serialInput?.values ?? [];
  }

  /** The lines that arrived for this frame. */
  lines(): string[] {
    const input = this.serialInput;
    return input && input.frameSerial === control.frameSerial ? input.frameLines : [];
  }

  override dispose(): void {
    if (this.serialInput) control.releaseSerialIn(this.serialInput);
    this.serialInput = undefined;
    super.dispose();
  }
}
defineOperator(SerialIn);
