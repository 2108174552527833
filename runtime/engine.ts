/**
 * The engine: one GPU, one Context, the running chain and the module it came from. It builds chains,
 * runs frames (time → update → cook → optional display pass → one submit) and reports errors.
 * main.ts drives it from the frame loop; tests drive it directly.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Chain } from "./chain/chain.ts";
import { Context } from "./chain/context.ts";
import { ChainScope, trackTimers } from "./chain/scope.ts";
import { control } from "./control/hub.ts";
import { createdSince, releasedSince, type CensusSnapshot } from "./gpu/census.ts";
import { GpuValidationError, WgslError, type Frame, type Gpu, type TextureHandle } from "./gpu/gpu.ts";
import { firstProjectFrame, isProjectFile, LocatedError, parseStackFrame, toChainError, type ChainError, type ErrorContext, type SourceLocation } from "./reload/errors.ts";
import { chainImportGraph, projectImportGraph } from "./reload/module-graph.ts";
import { loadChainModule, registerHostModule, type ChainModule } from "./reload/loader.ts";
import { DEFAULT_LOOP_LIMITS, LoopStarvedError, loopGuard, type LoopLimits } from "./guard/loop-guard.ts";
import type { ReloadCounts, ReloadEvent } from "./stats/events.ts";
import * as api from "./index.ts";
import { audio } from "./audio/system.ts";

export interface EngineOptions {
  /** The project folder; errors are located in files under it. */
  projectDir: string;
  /** The chain file inside it (chain.ts). */
  chainFile: string;
  width: number;
  height: number;
  /** Deterministic time: time = frame / fixedFps, dt = 1 / fixedFps. */
  fixedFps?: number;
  /** How long the chain's code may run in one call before its loop is stopped (runtime/guard/loop-guard.ts). */
  loopLimits?: { [K in keyof LoopLimits]?: number | undefined };
  /** How long an async setup may take to settle before the reload fails (ms, default SETUP_TIMEOUT_MS). */
  setupTimeoutMs?: number;
}

/** How long a device recovery waits for a reload in progress to land before it goes on. */
const RELOAD_LANDS_MS = 3000;
/**
 * How long after a swap a rejection the replaced version reported before counts as its late tail:
 * this long, and at least this many frames (a frame is at least one turn of the event loop, where Bun
 * reports rejections; on a loaded machine 500 ms can pass in fewer turns than the tail needs).
 */
const REPLACED_TAIL_MS = 500;
const REPLACED_TAIL_FRAMES = 30;
/** Distinct unhandled rejections remembered per version for that. */
const ASYNC_KEYS_KEPT = 32;

/** How long an async `setup` may take to settle by default; the running chain keeps playing meanwhile. */
export const SETUP_TIMEOUT_MS = 10_000;

/** Frames a replaced chain is kept before its objects are released (see Engine.retire). */
export const RETIRE_AFTER_FRAMES = 3;

export type BuildResult = { ok: true; chain: Chain } | { ok: false; error: ChainError; pending?: boolean };

/**
 * One reload, ok or not: the ledger's ReloadEvent (its `t` here is the chain's clock, which main.ts
 * replaces with the hub's), and `pending` for a load that met a half-written file: nothing happened,
 * the next save will reload.
 */
export type ReloadEntry = ReloadEvent & { pending?: boolean };

/** When the first frame of a swapped-in chain was submitted and finished on the GPU, as epoch ms. */
interface FirstFrameTimes {
  submittedMs: number;
  doneMs: number;
}

/** Wall-clock ms with performance.now()'s resolution: comparable with a file's mtimeMs. */
function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

function objectCounts(diff: ReturnType<typeof createdSince>): ReloadCounts {
  return {
    shaderModules: diff.shaderModule,
    pipelines: diff.renderPipeline + diff.computePipeline,
    bindGroups: diff.bindGroup,
    textures: diff.texture,
    buffers: diff.buffer,
  };
}

/**
 * Where an error came from, for the dashboard and the stats stream: `timer` is a throw from a timer the
 * chain started, `async` an unhandled rejection or uncaught throw of chain code, `dispose` a throw
 * from the chain's clean-up, `param` a param warning (a value clamped to its range, a bad value ignored;
 * see Operator.onWarning).
 */
export type ErrorPhase = "load" | "setup" | "update" | "cook" | "gpu" | "timer" | "async" | "dispose" | "param";

/**
 * The Context a build's setup and first update see: the engine's own for everything (reads and
 * writes go to it), except `chain`, which is always the chain being built.
 */
function buildContext(ctx: Context, chain: Chain): Context {
  return new Proxy(ctx, {
    get: (target, key) => (key === "chain" ? chain : Reflect.get(target, key, target)),
    set: (target, key, value) => (key === "chain" ? false : Reflect.set(target, key, value, target)),
  });
}

/** Draws the chain's output (or, with none yet, nothing but black) into the window inside the frame's encoder. */
export type DisplayPass = (frame: Frame, output: TextureHandle | undefined) => void;

export class Engine {
  readonly ctx: Context;
  readonly projectDir: string;
  readonly chainFile: string;
  chain?: Chain;
  module?: ChainModule;
  /** Called when a new chain was swapped in (before its first frame). */
  onSwap: () => void = () => {};
  /** Called for each error; an error repeated every frame is reported once until the next build. */
  onError: (error: ChainError, phase: ErrorPhase) => void = () => {};
  /**
   * Where every chain's param warnings go. A field, not an arrow made inside `build`: an arrow there
   * closes over build's whole scope, the running chain and the new module included, and the chain
   * keeps it, so every chain kept the one before it (10 MB of JS heap per 1000 reloads).
   */
  private readonly reportWarning = (warning: Error): void => this.onError({ ...toChainError(warning, this.projectDir), severity: "warning" }, "param");
  /** A throw from the chain's OSC handler (runtime/control/hub.ts drains them): located like one from update. */
  private readonly reportControlError = (error: unknown): void => this.reportError(error, "update");
  private retiring?: { chain: Chain; frames: number; waiters: Array<() => void> };
  /** Reloads that swapped since the last frame: the next frame() stamps its submit and completion (savedTo*Ms). */
  private firstFrameWaiters: Array<(times: FirstFrameTimes) => void> = [];
  private startMs = performance.now();
  private lastMs = this.startMs;
  private reportedFrameError = false;
  /** What the running chain's version owns besides GPU objects: timers, dispose callbacks. */
  private scope?: ChainScope;
  /** The version being loaded and built: setup's timers and `ctx.onDispose` callbacks go here. */
  private buildingScope?: ChainScope;
  /**
   * Set only while the chain's modules are imported: their top level runs outside any async context
   * (Bun evaluates modules from its loader), so its timers are known to be the new version's by this.
   */
  private importingScope?: ChainScope;
  /** The scope each built chain's version ran in, until `swap` takes it. */
  private readonly builtScopes = new WeakMap<Chain, ChainScope>();
  /** The chain's module graph outside the project folder: its frames are chain code too. */
  private outsideFiles = new Set<string>();
  /** Stops this engine's timer tracking (runtime/chain/scope.ts); undefined while it is not tracking. */
  private stopTrackingTimers?: () => void;
  /** The messages of the unhandled rejections the running version reported (see `reportError`), and the replaced one's. */
  private asyncKeys = new Set<string>();
  private replacedAsyncKeys = new Set<string>();
  private swappedAt = Number.NEGATIVE_INFINITY;
  private swappedAtFrame = Number.NEGATIVE_INFINITY;
  /** The last error located for `reportError`, so a throw repeated 60 times a second is located once. */
  private lastLocated?: { key: string; error: ChainError };

  /** The GPU the chain runs on; `useGpu` moves it to a new one after a device loss. */
  gpu: Gpu;
  private stopGpuErrors: () => void;

  constructor(
    gpu: Gpu,
    readonly options: EngineOptions,
  ) {
    this.gpu = gpu;
    this.projectDir = resolve(options.projectDir);
    this.chainFile = resolve(options.chainFile);
    this.ctx = new Context(options.width, options.height);
    this.cooking = { chain: undefined, args: { gpu, frame: undefined as unknown as Frame, time: 0, dt: 0, frameIndex: 0 } };
    registerHostModule("vivid", api);
    // The audio clock: frame / fixedFps with --fixed-fps (no device), else the device's.
    audio.configure({ fixedFps: options.fixedFps });
    loopGuard.limits = {
      setupMs: options.loopLimits?.setupMs ?? DEFAULT_LOOP_LIMITS.setupMs,
      updateMs: options.loopLimits?.updateMs ?? DEFAULT_LOOP_LIMITS.updateMs,
    };
    this.ctx.ownerScope = () => this.buildingScope ?? this.scope;
    this.ctx.midi = control.midiMappings;
    this.trackTimers();
    this.stopGpuErrors = this.listenToGpu(gpu);
  }

  private listenToGpu(gpu: Gpu): () => void {
    return gpu.onError((report) => this.onError({ ...report.location, message: `${report.owner}: ${report.location ? "WGSL: " : ""}${report.message}` }, "gpu"));
  }

  /**
   * Moves the running chain to `gpu` (a new device, after the old one was lost): the chain is built
   * again from its declarations (its setup runs again, as a new version), adopts from the old chain
   * what is not on the old device (particles' state, LFO phases, decoded images; pooled textures and
   * buffers are new, so their contents start over), and the old chain's objects are released on the
   * old device at once. The caller destroys the old Gpu. On failure the engine has no chain (frames
   * are idle) and the error says why. With `rebuild: false` (after a GPU hang: the same shader would
   * hang the new device too) the chain is only released, and the next save loads it again.
   */
  async useGpu(gpu: Gpu, { rebuild = true } = {}): Promise<BuildResult | undefined> {
    // A reload building on the old device lands first (or fails there), and what it swapped in is
    // rebuilt; one still building after a moment (on a hung device it may never end) swaps nothing in.
    await Promise.race([this.reloading, new Promise((resolve) => setTimeout(resolve, RELOAD_LANDS_MS))]);
    const module = rebuild ? this.module : undefined;
    this.retire();
    this.stopGpuErrors();
    this.gpu = gpu;
    this.cooking.args.gpu = gpu;
    this.stopGpuErrors = this.listenToGpu(gpu);
    if (!module) {
      // Not rebuilt (its shader hung the last device): the chain stops until the next save loads it.
      const scope = this.scope;
      this.scope = undefined;
      if (scope) void this.disposeScope(scope, this.module, this.chain);
      this.chain?.dispose();
      this.chain = undefined;
      return undefined;
    }
    const built = await this.build(module);
    if (built.ok) {
      this.swap(built.chain, module);
      this.retire();
    } else {
      const scope = this.scope;
      this.scope = undefined;
      if (scope) void this.disposeScope(scope, module, this.chain);
      this.chain?.dispose();
      this.chain = undefined;
    }
    return built;
  }

  /** Wraps the timer functions while this engine lives (again after `dispose`, if it loads again). */
  private trackTimers(): void {
    this.stopTrackingTimers ??= trackTimers({ isChainCode: (stack) => this.isChainCode(stack), currentScope: () => this.importingScope });
  }

  /**
   * Whether a call stack (Error.stack) passes through the chain's code: a file of the project folder,
   * or one the chain imports from outside it. Timers started there belong to the chain, and
   * process.exit called from there is refused.
   */
  isChainCode(stack: string): boolean {
    if (firstProjectFrame(stack, this.projectDir)) return true;
    if (this.outsideFiles.size === 0) return false;
    return stack.split("\n").some((line) => {
      const location = parseStackFrame(line);
      return location !== undefined && this.outsideFiles.has(location.file);
    });
  }

  /**
   * Imports the chain file (fresh: the project's modules are evicted first). Its top level runs as
   * a new version: a timer it starts belongs to the chain this module builds, and is cleared with it.
   */
  async loadModule(): Promise<{ ok: true; module: ChainModule } | { ok: false; error: ChainError; pending: boolean }> {
    this.trackTimers();
    this.closing = false;
    void this.buildingScope?.dispose();
    const scope = new ChainScope((error, phase, site) => this.reportError(error, phase, site));
    this.buildingScope = scope;
    this.outsideFiles = new Set(chainImportGraph(this.chainFile, this.projectDir).filter((file) => !isProjectFile(file, this.projectDir)));
    this.importingScope = scope;
    const result = await loadChainModule(this.chainFile, this.projectDir).finally(() => (this.importingScope = undefined));
    if (!result.ok) {
      this.buildingScope = undefined;
      void scope.dispose();
      return { ok: false, error: result.error, pending: result.pending };
    }
    return { ok: true, module: result.module };
  }

  /**
   * Builds a chain from `module` beside the running one: setup → resolve inputs → init (inside a GPU
   * validation scope, so WGSL errors surface here) → adopt the running chain's state → first cook
   * (submitted only if every operator cooked). On failure everything it acquired is released and
   * the running chain is untouched: its textures were not written.
   */
  async build(module: ChainModule): Promise<BuildResult> {
    const chain = new Chain();
    chain.onWarning = this.reportWarning;
    const scope = this.buildingScope ?? new ChainScope((error, phase, site) => this.reportError(error, phase, site));
    this.buildingScope = scope;
    // The running chain keeps playing while this one builds (an async setup's awaits let frames run):
    // the build's ctx is the engine's, but its `chain` is always the one being built, so a frame in
    // between, or a setup that goes on after its reload failed, never touches the other chain.
    const ctx = buildContext(this.ctx, chain);
    let setUp = false;
    try {
      await this.settled(scope.run(() => loopGuard.call("setup", "setupMs", module.setup, ctx)));
      setUp = true;
      chain.resolve();
      await this.gpu.validated(() => chain.init(this.gpu));
      // Decoding an audio file (a subprocess) is awaited here, between frames, never inside one.
      await chain.preload();
      if (this.chain) chain.adoptFrom(this.chain);
      // The first frame belongs to the transaction: a chain whose update throws at once is not swapped in.
      const update = module.update;
      if (update) await scope.run(() => this.firstUpdate(update, ctx));
      await this.gpu.validated(() => this.firstCook(chain));
      this.builtScopes.set(chain, scope);
      return { ok: true, chain };
    } catch (err) {
      const error = this.describeBuildError(err, chain);
      // What the failed version opened is closed: its timers, its onDispose callbacks, and (when its
      // setup finished) its dispose export.
      void this.disposeScope(scope, setUp ? module : undefined, chain);
      chain.dispose();
      return { ok: false, error };
    } finally {
      if (this.buildingScope === scope) this.buildingScope = undefined;
      this.ctx.chain = this.chain ?? chain;
    }
  }

  /**
   * What `setup` returned, settled: an async setup gets `setupTimeoutMs` to finish, after which the
   * reload fails with that message (the running chain plays on meanwhile); `dispose` ends the wait too.
   */
  private settled(result: unknown): unknown {
    if (!result || typeof (result as PromiseLike<unknown>).then !== "function") return result;
    const ms = this.options.setupTimeoutMs ?? SETUP_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => reject(new LocatedError(`setup() did not settle within ${ms} ms (--setup-timeout <ms> sets the limit); the running chain was kept`, this.setupLocation())), ms);
      const settle = () => {
        clearTimeout(timeout);
        this.abortBuild = undefined;
      };
      this.abortBuild = () => {
        settle();
        reject(new Error("the run ended while setup() was still running"));
      };
      (result as PromiseLike<unknown>).then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }

  /** The reload in progress, if any (settled: it never rejects). */
  private reloading?: Promise<unknown>;
  /** Set by `dispose`: a reload that finishes after it swaps nothing in. */
  private closing = false;

  /** Ends the wait for an async setup still running (see `settled`), if any. */
  private abortBuild?: () => void;

  /** Where the chain file declares `setup`, for an error about setup as a whole. */
  private setupLocation(): SourceLocation | undefined {
    try {
      const lines = readFileSync(this.chainFile, "utf8").split("\n");
      const line = lines.findIndex((text) => /\bfunction\s+setup\b|\bsetup\s*=/.test(text));
      return line === -1 ? undefined : { file: this.chainFile, line: line + 1, column: Math.max(1, lines[line]!.search(/\S/) + 1) };
    } catch {
      return undefined;
    }
  }

  /**
   * Ends one version: clears its timers and runs its clean-up (ctx.onDispose callbacks, last first,
   * then the module's `dispose(ctx)` with ctx.chain set to that version's chain).
   */
  private disposeScope(scope: ChainScope, module: ChainModule | undefined, chain: Chain | undefined): Promise<void> {
    const exported = module?.dispose;
    const disposeExport = exported
      ? () => {
          const current = this.ctx.chain;
          if (chain) this.ctx.chain = chain;
          try {
            return exported(this.ctx);
          } finally {
            this.ctx.chain = current;
          }
        }
      : undefined;
    return scope.dispose(disposeExport ? [disposeExport] : []);
  }

  /**
   * An error of the chain's that no call of the engine's caught: a timer's throw, an unhandled
   * rejection, a throw in clean-up. Reported every time it happens (the stats hub counts repeats);
   * located once while the same error repeats.
   */
  reportError(err: unknown, phase: ErrorPhase, site?: Error): void {
    const key = `${phase}\n${err instanceof Error ? `${err.message}\n${err.stack}` : String(err)}`;
    if (phase === "async") {
      // Bun reports an unhandled rejection on a later turn of the event loop (up to ~100 ms measured),
      // and the running chain draws until the swap: the replaced version's last rejections can come
      // after it. Those it had reported already are its tail, not the new version's errors.
      // Known by message, not by stack: a late rejection of the replaced module can come with a stack
      // whose positions no longer map to the file on disk (the new version's text is there now).
      const tailKey = err instanceof Error ? err.message : String(err);
      const inTail = performance.now() - this.swappedAt < REPLACED_TAIL_MS || this.ctx.frame - this.swappedAtFrame < REPLACED_TAIL_FRAMES;
      if (inTail && this.replacedAsyncKeys.has(tailKey)) return;
      if (this.asyncKeys.size < ASYNC_KEYS_KEPT) this.asyncKeys.add(tailKey);
    }
    if (this.lastLocated?.key !== key) this.lastLocated = { key, error: this.describeError(err, site) };
    this.onError(this.lastLocated.error, phase);
  }

  /** Any thrown value as a ChainError, located in the project where it can be (else at `site`, see ErrorContext). */
  describeError(err: unknown, site?: Error): ChainError {
    const context = this.errorContext(this.chain);
    return toChainError(err, this.projectDir, site ? { ...context, site } : context);
  }

  /**
   * The new chain's first update, in the build. One stopped for want of CPU (a machine so busy the
   * thread had under half the limit) runs once more before the build fails, as the first cook does:
   * the new chain is not live yet, and its frame has not been cooked.
   */
  private firstUpdate(update: NonNullable<ChainModule["update"]>, ctx: Context): unknown {
    return onceMoreIfStarved(() => loopGuard.call("update", "updateMs", update, ctx));
  }

  private firstCook(chain: Chain): void {
    const ctx = this.ctx;
    // The first cook is part of the build: it creates the chain's pipelines (a driver compiling
    // shaders on this thread: lavapipe takes hundreds of ms of CPU for them on a busy machine), so it
    // runs under the setup limit, not a frame's. A cook stopped for want of CPU (a busy machine, a
    // blocking driver call) is cooked once more before the build fails: the frame was discarded,
    // nothing of it reached the GPU.
    onceMoreIfStarved(() => {
      const frame = this.gpu.beginFrame("first cook");
      try {
        const args = { gpu: this.gpu, frame, time: ctx.time, dt: ctx.dt, frameIndex: ctx.frame };
        loopGuard.call("the first frame's cook", "setupMs", (cooking: typeof args) => chain.process(cooking), args);
      } catch (err) {
        frame.discard();
        chain.discardFrame(ctx.frame);
        throw err;
      }
      frame.submit();
    });
  }

  /**
   * A WGSL error is located in its .wgsl file (Gpu.createShaderModule mapped it back), whichever
   * operator compiled it; anything else in the user's project.
   */
  private describeBuildError(err: unknown, chain: Chain): ChainError {
    if (err instanceof WgslError) {
      const op = chain.has(err.owner) ? chain.get(err.owner) : undefined;
      const who = op ? `${op.typeName} "${op.name}"` : err.owner;
      return { ...err.location, message: `${who}: WGSL: ${err.message}` };
    }
    if (err instanceof GpuValidationError && err.location) return { ...err.location, message: err.message.trim() };
    return toChainError(err, this.projectDir, this.errorContext(chain));
  }

  /**
   * For errors that do not say where they came from: the failing operator's `chain.add` (a missing
   * input, an image that does not load) and the project's scripts (where a non-Error was thrown).
   */
  private errorContext(chain: Chain | undefined): ErrorContext {
    return { site: chain?.failedOperator?.addSite, files: projectImportGraph(this.chainFile, this.projectDir) };
  }

  /**
   * The reload transaction: load the chain file afresh, build beside the running chain, swap on
   * success. `eventMs` is when the change was seen (performance.now()). `done` resolves with `ms`
   * filled in once the new chain's first frame has finished on the GPU.
   */
  reload(file: string, eventMs = performance.now(), savedAtMs?: number): Promise<{ entry: ReloadEntry; done: Promise<ReloadEntry> }> {
    const reloading = this.reloadOnce(file, eventMs, savedAtMs);
    this.reloading = reloading.catch(() => undefined);
    return reloading;
  }

  private async reloadOnce(file: string, eventMs: number, savedAtMs?: number): Promise<{ entry: ReloadEntry; done: Promise<ReloadEntry> }> {
    const before = this.gpu.census.snapshot();
    const rssBefore = process.memoryUsage.rss();
    const loaded = await this.loadModule();
    let error: ChainError | undefined;
    let pending = false;
    if (!loaded.ok) {
      error = loaded.error;
      pending = loaded.pending;
    } else {
      const onGpu = this.gpu;
      const built = await this.build(loaded.module);
      if (built.ok && onGpu !== this.gpu) {
        // The device was replaced while this chain built on the old one: its objects are there.
        void this.disposeScope(this.builtScopes.get(built.chain)!, loaded.module, built.chain);
        built.chain.dispose();
        error = { message: "the GPU device was replaced while this reload was building; save again" };
      } else if (built.ok && this.closing) {
        // The run ended while this chain built: it never runs, and what it holds goes now.
        void this.disposeScope(this.builtScopes.get(built.chain)!, loaded.module, built.chain);
        built.chain.dispose();
        error = { message: "the run ended before this reload finished" };
      } else if (built.ok) this.swap(built.chain, loaded.module);
      else error = built.error;
    }
    const swapMs = performance.now() - eventMs;
    const entry = this.ledgerEntry(file, before, rssBefore, swapMs, error, pending);
    if (error) return { entry, done: Promise.resolve(entry) };
    const firstFrame = this.gpu.idle().then(() => (entry.ms = performance.now() - eventMs));
    const newChainFrame = new Promise<FirstFrameTimes>((resolve) => this.firstFrameWaiters.push(resolve));
    // The final counts include the old chain's release, a few frames after the swap.
    const done = Promise.all([firstFrame, newChainFrame, this.retired()]).then(([, times]) => {
      const final = this.ledgerEntry(file, before, rssBefore, swapMs, undefined, false);
      const saved = savedAtMs === undefined ? {} : { savedToSwapMs: times.submittedMs - savedAtMs, savedToFrameMs: times.doneMs - savedAtMs };
      return { ...final, ms: entry.ms, ...saved };
    });
    return { entry, done };
  }

  private ledgerEntry(file: string, before: CensusSnapshot, rssBefore: number, swapMs: number, error: ChainError | undefined, pending: boolean): ReloadEntry {
    const after = this.gpu.census.snapshot();
    return {
      type: "reload",
      t: this.ctx.time,
      file,
      ok: !error,
      swapMs,
      ms: swapMs,
      ...(error ? { error } : {}),
      created: objectCounts(createdSince(before, after)),
      released: objectCounts(releasedSince(before, after)),
      rssDeltaMB: (process.memoryUsage.rss() - rssBefore) / 1048576,
      ...(pending ? { pending } : {}),
    };
  }

  /**
   * Makes `chain` (built by `build`, state already adopted) the running one, then ends the old
   * version: its dispose callbacks run and its timers are cleared now; its GPU objects are released
   * a few frames later (see `retire`).
   */
  swap(chain: Chain, module: ChainModule): void {
    const previous = this.chain;
    const previousModule = this.module;
    const previousScope = this.scope;
    this.retire();
    this.chain = chain;
    this.module = module;
    this.scope = this.builtScopes.get(chain) ?? new ChainScope((error, phase, site) => this.reportError(error, phase, site));
    this.builtScopes.delete(chain);
    this.ctx.chain = chain;
    this.reportedFrameError = false;
    this.replacedAsyncKeys = this.asyncKeys;
    this.asyncKeys = new Set();
    this.swappedAt = performance.now();
    this.swappedAtFrame = this.ctx.frame;
    this.onSwap();
    if (previous) this.retiring = { chain: previous, frames: RETIRE_AFTER_FRAMES, waiters: [] };
    if (previousScope) void this.disposeScope(previousScope, previousModule, previous);
  }

  /** Live timers of the running version (intervals, and timeouts not yet fired). */
  get liveTimers(): number {
    return this.scope?.timerCount ?? 0;
  }

  /**
   * Disposes the chain being retired now. A replaced chain is kept for RETIRE_AFTER_FRAMES frames, so
   * the new chain takes every cached object it needs while the old one still holds it: an operator
   * that alternates between two bind groups (Feedback's ping-pong) would otherwise lose the one it
   * did not use in its first frame, and create it again — objects created per reload.
   */
  retire(): void {
    const retiring = this.retiring;
    if (!retiring) return;
    this.retiring = undefined;
    retiring.chain.dispose();
    for (const resolve of retiring.waiters) resolve();
  }

  /** Resolves once the chain replaced by the last swap has been disposed. */
  retired(): Promise<void> {
    const retiring = this.retiring;
    return retiring ? new Promise((resolve) => retiring.waiters.push(resolve)) : Promise.resolve();
  }

  /** Loads and builds; on success the new chain runs from the next frame. */
  async load(): Promise<BuildResult> {
    const loaded = await this.loadModule();
    if (!loaded.ok) return loaded;
    const built = await this.build(loaded.module);
    if (built.ok) this.swap(built.chain, loaded.module);
    return built;
  }

  /** Advances time: real time, or frame / fixedFps when deterministic. */
  private advanceClock(nowMs: number): void {
    const ctx = this.ctx;
    const fixed = this.options.fixedFps;
    if (fixed) {
      ctx.dt = 1 / fixed;
      ctx.time = ctx.frame / fixed;
    } else {
      ctx.dt = ctx.frame === 0 ? 0 : (nowMs - this.lastMs) / 1000;
      ctx.time = (nowMs - this.startMs) / 1000;
    }
    this.lastMs = nowMs;
  }

  /**
   * Before `frame()`, between frames: operators that stream from outside (VideoPlayer) get the next
   * frame's input ready; with --fixed-fps they wait for it, so the frame shows exactly what its time
   * calls for. Resolves at once for a chain with no such operator.
   */
  async prepareFrame(): Promise<void> {
    const chain = this.chain;
    if (!chain) return;
    const fixed = this.options.fixedFps;
    // advanceClock will give the next frame time = frame / fixedFps.
    for (const op of chain.all()) if (op.prepare) await op.prepare({ deterministic: fixed !== undefined, time: fixed ? this.ctx.frame / fixed : undefined });
  }

  /**
   * One frame: update(ctx), cook what needs it, then `display` (if any) reads the output, all in one
   * command encoder and one submit. A throw in update or in a cook is reported once; the frame then
   * shows the last good output. Returns the number of operators cooked.
   */
  frame(nowMs = performance.now(), display?: DisplayPass): number {
    const ctx = this.ctx;
    const chain = this.chain;
    if (!chain) throw new Error("no chain loaded");
    this.advanceClock(nowMs);
    ctx.chain = chain;
    // What arrived from outside (OSC, MIDI, serial) is applied here, at the frame boundary, before update.
    control.drain(chain, this.reportControlError);
    let cooked = 0;
    let failed = false;
    // The chain's code runs under the loop guard's watchdog (runtime/guard/loop-guard.ts): update,
    // then the cook, which reads the chain's bindings, each for the update limit.
    try {
      loopGuard.call("update", "updateMs", this.runUpdate, ctx);
    } catch (err) {
      // What update() did before the throw is half an edit: this frame does not cook it. The params
      // it set stay set (dirty) and cook with the first frame whose update() completes.
      failed = true;
      this.reportFrameError(err, "update");
    }
    let frame = this.gpu.beginFrame(failed ? "display" : undefined);
    if (!failed) {
      try {
        const cooking = this.cooking;
        cooking.chain = chain;
        cooking.args.frame = frame;
        cooking.args.time = ctx.time;
        cooking.args.dt = ctx.dt;
        cooking.args.frameIndex = ctx.frame;
        cooked = loopGuard.call("the cook (the bindings it reads)", "updateMs", this.runCook, cooking);
      } catch (err) {
        failed = true;
        frame.discard();
        chain.discardFrame(ctx.frame);
        this.reportFrameError(err, "cook");
        frame = this.gpu.beginFrame("display");
      } finally {
        this.cooking.chain = undefined;
      }
    }
    display?.(frame, chain.outputTexture);
    frame.submit();
    if (this.firstFrameWaiters.length > 0) this.stampFirstFrame();
    ctx.expireDebugValues();
    ctx.frame++;
    if (this.retiring && --this.retiring.frames <= 0) this.retire();
    return cooked;
  }

  /** update(ctx) of the running version, inside its scope (no closure a frame: made once). */
  private readonly runUpdate = (ctx: Context): void => {
    const update = this.module?.update;
    const result = update && this.scope ? this.scope.run(update, ctx) : update?.(ctx);
    // An async update's rejection is its throw, a frame late.
    if (result && typeof (result as PromiseLike<unknown>).then === "function") {
      (result as PromiseLike<unknown>).then(undefined, (err: unknown) => this.reportFrameError(err, "update"));
    }
  };

  /** The frame's cook, with its arguments in one object reused every frame. */
  private readonly cooking: { chain: Chain | undefined; args: Parameters<Chain["process"]>[0] };
  private readonly runCook = (cooking: Engine["cooking"]): number => cooking.chain!.process(cooking.args);

  /** The first frame of a chain a reload swapped in: when it was submitted, and when the GPU finished it (epoch ms). */
  private stampFirstFrame(): void {
    const waiters = this.firstFrameWaiters;
    this.firstFrameWaiters = [];
    const submittedMs = epochMs();
    void this.gpu.queue.onSubmittedWorkDone().then(() => {
      const times = { submittedMs, doneMs: epochMs() };
      for (const report of waiters) report(times);
    });
  }

  /**
   * A frame that shows the last output without running update or cooking: while paused, or while
   * the first load is still broken. Time stands still through it.
   */
  idleFrame(display?: DisplayPass, nowMs = performance.now()): void {
    this.startMs += nowMs - this.lastMs;
    this.lastMs = nowMs;
    loopGuard.touch();
    if (this.retiring && --this.retiring.frames <= 0) this.retire();
    if (!display) return;
    const frame = this.gpu.beginFrame("idle");
    display(frame, this.chain?.outputTexture);
    frame.submit();
  }

  private reportFrameError(err: unknown, phase: ErrorPhase): void {
    if (this.reportedFrameError) return;
    this.reportedFrameError = true;
    this.onError(toChainError(err, this.projectDir, this.errorContext(this.chain)), phase);
  }

  /** The output texture's pixels as RGBA floats (waits for the GPU). */
  async readOutput(): Promise<{ width: number; height: number; pixels: Float32Array }> {
    const output = this.chain?.outputTexture;
    if (!output) throw new Error("no output texture");
    const pixels = await this.gpu.readTexture(output);
    return { width: output.width, height: output.height, pixels };
  }

  /**
   * Ends the running version (its dispose callbacks, its timers) and releases the chain's objects
   * (the GPU itself belongs to the caller). Resolves when the chain's clean-up has settled.
   */
  dispose(): Promise<void> {
    const scope = this.scope;
    const chain = this.chain;
    this.scope = undefined;
    // A reload still building (main.ts does not wait for them) is ended and releases its own chain.
    this.closing = true;
    this.abortBuild?.();
    const disposed = scope ? this.disposeScope(scope, this.module, chain) : Promise.resolve();
    void this.buildingScope?.dispose();
    this.buildingScope = undefined;
    this.retire();
    this.chain?.dispose();
    this.chain = undefined;
    this.stopTrackingTimers?.();
    this.stopTrackingTimers = undefined;
    return Promise.all([disposed, this.reloading]).then(() => undefined);
  }
}

/** Runs `attempt`; one stopped by a LoopStarvedError (the thread was starved, not looping) runs once more. */
function onceMoreIfStarved<T>(attempt: () => T): T {
  try {
    return attempt();
  } catch (err) {
    if (!(err instanceof LoopStarvedError)) throw err;
    return attempt();
  }
}
