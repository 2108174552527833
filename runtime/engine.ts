/**
 * The engine: one GPU, one Context, the running chain and the module it came from. It builds chains,
 * runs frames (time → update → cook → optional display pass → one submit) and reports errors.
 * main.ts drives it from the frame loop; tests drive it directly.
 */
import { resolve } from "node:path";
import { Chain } from "./chain/chain.ts";
import { Context } from "./chain/context.ts";
import { ChainScope, trackTimers } from "./chain/scope.ts";
import { createdSince, releasedSince, type CensusSnapshot } from "./gpu/census.ts";
import { GpuValidationError, WgslError, type Frame, type Gpu, type TextureHandle } from "./gpu/gpu.ts";
import { firstProjectFrame, isProjectFile, parseStackFrame, toChainError, type ChainError, type ErrorContext } from "./reload/errors.ts";
import { chainImportGraph, projectImportGraph } from "./reload/module-graph.ts";
import { loadChainModule, registerHostModule, type ChainModule } from "./reload/loader.ts";
import type { ReloadCounts, ReloadEvent } from "./stats/events.ts";
import * as api from "./index.ts";

export interface EngineOptions {
  /** The project folder; errors are located in files under it. */
  projectDir: string;
  /** The chain file inside it (chain.ts). */
  chainFile: string;
  width: number;
  height: number;
  /** Deterministic time: time = frame / fixedFps, dt = 1 / fixedFps. */
  fixedFps?: number;
}

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

/** Draws the chain's output (or, with none yet, nothing but black) into the window inside the frame's encoder. */
export type DisplayPass = (frame: Frame, output: TextureHandle | undefined) => void;

export class Engine {
  readonly ctx: Context;
  readonly projectDir: string;
  readonly chainFile: string;
  chain?: Chain;
  module?: ChainModule;
  /** Called for each error; an error repeated every frame is reported once until the next build. */
  onError: (error: ChainError, phase: ErrorPhase) => void = () => {};
  /**
   * Where every chain's param warnings go. A field, not an arrow made inside `build`: an arrow there
   * closes over build's whole scope, the running chain and the new module included, and the chain
   * keeps it, so every chain kept the one before it (10 MB of JS heap per 1000 reloads).
   */
  private readonly reportWarning = (warning: Error): void => this.onError(toChainError(warning, this.projectDir), "param");
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
  /** The last error located for `reportError`, so a throw repeated 60 times a second is located once. */
  private lastLocated?: { key: string; error: ChainError };

  constructor(
    readonly gpu: Gpu,
    readonly options: EngineOptions,
  ) {
    this.projectDir = resolve(options.projectDir);
    this.chainFile = resolve(options.chainFile);
    this.ctx = new Context(options.width, options.height);
    registerHostModule("vivid", api);
    this.ctx.ownerScope = () => this.buildingScope ?? this.scope;
    this.trackTimers();
    gpu.onError((report) => this.onError({ ...report.location, message: `${report.owner}: ${report.location ? "WGSL: " : ""}${report.message}` }, "gpu"));
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
    const running = this.ctx.chain;
    const scope = this.buildingScope ?? new ChainScope((error, phase, site) => this.reportError(error, phase, site));
    this.buildingScope = scope;
    this.ctx.chain = chain;
    let setUp = false;
    try {
      await scope.run(() => module.setup(this.ctx));
      setUp = true;
      chain.resolve();
      await this.gpu.validated(() => chain.init(this.gpu));
      if (this.chain) chain.adoptFrom(this.chain);
      // The first frame belongs to the transaction: a chain whose update throws at once is not swapped in.
      await scope.run(() => module.update?.(this.ctx));
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
      this.ctx.chain = running ?? chain;
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
    if (this.lastLocated?.key !== key) this.lastLocated = { key, error: this.describeError(err, site) };
    this.onError(this.lastLocated.error, phase);
  }

  /** Any thrown value as a ChainError, located in the project where it can be (else at `site`, see ErrorContext). */
  describeError(err: unknown, site?: Error): ChainError {
    const context = this.errorContext(this.chain);
    return toChainError(err, this.projectDir, site ? { ...context, site } : context);
  }

  private firstCook(chain: Chain): void {
    const ctx = this.ctx;
    const frame = this.gpu.beginFrame("first cook");
    try {
      chain.process({ gpu: this.gpu, frame, time: ctx.time, dt: ctx.dt, frameIndex: ctx.frame });
    } catch (err) {
      frame.discard();
      throw err;
    }
    frame.submit();
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
  async reload(file: string, eventMs = performance.now(), savedAtMs?: number): Promise<{ entry: ReloadEntry; done: Promise<ReloadEntry> }> {
    const before = this.gpu.census.snapshot();
    const rssBefore = process.memoryUsage.rss();
    const loaded = await this.loadModule();
    let error: ChainError | undefined;
    let pending = false;
    if (!loaded.ok) {
      error = loaded.error;
      pending = loaded.pending;
    } else {
      const built = await this.build(loaded.module);
      if (built.ok) this.swap(built.chain, loaded.module);
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
    let cooked = 0;
    let failed = false;
    try {
      // (No closure a frame: the scope calls update with ctx itself.)
      const update = this.module?.update;
      const result = update && this.scope ? this.scope.run(update, ctx) : update?.(ctx);
      // An async update's rejection is its throw, a frame late.
      if (result && typeof (result as PromiseLike<unknown>).then === "function") {
        (result as PromiseLike<unknown>).then(undefined, (err: unknown) => this.reportFrameError(err, "update"));
      }
    } catch (err) {
      // What update() did before the throw is half an edit: this frame does not cook it. The params
      // it set stay set (dirty) and cook with the first frame whose update() completes.
      failed = true;
      this.reportFrameError(err, "update");
    }
    let frame = this.gpu.beginFrame(failed ? "display" : undefined);
    if (!failed) {
      try {
        cooked = chain.process({ gpu: this.gpu, frame, time: ctx.time, dt: ctx.dt, frameIndex: ctx.frame });
      } catch (err) {
        failed = true;
        frame.discard();
        this.reportFrameError(err, "cook");
        frame = this.gpu.beginFrame("display");
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
    const disposed = scope ? this.disposeScope(scope, this.module, chain) : Promise.resolve();
    void this.buildingScope?.dispose();
    this.buildingScope = undefined;
    this.retire();
    this.chain?.dispose();
    this.chain = undefined;
    this.stopTrackingTimers?.();
    this.stopTrackingTimers = undefined;
    return disposed;
  }
}
