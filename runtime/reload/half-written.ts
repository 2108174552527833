import { statSync } from "node:fs";

/**
 * Tells a file an editor is still writing from a file that is really broken.
 *
 * An editor that writes in chunks leaves the file half written for a moment; a load in that
 * moment fails to parse. A load error is only worth showing once every file involved has stayed
 * unchanged for a short while; if one changed after the load began, the watcher will report it
 * again and the next load sees the rest.
 */

/** What a file looked like at one moment; `missing` when it could not be stat'ed. */
export interface FileState {
  missing: boolean;
  mtimeMs: number;
  size: number;
  ino: number;
}

export type FileSnapshot = Map<string, FileState>;

function stateOf(file: string): FileState {
  try {
    const stats = statSync(file);
    return { missing: false, mtimeMs: stats.mtimeMs, size: stats.size, ino: stats.ino };
  } catch {
    return { missing: true, mtimeMs: 0, size: 0, ino: 0 };
  }
}

function sameState(a: FileState, b: FileState): boolean {
  return a.missing === b.missing && a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}

/** Stats each file now. */
export function snapshotFiles(files: Iterable<string>): FileSnapshot {
  const snapshot: FileSnapshot = new Map();
  for (const file of files) snapshot.set(file, stateOf(file));
  return snapshot;
}

/** The files whose state differs from the snapshot (files the snapshot lacks are not compared). */
export function changedSince(snapshot: FileSnapshot): string[] {
  const changed: string[] = [];
  for (const [file, before] of snapshot) {
    if (!sameState(before, stateOf(file))) changed.push(file);
  }
  return changed;
}

/**
 * Decides whether a load error may come from a file still being written.
 *
 * `before` is a snapshot taken before the load read the files. When none of `files` was
 * modified within `settleMs`, the error stands ("settled") at once. Otherwise this waits until
 * the youngest is `settleMs` old, then compares with `before` (and with the state at the
 * error, for files `before` lacks): any difference means "changed", and the caller should wait
 * for the watcher's next event instead of reporting the error.
 */
export async function settleAfterError(
  before: FileSnapshot,
  files: Iterable<string>,
  settleMs: number,
): Promise<"settled" | "changed"> {
  const reference: FileSnapshot = new Map(before);
  for (const file of files) if (!reference.has(file)) reference.set(file, stateOf(file));
  if (changedSince(reference).length > 0) return "changed";
  if (settleMs <= 0) return "settled";

  let youngestMtime = 0;
  for (const state of reference.values()) if (!state.missing) youngestMtime = Math.max(youngestMtime, state.mtimeMs);
  // Capped: a file stamped in the future (clock skew, a restored backup) must not stall a reload.
  const waitMs = Math.min(settleMs, youngestMtime + settleMs - Date.now());
  if (waitMs <= 0) return "settled";
  await Bun.sleep(waitMs);
  return changedSince(reference).length > 0 ? "changed" : "settled";
}
