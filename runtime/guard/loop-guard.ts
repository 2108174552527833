/**
 * Loop guards, the runtime half. JavaScript has one thread: a `while (true) {}` in the chain's code
 * would hold it for good, no frame, no key, no signal handler would run again. So the project's
 * modules are instrumented as they load (instrument.ts, through the Bun plugin registered here): every
 * loop iteration and every function entry counts, and every CHECK_EVERY counts the guard reads the
 * clock. Past the deadline it throws a LoopTimeoutError located at the loop (or function) in the file
 * on disk; the caller (the reload transaction, the frame) treats it like any throw of the chain's, so
 * the old chain keeps running.
 *
 * The deadline starts when the runtime calls into the chain's code: `enter(what, ms)` … `exit()`
 * around setup, update and the frame's cook (bindings run there), a timer's callback, a dispose
 * callback. Code that runs with no such call around it (a module's top level, the code after an
 * `await` in an async setup, a socket's handler) is measured from the last time the runtime had the
 * thread: a module's own start (its first instrumented statement says so) or the runtime's 50 ms tick,
 * against the setup limit.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { LocatedError } from "../reload/errors.ts";
import { forgetInsertions, recordInsertions } from "./columns.ts";
import { GUARD_GLOBAL, instrument, type GuardSite } from "./instrument.ts";

/** Counts between two looks at the clock: a tight numeric loop pays one increment and one compare. */
export const CHECK_EVERY = 1024;

export interface LoopLimits {
  /** Module evaluation, setup, dispose, timers and other callbacks (ms). */
  setupMs: number;
  /** One frame's update and cook, bindings included (ms). */
  updateMs: number;
}

export const DEFAULT_LOOP_LIMITS: LoopLimits = { setupMs: 1000, updateMs: 250 };

/** Which flag raises the limit a call ran under (said in the error). */
const FLAG: Record<keyof LoopLimits, string> = { setupMs: "--setup-loop-limit", updateMs: "--update-loop-limit" };

/** A loop (or a recursion) of the chain's that ran past its limit. */
export class LoopTimeoutError extends LocatedError {
  constructor(message: string, location: { file: string; line: number; column: number }) {
    super(message, location);
    this.name = "LoopTimeoutError";
  }
}

interface ModuleSites {
  file: string;
  sites: GuardSite[];
}

const KIND_NAMES: Record<GuardSite["kind"], string> = {
  while: "while loop",
  "do-while": "do…while loop",
  for: "for loop",
  "for-in": "for…in loop",
  "for-of": "for…of loop",
  function: "function (a recursion?)",
};

export class LoopGuard {
  /** The count the instrumented code increments, and the count at which it calls `check`. */
  n = 0;
  at = CHECK_EVERY;
  limits: LoopLimits = { ...DEFAULT_LOOP_LIMITS };
  private depth = 0;
  private deadline = Infinity;
  private what = "";
  private limit: keyof LoopLimits = "setupMs";
  // The outer calls' deadlines while an inner one runs (preallocated: a frame allocates nothing here).
  private readonly saved: Array<{ deadline: number; what: string; limit: keyof LoopLimits }> = [];
  /** When the runtime last had the thread, for code run outside `enter` (see the header). */
  private mark = performance.now();
  private markWhat = "a callback";
  /** Times a loop was stopped, for the stats. */
  tripped = 0;

  /** Called by each instrumented module as its top level starts: its evaluation is measured from here. */
  sites(file: string, sites: GuardSite[]): ModuleSites {
    this.mark = performance.now();
    this.markWhat = "the module's top level";
    return { file, sites };
  }

  /** The runtime has the thread: code run outside `enter` is measured from now. */
  touch(): void {
    this.mark = performance.now();
    this.markWhat = "a callback or after an await";
  }

  /** The runtime calls into the chain's code: `what` ("update") may run for the `limit` it names. */
  enter(what: string, limit: keyof LoopLimits): void {
    let slot = this.saved[this.depth];
    if (!slot) slot = this.saved[this.depth] = { deadline: 0, what: "", limit: "setupMs" };
    slot.deadline = this.deadline;
    slot.what = this.what;
    slot.limit = this.limit;
    this.depth++;
    this.deadline = performance.now() + this.limits[limit];
    this.what = what;
    this.limit = limit;
  }

  /** The call `enter` began has returned (or thrown). */
  exit(): void {
    if (this.depth === 0) return;
    const slot = this.saved[--this.depth]!;
    this.deadline = slot.deadline;
    this.what = slot.what;
    this.limit = slot.limit;
    if (this.depth === 0) this.mark = performance.now();
  }

  /** `fn()` as a call into the chain's code (see `enter`). */
  run<T>(what: string, limit: keyof LoopLimits, fn: () => T): T {
    this.enter(what, limit);
    try {
      return fn();
    } finally {
      this.exit();
    }
  }

  /** Called by the instrumented code every CHECK_EVERY counts. */
  check(module: ModuleSites, index: number): void {
    this.at = this.n + CHECK_EVERY;
    const now = performance.now();
    const inCall = this.depth > 0;
    if (now <= (inCall ? this.deadline : this.mark + this.limits.setupMs)) return;
    const site = module.sites[index]!;
    const limit = inCall ? this.limit : "setupMs";
    const where = inCall ? this.what : this.markWhat;
    this.tripped++;
    throw new LoopTimeoutError(
      `this ${KIND_NAMES[site.kind]} ran past the ${this.limits[limit]} ms limit for ${where}: an endless loop? (${FLAG[limit]} <ms> sets the limit)`,
      { file: module.file, line: site.line, column: site.column },
    );
  }
}

/** The process's one guard, where the instrumented code finds it. */
export const loopGuard: LoopGuard = ((globalThis as Record<symbol, unknown>)[Symbol.for(GUARD_GLOBAL)] ??= new LoopGuard()) as LoopGuard;

function realPath(path: string): string {
  try {
    return realpathSync(resolve(path));
  } catch {
    return resolve(path);
  }
}

const guardedFolders = new Set<string>();
let ticking: ReturnType<typeof setInterval> | undefined;

const LOADERS: Record<string, "ts" | "tsx" | "js" | "jsx"> = { ts: "ts", mts: "ts", cts: "ts", tsx: "tsx", js: "js", mjs: "js", cjs: "js", jsx: "jsx" };

/**
 * Instruments every script module Bun loads from `projectDir` (outside node_modules) from now on.
 * Registered once per folder and process: the plugin stays for the process's life, as Bun's plugins do.
 */
export function guardProjectModules(projectDir: string): void {
  const dir = realPath(projectDir);
  if (guardedFolders.has(dir)) return;
  guardedFolders.add(dir);
  // The runtime's tick: code run outside `enter` is measured from the last one.
  ticking ??= setInterval(() => loopGuard.touch(), 50);
  ticking.unref?.();
  const escaped = dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const filter = new RegExp(`^${escaped}/(?!(?:.*/)?node_modules/).*\\.(?:${Object.keys(LOADERS).join("|")})$`);
  Bun.plugin({
    name: `vivid loop guards ${dir}`,
    setup(build) {
      build.onLoad({ filter }, async ({ path }) => {
        const text = await Bun.file(path).text();
        const loader = LOADERS[path.slice(path.lastIndexOf(".") + 1)] ?? "ts";
        const instrumented = instrument(path, text);
        if (!instrumented) {
          forgetInsertions(path);
          return { contents: text, loader };
        }
        recordInsertions(path, instrumented.insertions);
        return { contents: instrumented.code, loader };
      });
    },
  });
}
