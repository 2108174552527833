/**
 * What one version of the chain owns outside the GPU: the timers its code started and the clean-up
 * it asked for (`ctx.onDispose(fn)` and the chain file's `dispose(ctx)` export). A reload swaps a new
 * version in and then disposes the old one's scope: its callbacks run and its timers are cleared, so
 * an interval from five saves ago does not tick any more and a socket closed in `dispose` frees its port.
 *
 * Plain `setTimeout` / `setInterval` in a project module are tracked; the chain does not have to use
 * a special API. How: the global functions are wrapped once, while an engine lives (refcounted, put
 * back when the last one goes), and the wrapper asks which version, if any, is running. That comes
 * from an AsyncLocalStorage store: the engine runs `setup`, `update` and `dispose` inside their
 * version's scope, a tracked timer's callback runs inside it too, and Bun carries the store through
 * `await`s and into event handlers set up there (a socket's "message"), so every timer the chain's
 * code starts lands with the right version, and the runtime's, the watcher's and the test runner's
 * timers, started outside every scope, pass straight through. A module's top level has no store (Bun
 * evaluates modules from its loader, outside any async context): while the engine imports a version,
 * a timer whose call stack holds a frame of the chain's files (`isChainCode`) is that version's.
 * (Only there is the stack read: JavaScriptCore drops the frame of a strict-mode tail call, so
 * `() => setTimeout(f, 1)` leaves no trace of its caller, while the store is always there.)
 *
 * A throw from a tracked timer's callback (or the rejection of an async one) does not reach the
 * process: it is handed to the scope's error reporter, located like any chain error.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { loopGuard } from "../guard/loop-guard.ts";

/**
 * Where a scope's errors go: a throw from a timer, or from a dispose callback. `site` is an Error made
 * where the timer was started: the place to show when the throw has no frame of the chain's (a
 * strict-mode tail call, `() => process.exit(0)`, leaves none).
 */
export type ScopeErrorReporter = (error: unknown, phase: "timer" | "dispose", site?: Error) => void;

type TimerHandle = ReturnType<typeof setTimeout>;
type TimerCallback = (...args: unknown[]) => unknown;

const scopeStorage = new AsyncLocalStorage<ChainScope>();
/** Every tracked timer's id and its scope, so clearTimeout(id) by number finds it too. */
const timerOwners = new Map<number, ChainScope>();

interface TimerHost {
  /** Whether the code that called a timer function is the chain's (a frame in a project file). */
  isChainCode(stack: string): boolean;
  /** The scope for tracked code that runs outside any scope's async context. */
  currentScope(): ChainScope | undefined;
}
const hosts = new Set<TimerHost>();
let originals: { setTimeout: typeof setTimeout; setInterval: typeof setInterval; clearTimeout: typeof clearTimeout; clearInterval: typeof clearInterval } | undefined;

function timerId(handle: unknown): number | undefined {
  if (handle === undefined || handle === null) return undefined;
  const id = Number(handle);
  return Number.isFinite(id) ? id : undefined;
}

/** The scope a timer created here belongs to, or undefined when the caller is not chain code. */
function owningScope(): ChainScope | undefined {
  const store = scopeStorage.getStore();
  if (store) return store;
  // Outside every scope and import (the runtime's own timers, every frame) no stack is taken.
  const importing = Array.from(hosts).filter((host) => host.currentScope());
  if (importing.length === 0) return undefined;
  // The chain's frame can sit under a library's; 10 frames (the default) is short.
  const previousLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = previousLimit;
  return importing.find((host) => host.isChainCode(stack))?.currentScope();
}

/** `wrapper` with the original's own properties (util.promisify's custom symbol among them). */
function withPropertiesOf(wrapper: object, original: object): object {
  for (const key of Reflect.ownKeys(original)) {
    if (key === "name" || key === "length" || key === "prototype") continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor) Object.defineProperty(wrapper, key, descriptor);
  }
  return wrapper;
}

function wrapTimers(): void {
  const original = {
    setTimeout: globalThis.setTimeout,
    setInterval: globalThis.setInterval,
    clearTimeout: globalThis.clearTimeout,
    clearInterval: globalThis.clearInterval,
  };
  originals = original;
  const create = (repeat: boolean) =>
    function trackedTimer(callback: unknown, ms?: number, ...args: unknown[]): TimerHandle {
      const start = repeat ? original.setInterval : original.setTimeout;
      const scope = typeof callback === "function" ? owningScope() : undefined;
      if (!scope) return (start as unknown as (...a: unknown[]) => TimerHandle)(callback, ms, ...args);
      return scope.startTimer(start as unknown as (cb: TimerCallback, ms?: number) => TimerHandle, original.clearTimeout, callback as TimerCallback, ms, args, repeat);
    };
  const clear = (originalClear: typeof clearTimeout) =>
    function trackedClear(handle?: unknown): void {
      const id = timerId(handle);
      if (id !== undefined) timerOwners.get(id)?.forgetTimer(id);
      originalClear(handle as TimerHandle);
    };
  globalThis.setTimeout = withPropertiesOf(create(false), original.setTimeout) as unknown as typeof setTimeout;
  globalThis.setInterval = withPropertiesOf(create(true), original.setInterval) as unknown as typeof setInterval;
  globalThis.clearTimeout = clear(original.clearTimeout) as typeof clearTimeout;
  globalThis.clearInterval = clear(original.clearInterval) as typeof clearInterval;
}

/**
 * Starts tracking timers for one host (an engine). Returns the function that stops it; the globals
 * are put back when the last host stops.
 */
export function trackTimers(host: TimerHost): () => void {
  if (!originals) wrapTimers();
  hosts.add(host);
  return () => {
    if (!hosts.delete(host) || hosts.size > 0 || !originals) return;
    globalThis.setTimeout = originals.setTimeout;
    globalThis.setInterval = originals.setInterval;
    globalThis.clearTimeout = originals.clearTimeout;
    globalThis.clearInterval = originals.clearInterval;
    originals = undefined;
  };
}

/** The scope whose code is running now (inside `ChainScope.run`), if any. */
export function activeScope(): ChainScope | undefined {
  return scopeStorage.getStore();
}

export class ChainScope {
  private readonly timers = new Map<number, TimerHandle>();
  private readonly disposers: Array<() => unknown> = [];
  private clearTimer?: typeof clearTimeout;
  private disposed = false;

  constructor(private readonly reportError: ScopeErrorReporter) {}

  /** Runs `fn` as this version's code: timers it starts, now or after an await, belong to this scope. */
  run<A extends unknown[], T>(fn: (...args: A) => T, ...args: A): T {
    return scopeStorage.run(this, fn, ...args);
  }

  /** Live timers of this version (intervals, and timeouts that have not fired). */
  get timerCount(): number {
    return this.timers.size;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Registers clean-up for this version, run when it is replaced or at exit (last registered first). */
  onDispose(fn: () => unknown): void {
    if (typeof fn !== "function") throw new TypeError(`ctx.onDispose() takes a function (got ${fn === null ? "null" : typeof fn})`);
    this.disposers.push(fn);
  }

  /** @internal The wrapped setTimeout / setInterval, for a caller this scope owns. */
  startTimer(start: (cb: TimerCallback, ms?: number) => TimerHandle, clear: typeof clearTimeout, callback: TimerCallback, ms: number | undefined, args: unknown[], repeat: boolean): TimerHandle {
    this.clearTimer = clear;
    let id: number | undefined;
    const site = new Error("timer started here");
    const tick = () => {
      if (!repeat && id !== undefined) this.forgetTimer(id);
      this.run(() => {
        try {
          // A timer's callback holds the thread like setup does: its loops get the setup limit.
          const result = loopGuard.call("a timer's callback", "setupMs", () => callback(...args), undefined);
          if (result && typeof (result as PromiseLike<unknown>).then === "function") {
            (result as PromiseLike<unknown>).then(undefined, (error: unknown) => this.reportError(error, "timer", site));
          }
        } catch (error) {
          this.reportError(error, "timer", site);
        }
      });
    };
    const handle = start(tick, ms);
    // A version already replaced starts nothing (an old setup's continuation, late after an await).
    if (this.disposed) {
      clear(handle);
      return handle;
    }
    id = timerId(handle);
    if (id !== undefined) {
      this.timers.set(id, handle);
      timerOwners.set(id, this);
    }
    return handle;
  }

  /** @internal A timer cleared by the chain, or a timeout that fired. */
  forgetTimer(id: number): void {
    this.timers.delete(id);
    timerOwners.delete(id);
  }

  /**
   * Clears this version's timers and runs its clean-up, last registered first, each inside the scope.
   * A callback that throws or rejects is reported and the others still run. Resolves when every
   * callback has settled (an async one, a socket's close, may take a moment); only the first call
   * does anything.
   */
  dispose(extra: Array<() => unknown> = []): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.disposed = true;
    for (const [id, handle] of this.timers) {
      this.clearTimer?.(handle);
      timerOwners.delete(id);
    }
    this.timers.clear();
    const pending: Promise<unknown>[] = [];
    for (const fn of [...this.disposers.reverse(), ...extra]) {
      try {
        const result = this.run(() => loopGuard.call("dispose", "setupMs", fn, undefined));
        if (result && typeof (result as PromiseLike<unknown>).then === "function") {
          pending.push(Promise.resolve(result).catch((error: unknown) => this.reportError(error, "dispose")));
        }
      } catch (error) {
        this.reportError(error, "dispose");
      }
    }
    // (A timer a dispose callback starts is cleared at once: its version is gone.)
    this.disposers.length = 0;
    return Promise.all(pending).then(() => undefined);
  }
}
