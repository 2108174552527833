/**
 * A pseudo-terminal pair from socat (`socat -d -d pty,raw,echo=0 pty,raw,echo=0`): what one end
 * writes the other reads, as over a serial cable. For the serial, MIDI and DMX tests; no hardware.
 * `read(n)` takes the next `n` bytes that arrived at end A.
 */
import { closeSync, constants, openSync, readSync, writeSync } from "node:fs";

export interface PtyPair {
  a: string;
  b: string;
  /** Writes bytes (or text) into end A. */
  write(data: Uint8Array | string): void;
  /** The next `count` bytes that arrived at end A (waits up to `ms`). */
  read(count: number, ms?: number): Promise<Uint8Array>;
  /** Whatever arrived at end A so far. */
  drain(): Uint8Array;
  close(): Promise<void>;
}

export async function openPtyPair(): Promise<PtyPair> {
  const socat = Bun.spawn(["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], { stdout: "ignore", stderr: "pipe" });
  let log = "";
  const reader = (socat.stderr as ReadableStream<Uint8Array>).getReader();
  const end = Date.now() + 10_000;
  while ((log.match(/PTY is (\S+)/g) ?? []).length < 2 || !log.includes("starting data transfer")) {
    if (Date.now() > end) throw new Error(`socat did not make a pty pair: ${log}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`socat ended: ${log}`);
    log += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const [a, b] = [...log.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!) as [string, string];
  const fd = openSync(a, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  const buffer = Buffer.alloc(65536);
  let pending = new Uint8Array(0);
  const pull = () => {
    for (;;) {
      let n = 0;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch {
        return;
      }
      if (n <= 0) return;
      const next = new Uint8Array(pending.length + n);
      next.set(pending);
      next.set(buffer.subarray(0, n), pending.length);
      pending = next;
    }
  };
  return {
    a,
    b,
    write(data) {
      writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    },
    async read(count, ms = 10_000) {
      const until = Date.now() + ms;
      while (pending.length < count) {
        if (Date.now() > until) throw new Error(`only ${pending.length} of ${count} bytes arrived at ${a}`);
        pull();
        if (pending.length < count) await Bun.sleep(5);
      }
      const out = pending.slice(0, count);
      pending = pending.slice(count);
      return out;
    },
    drain() {
      pull();
      const out = pending;
      pending = new Uint8Array(0);
      return out;
    },
    async close() {
      closeSync(fd);
      socat.kill();
      await socat.exited;
    },
  };
}
