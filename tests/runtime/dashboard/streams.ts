/** Terminal stand-ins for a real Ink render: they keep only a bounded tail of what was written. */
import { EventEmitter } from "node:events";

const KEPT_CHARS = 16_384;

/** A TTY-like stdout that counts writes and keeps the last 16 KiB of text, never more. */
export class FakeTerminal extends EventEmitter {
  isTTY = true;
  columns = 120;
  rows = 40;
  writes = 0;
  tail = "";
  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    this.writes++;
    this.tail = (this.tail + String(chunk)).slice(-KEPT_CHARS);
    const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }
  /** The tail without ANSI escape sequences. */
  text(): string {
    return this.tail.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, "");
  }
}

/** A raw-mode-capable stdin that the test types into. */
export class FakeKeyboard extends EventEmitter {
  isTTY = true;
  private pending: string | null = null;
  type(data: string): void {
    this.pending = data;
    this.emit("readable");
    this.emit("data", data);
  }
  read(): string | null {
    const data = this.pending;
    this.pending = null;
    return data;
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export const asStdout = (terminal: FakeTerminal) => terminal as unknown as NodeJS.WriteStream;
export const asStdin = (keyboard: FakeKeyboard) => keyboard as unknown as NodeJS.ReadStream;
