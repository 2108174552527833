import { statSync } from "node:fs";
import { basename, relative, resolve, sep } from "node:path";
import { watch } from "chokidar";

export interface WatchOptions {
  /** Called once per burst of changes with the changed files (absolute paths, sorted). */
  onChange(files: string[]): void;
  /**
   * Quiet time after the last event before onChange fires. Default 0: a save is reported on the
   * turn of the event loop after its first event (events of that same turn come with it); its later
   * events are told apart in the Reloader by the file's state (mtime, size, inode), not waited for here.
   */
  debounceMs?: number;
  /** Files for which this returns false never trigger onChange. Default: every file not ignored. */
  isRelevant?(file: string): boolean;
  /** A file left empty this long with no further event is reported after all (the user emptied it). */
  emptyGraceMs?: number;
  /** Errors from the watcher or thrown by onChange. Default: console.error. */
  onError?(error: unknown): void;
  /** How many folder levels below the folder to watch (0: its files only). Default: all. */
  depth?: number;
}

export interface ProjectWatcher {
  /** Resolves once the initial scan is done; changes before that may be missed. */
  ready: Promise<void>;
  close(): Promise<void>;
}

// Editor leftovers that are never project files: vim swap and backup files, vim's "4913"
// write-permission probe, JetBrains, Kate and Chrome safe-write files, "*.tmp" temp files,
// Emacs autosave files. (Dotfiles such as Emacs locks and Sublime temps are ignored as dotfiles.)
function isEditorLeftover(name: string): boolean {
  return (
    name === "4913" ||
    name.endsWith("~") ||
    /\.sw[a-px]$/.test(name) ||
    /\.tmp(-[\w-]*)?$/i.test(name) ||
    name.endsWith(".crswap") ||
    name.endsWith(".kate-swp") ||
    name.includes("___jb_") ||
    (name.startsWith("#") && name.endsWith("#"))
  );
}

/** Whether the watcher ignores `path`: node_modules, dotfiles and dot folders, editor leftovers. */
export function isIgnoredPath(path: string, projectDir: string): boolean {
  const rel = relative(projectDir, path);
  if (rel === "") return false;
  const parts = rel.split(sep);
  if (parts.some((part) => part === "node_modules" || part.startsWith("."))) return true;
  return isEditorLeftover(basename(path));
}

/**
 * How long a transient state of a file is given to pass before it is believed: a file left empty
 * (the watcher's `emptyGraceMs`) and a reload that failed (the Reloader's `failureGraceMs`).
 *
 * Editors and file systems leave a file missing or half written between the steps of one save:
 * rename-away-then-write, chunked writes, slow or network file systems put 30–100 ms between the
 * steps, and chokidar itself holds an unlink 100 ms to pair it with a re-add. 300 ms is three times
 * the longest of those, and still short enough that an error the user really saved shows about as
 * soon as they look up from the editor. A complete save is never held: only what is empty or fails.
 */
export const TRANSIENT_GRACE_MS = 300;

// A burst that never goes quiet (a long stream of writes) is still reported after this many debounce periods.
const maxWaitFactor = 8;

/**
 * Watches the project folder (the folder, not single files: editors that save by rename
 * replace the file a per-file watch was following) and reports each burst of saves once.
 *
 * Events are coalesced until `debounceMs` pass without one (by default none: the next turn of the
 * event loop). At that point each file is stat'ed:
 * a file that reads empty is held back (an editor truncates before it writes) until its next
 * event, or reported after `emptyGraceMs` if it stays empty; a file that appeared and vanished
 * within the burst is a temp file and is dropped, and so is its late unlink; a deleted file is
 * reported. Temp files that outlive the debounce are reported unless their names give them away
 * (*.tmp) or `isRelevant` rejects them: pass an extension filter.
 */
export function watchProject(projectDir: string, options: WatchOptions): ProjectWatcher {
  const dir = resolve(projectDir);
  const debounceMs = options.debounceMs ?? 0;
  const emptyGraceMs = options.emptyGraceMs ?? TRANSIENT_GRACE_MS;
  const isRelevant = options.isRelevant ?? (() => true);
  const onError = options.onError ?? ((error: unknown) => console.error("[vivid] watcher:", error));

  // Files changed since the last onChange, with whether their first event in the burst was "add".
  const burst = new Map<string, { addedInBurst: boolean }>();
  const heldEmpty = new Map<string, ReturnType<typeof setTimeout>>();
  // Temp files dropped because they vanished within their burst. chokidar reports their
  // unlink up to 100 ms later (its `atomic` hold), as a burst of its own; that is dropped too.
  const vanishedTemps = new Set<string>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let burstStartedAt = 0;
  let closed = false;

  const deliver = (files: string[]) => {
    if (closed || files.length === 0) return;
    try {
      options.onChange(files.sort());
    } catch (error) {
      onError(error);
    }
  };

  const holdEmpty = (file: string) => {
    clearTimeout(heldEmpty.get(file));
    heldEmpty.set(
      file,
      setTimeout(() => {
        heldEmpty.delete(file);
        deliver([file]);
      }, emptyGraceMs),
    );
  };

  const flush = () => {
    flushTimer = undefined;
    const ready: string[] = [];
    for (const [file, { addedInBurst }] of burst) {
      let size: number | undefined;
      try {
        size = statSync(file).size;
      } catch {
        size = undefined;
      }
      if (size === undefined) {
        if (addedInBurst) vanishedTemps.add(file);
        else ready.push(file);
      } else if (size === 0) {
        holdEmpty(file);
      } else {
        ready.push(file);
      }
    }
    burst.clear();
    deliver(ready);
  };

  const onEvent = (event: string, path: string) => {
    if (closed || (event !== "add" && event !== "change" && event !== "unlink")) return;
    const file = resolve(dir, path);
    if (!isRelevant(file)) return;
    if (vanishedTemps.delete(file) && event === "unlink") return;
    clearTimeout(heldEmpty.get(file));
    heldEmpty.delete(file);
    if (!burst.has(file)) burst.set(file, { addedInBurst: event === "add" });
    const now = performance.now();
    if (flushTimer === undefined) burstStartedAt = now;
    clearTimeout(flushTimer);
    const waitMs = Math.min(debounceMs, Math.max(0, burstStartedAt + debounceMs * maxWaitFactor - now));
    flushTimer = setTimeout(flush, waitMs);
  };

  const watcher = watch(dir, {
    ignored: (path: string) => isIgnoredPath(path, dir),
    ignoreInitial: true,
    ...(options.depth !== undefined ? { depth: options.depth } : {}),
  });
  watcher.on("all", onEvent);
  watcher.on("error", onError);
  const ready = new Promise<void>((resolveReady) => watcher.once("ready", () => resolveReady()));

  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(flushTimer);
      for (const timer of heldEmpty.values()) clearTimeout(timer);
      heldEmpty.clear();
      burst.clear();
      await watcher.close();
    },
  };
}
