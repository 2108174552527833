import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { StatsListener } from "./events.ts";

export interface JsonlSink {
  /** Appends one event as one JSON line. Pass it straight to `hub.subscribe`. */
  write: StatsListener;
  close(): void;
}

/**
 * Appends every event to `path` as JSON lines (the `--stats` file). Each line is written
 * synchronously and unbuffered: there are about two a second, a small write costs microseconds, and
 * a soak that ends in a crash still has every line up to the crash, which is when the file matters.
 * The file is opened for append and created (with its folder) when missing. A write that fails (the
 * disk full, the folder gone with its file) is said once on stderr and ends the file, never the run.
 */
export function openJsonlSink(path: string): JsonlSink {
  mkdirSync(dirname(path), { recursive: true });
  let fd: number | null = openSync(path, "a");
  return {
    write: (event) => {
      if (fd === null) return;
      try {
        writeSync(fd, `${JSON.stringify(event)}\n`);
      } catch (err) {
        console.error(`vivid: --stats ${path}: ${err instanceof Error ? err.message : String(err)}; no more stats are written to it`);
        closeQuietly(fd);
        fd = null;
      }
    },
    close: () => {
      if (fd === null) return;
      closeSync(fd);
      fd = null;
    },
  };
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The descriptor is unusable already; nothing is left to close.
  }
}
