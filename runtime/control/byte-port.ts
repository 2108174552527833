/**
 * A device file read and written as a byte stream: a serial port (/dev/ttyUSB0, /dev/ttyACM0), a raw
 * MIDI port (/dev/snd/midiC1D0), or a pseudo-terminal (what the tests use, from socat). Held by path
 * with a reference count, like the OSC sockets (runtime/control/hub.ts): a reload's new operator
 * takes the port before the old one gives it back, so it stays open and no byte is lost.
 *
 * Reading: the file is opened non-blocking and read every 4 ms from a timer, off the frame path;
 * what comes is handed to the port's listeners, which only queue it (the frame applies it). A
 * blocking read stream was tried first: under Bun a read blocked on a terminal kept the process from
 * exiting, and `tty.ReadStream` delivered every chunk twice (2026-12-06).
 *
 * Serial settings go through `stty` (coreutils): the baud rate and raw mode (no echo, no line
 * editing, no translation of bytes), as a serial device needs.
 */
import { spawnSync } from "node:child_process";
import { closeSync, constants, openSync, readSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import { SourceCounters } from "./counters.ts";

const POLL_MS = 4;
const READ_CHUNK = 4096;
/** Baud rates stty and the original's SerialIn accept. */
export const BAUD_RATES = [300, 600, 1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200, 230400, 250000, 460800, 921600] as const;

export class BytePort {
  private fd?: number;
  private timer?: ReturnType<typeof setInterval>;
  private readonly buffer = Buffer.alloc(READ_CHUNK);
  private readonly listeners = new Set<(bytes: Uint8Array) => void>();
  refs = 0;
  /** Why it could not be opened or configured, naming the path and what to try. */
  failure?: string;
  /** Bytes that could not be written (the other end not reading: the device's buffer full). */
  writeDropped = 0;
  readonly counters: SourceCounters;

  constructor(
    readonly path: string,
    readonly baudRate: number | undefined,
    kind: string,
  ) {
    this.counters = new SourceCounters(`${kind}:${path}`);
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** Opens the file, sets the line up (a terminal only) and starts reading. Sets `failure` instead of throwing. */
  open(): void {
    try {
      this.fd = openSync(this.path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.failure =
        code === "ENOENT"
          ? `${this.path} does not exist (is the device plugged in? serial ports are /dev/ttyUSB*, /dev/ttyACM*; MIDI ports /dev/snd/midiC*D*)`
          : code === "EACCES"
            ? `${this.path}: permission denied (add yourself to the dialout group for serial, audio for MIDI: sudo usermod -aG dialout $USER, then log in again)`
            : code === "EBUSY"
              ? `${this.path} is busy: another program has it open`
              : `${this.path} could not be opened: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    if (this.baudRate !== undefined && isatty(this.fd)) {
      const stty = spawnSync("stty", ["-F", this.path, String(this.baudRate), "raw", "-echo"], { encoding: "utf8" });
      if (stty.status !== 0) this.failure = `${this.path}: stty could not set ${this.baudRate} baud: ${(stty.stderr || stty.error?.message || "").trim()}`;
    }
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref?.();
  }

  /** Calls `fn` with each chunk read. Returns the function that stops it. */
  onData(fn: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private poll(): void {
    if (this.fd === undefined) return;
    for (;;) {
      let count: number;
      try {
        count = readSync(this.fd, this.buffer, 0, READ_CHUNK, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // EAGAIN: nothing to read now. EIO: a pseudo-terminal whose other end is not open (yet).
        if (code !== "EAGAIN" && code !== "EWOULDBLOCK" && code !== "EIO") {
          this.failure = `${this.path}: read failed: ${(error as Error).message}`;
          this.close();
        }
        return;
      }
      if (count <= 0) return;
      const chunk = this.buffer.slice(0, count);
      const copy = new Uint8Array(chunk);
      for (const listener of this.listeners) listener(copy);
      if (count < READ_CHUNK) return;
    }
  }

  /** Writes `bytes` now (non-blocking); what the device cannot take is counted in `writeDropped`. Returns the bytes written. */
  write(bytes: Uint8Array): number {
    if (this.fd === undefined) return 0;
    try {
      const written = writeSync(this.fd, bytes);
      if (written < bytes.length) this.writeDropped += bytes.length - written;
      return written;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN" || code === "EWOULDBLOCK") {
        this.writeDropped += bytes.length;
        return 0;
      }
      this.failure = `${this.path}: write failed: ${(error as Error).message}`;
      return 0;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed by the system (a device unplugged).
      }
    }
    this.fd = undefined;
  }
}

/** Byte ports held by path, with reference counts: what survives a reload. */
export class BytePorts {
  private readonly ports = new Map<string, BytePort>();

  constructor(private readonly addSource: (counters: SourceCounters) => () => void) {}

  /** Takes a reference to `path`, opening it the first time (or again after it failed). `failure` says why it did not open. */
  acquire(path: string, kind: string, baudRate?: number): BytePort {
    let port = this.ports.get(path);
    if (!port || (!port.isOpen && port.refs === 0)) {
      port = new BytePort(path, baudRate, kind);
      this.ports.set(path, port);
      const remove = this.addSource(port.counters);
      const close = port.close.bind(port);
      port.close = () => {
        close();
        remove();
      };
    }
    port.refs++;
    if (!port.isOpen) {
      port.failure = undefined;
      port.open();
    }
    return port;
  }

  release(port: BytePort): void {
    if (--port.refs > 0) return;
    if (this.ports.get(port.path) === port) this.ports.delete(port.path);
    port.close();
  }

  get(path: string): BytePort | undefined {
    return this.ports.get(path);
  }
}
