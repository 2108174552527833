/**
 * Hot reload: watches the project folder and the shaders folder, and applies each burst of saves as
 * one reload transaction (Engine.reload) at a frame boundary, one at a time. Reloads are queued, not
 * run from the watcher's callback, so a reload never lands in the middle of a frame.
 *
 * One save is one ledger entry. A complete save is applied and reported at once. A reload that fails
 * is held back for a grace period: many editors pass through a missing or half-written file on the
 * way to the real one (rename away then write, chunked writes, slow file systems), and the next write
 * replaces the failure with its own outcome. Only a failure that no further change follows within
 * the grace period is reported; a real syntax error so shows, with its file:line:col, that much later.
 */
import { statSync } from "node:fs";
import { dirname, relative } from "node:path";
import type { Engine, ReloadEntry } from "../engine.ts";
import { SHADERS_DIR } from "../gpu/shaders.ts";
import { isProjectFile } from "./errors.ts";
import { chainImportGraph } from "./module-graph.ts";
import { TRANSIENT_GRACE_MS, watchProject, type ProjectWatcher } from "./watcher.ts";

const RELEVANT = /\.(ts|tsx|js|mjs|json|wgsl)$/;

export interface ReloaderOptions {
  /**
   * Every reload's ledger entry: a successful one once its first frame finished on the GPU, a failed
   * one once `failureGraceMs` passed with no further change. Called once per save.
   */
  onReload?: (entry: ReloadEntry) => void;
  /** Also watch the runtime's shaders/ folder (default true). */
  watchShaders?: boolean;
  debounceMs?: number;
  /** A failed reload is reported only if no further change arrives within this long (default TRANSIENT_GRACE_MS). */
  failureGraceMs?: number;
}

/** What a file's last write left: modification time, size and inode; "" when it is missing. */
function fileStamp(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
  } catch {
    return "";
  }
}

/** The file's modification time (epoch ms, sub-ms on Linux), or undefined when it is missing. */
function modifiedAt(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

export class Reloader {
  private watchers: ProjectWatcher[] = [];
  /** One watcher per folder outside the project that holds a file of the chain's module graph. */
  private outsideWatchers = new Map<string, ProjectWatcher>();
  /** The chain's files outside the project folder, as its module graph on disk names them now. */
  private outsideFiles = new Set<string>();
  private poll?: ReturnType<typeof setInterval>;
  private chainStamp = "";
  private queued?: { file: string; eventMs: number };
  private running = false;
  /** Requests so far: a failed reload that a newer request overtook is never reported. */
  private requests = 0;
  /** The timer that reports the last failed reload unless a request comes first. */
  private heldFailure?: ReturnType<typeof setTimeout>;
  /** Files the watchers reported since the last reload began. */
  private reportedFiles = new Set<string>();
  /**
   * Each reported file's stamp as the last reload after its report began, i.e. the state a reload
   * read (see `onFilesChanged`). Files that went missing are dropped, so temp files do not pile up.
   */
  private loadedStamps = new Map<string, string>();
  /** The frame loop's current wait (see `waitFor`): one slot, replaced each frame, never a list. */
  private wake?: () => void;

  constructor(
    private engine: Engine,
    private options: ReloaderOptions = {},
  ) {}

  /** Starts watching; resolves when the watchers have scanned their folders. */
  async start(): Promise<void> {
    const isRelevant = (file: string) => RELEVANT.test(file);
    const onChange = (files: string[]) => this.onFilesChanged(files, files[0]!);
    const debounceMs = this.options.debounceMs;
    this.watchers.push(watchProject(this.engine.projectDir, { onChange, isRelevant, debounceMs }));
    if (this.options.watchShaders !== false && !SHADERS_DIR.startsWith(this.engine.projectDir)) {
      // The runtime's own shaders: only a file some live pipeline was built from triggers a reload.
      const onShaderChange = (files: string[]) => {
        const used = files.find((file) => this.engine.gpu.usesShaderFile(file));
        if (used) this.onFilesChanged([used], used);
      };
      this.watchers.push(watchProject(SHADERS_DIR, { onChange: onShaderChange, isRelevant: (file) => file.endsWith(".wgsl"), debounceMs }));
    }
    this.watchOutsideFiles();
    await Promise.all([...this.watchers, ...this.outsideWatchers.values()].map((w) => w.ready));
    // A safety net under the watcher: a lost file event (seen once in 800 saves on one machine) must
    // not leave a save unapplied. The chain file's mtime and size are checked twice a second.
    this.chainStamp = this.stamp();
    // A change the watcher has not reported by the next check (≥ 0.5 s later) is reloaded from here.
    let unreported = "";
    this.poll = setInterval(() => {
      const stamp = this.stamp();
      if (stamp === this.chainStamp) return;
      if (stamp === unreported && !this.queued && !this.running) this.request(this.engine.chainFile);
      unreported = stamp;
    }, 500);
  }

  /**
   * Follows the chain's imports outside the project folder (`../lib/palette.ts`): each such file's
   * folder is watched, one level deep, for that file only. Called at start and after every reload, so
   * an import added or dropped by a save is followed or let go.
   */
  private watchOutsideFiles(): void {
    const { chainFile, projectDir } = this.engine;
    const files = chainImportGraph(chainFile, projectDir).filter((file) => !isProjectFile(file, projectDir));
    this.outsideFiles = new Set(files);
    const folders = new Set(files.map((file) => dirname(file)));
    for (const [folder, watcher] of this.outsideWatchers) {
      if (folders.has(folder)) continue;
      this.outsideWatchers.delete(folder);
      void watcher.close();
    }
    const onChange = (changed: string[]) => this.onFilesChanged(changed, changed[0]!);
    for (const folder of folders) {
      if (this.outsideWatchers.has(folder)) continue;
      const isRelevant = (file: string) => this.outsideFiles.has(file);
      this.outsideWatchers.set(folder, watchProject(folder, { onChange, isRelevant, depth: 0, debounceMs: this.options.debounceMs }));
    }
  }

  private stamp(): string {
    return fileStamp(this.engine.chainFile);
  }

  /**
   * A watcher's report. One whose files are all as the last reload found them is dropped: nothing
   * was written since that reload read them (an attribute change after the write, or the report of
   * a write that the reload of an earlier report, run late, already read), and a second reload of
   * the same save would be a second ledger entry. The watcher reports a save's first event at once,
   * without waiting for its others: this is what tells the later ones apart, by the file's state.
   * (Not by a hash of its text: saving or touching a file unchanged is a deliberate reload.)
   */
  private onFilesChanged(files: string[], file: string): void {
    if (files.every((changed) => this.loadedStamps.get(changed) === fileStamp(changed))) {
      this.chainStamp = this.stamp();
      return;
    }
    for (const changed of files) this.reportedFiles.add(changed);
    this.request(file);
  }

  /** Queues a reload (a newer request replaces a queued one: only the latest state matters). */
  request(file: string, eventMs = performance.now()): void {
    const inProject = !relative(this.engine.projectDir, file).startsWith("..");
    const shown = file === "manual" ? file : !inProject && file.startsWith(SHADERS_DIR) ? relative(SHADERS_DIR, file) : relative(this.engine.projectDir, file);
    this.requests++;
    clearTimeout(this.heldFailure);
    this.heldFailure = undefined;
    this.chainStamp = this.stamp();
    if (this.queued) this.queued.file = shown;
    else this.queued = { file: shown, eventMs };
    this.wake?.();
  }

  /**
   * Resolves when `work` settles or a reload is requested, whichever comes first: the frame loop
   * waits for the GPU this way so a save is not kept waiting a frame.
   *
   * Not `Promise.race([work, requested])` with one long-lived `requested` promise: every race adds
   * a reaction to that promise, and it stays pending until the next save, so a run without saves
   * kept one reaction per frame (~60 B; 13 MB/h at 60 fps, 200+ MB/h uncapped) — a leak the soak's
   * periodic saves hid. Here the pending wait lives in one slot that the next frame's wait replaces.
   */
  waitFor(work: Promise<unknown>): Promise<void> {
    if (this.pending) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      this.wake = done;
      work.then(done, (error: unknown) => {
        if (this.wake === done) this.wake = undefined;
        reject(error);
      });
    });
  }

  get pending(): boolean {
    return this.queued !== undefined && !this.running;
  }

  /** Runs the queued reload, if any. Called by the frame loop between frames. */
  async apply(): Promise<ReloadEntry | undefined> {
    if (!this.queued || this.running) return undefined;
    const { file, eventMs } = this.queued;
    this.queued = undefined;
    this.running = true;
    const request = this.requests;
    // The save's time as the kernel recorded it: the newest modification among the files reported
    // (the chain file for a change the poll found). A reload asked for by hand has none.
    let savedAtMs: number | undefined;
    const saved = file === "manual" ? [] : this.reportedFiles.size > 0 ? this.reportedFiles : [this.engine.chainFile];
    for (const reported of saved) {
      const mtime = modifiedAt(reported);
      if (mtime !== undefined) savedAtMs = Math.max(savedAtMs ?? mtime, mtime);
    }
    for (const reported of this.reportedFiles) {
      const stamp = fileStamp(reported);
      if (stamp) this.loadedStamps.set(reported, stamp);
      else this.loadedStamps.delete(reported);
    }
    this.reportedFiles.clear();
    try {
      const { entry, done } = await this.engine.reload(file, eventMs, savedAtMs);
      this.watchOutsideFiles();
      if (entry.ok) void done.then((final) => this.options.onReload?.(final));
      else this.holdFailure(entry, request);
      return entry;
    } finally {
      this.running = false;
    }
  }

  /**
   * Reports a failed reload once the grace period passes with no request after the one it served.
   * One a newer request already overtook is dropped, and so is a `pending` one (a file changed while
   * it loaded: the watcher's report of that change is on its way).
   */
  private holdFailure(entry: ReloadEntry, request: number): void {
    if (entry.pending || request !== this.requests) return;
    clearTimeout(this.heldFailure);
    this.heldFailure = setTimeout(() => {
      this.heldFailure = undefined;
      this.options.onReload?.(entry);
    }, this.options.failureGraceMs ?? TRANSIENT_GRACE_MS);
  }

  async close(): Promise<void> {
    clearTimeout(this.heldFailure);
    clearInterval(this.poll);
    await Promise.all([...this.watchers, ...this.outsideWatchers.values()].map((w) => w.close()));
    this.watchers = [];
    this.outsideWatchers.clear();
  }
}
