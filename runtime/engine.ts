/**
 * The engine: one GPU, one Context, the running chain and the module it came from. It builds chains,
 * runs frames (time → update → cook → optional display pass → one submit) and reports errors.
 * main.ts drives it from the frame loop; tests drive it directly.
 */
import { resolve } from "node:path";
import { Chain } from "./chain/chain.ts";
import { Context } from "./chain/context.ts";
import type { Frame, Gpu, TextureHandle } from "./gpu/gpu.ts";
import { toChainError, type ChainError } from "./reload/errors.ts";
import { loadChainModule, registerHostModule, type ChainModule } from "./reload/loader.ts";
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

export type BuildResult = { ok: true; chain: Chain } | { ok: false; error: ChainError; pending?: boolean };

/** Where an error came from, for the dashboard and the stats stream. */
export type ErrorPhase = "load" | "setup" | "update" | "cook" | "gpu";

/** Draws the chain's output into a target inside the frame's encoder (the window's display pass). */
export type DisplayPass = (frame: Frame, output: TextureHandle) => void;

export class Engine {
  readonly ctx: Context;
  readonly projectDir: string;
  readonly chainFile: string;
  chain?: Chain;
  module?: ChainModule;
  /** Called for each error; an error repeated every frame is reported once until the next build. */
  onError: (error: ChainError, phase: ErrorPhase) => void = () => {};
  private startMs = performance.now();
  private lastMs = this.startMs;
  private reportedFrameError = false;

  constructor(
    readonly gpu: Gpu,
    readonly options: EngineOptions,
  ) {
    this.projectDir = resolve(options.projectDir);
    this.chainFile = resolve(options.chainFile);
    this.ctx = new Context(options.width, options.height);
    registerHostModule("vivid", api);
    gpu.onError((report) => this.onError({ message: `${report.owner}: ${report.message}` }, "gpu"));
  }

  /** Imports the chain file (fresh: the project's modules are evicted first). */
  async loadModule(): Promise<{ ok: true; module: ChainModule } | { ok: false; error: ChainError; pending: boolean }> {
    const result = await loadChainModule(this.chainFile, this.projectDir);
    if (!result.ok) return { ok: false, error: result.error, pending: result.pending };
    return { ok: true, module: result.module };
  }

  /**
   * Builds a chain from `module` beside the running one: setup → resolve inputs → init (inside a GPU
   * validation scope, so WGSL errors surface here). On failure everything it acquired is released
   * and the running chain is untouched.
   */
  async build(module: ChainModule): Promise<BuildResult> {
    const chain = new Chain();
    const running = this.ctx.chain;
    this.ctx.chain = chain;
    try {
      await module.setup(this.ctx);
      chain.resolve();
      await this.gpu.validated(() => chain.init(this.gpu));
      return { ok: true, chain };
    } catch (err) {
      chain.dispose();
      return { ok: false, error: toChainError(err, this.projectDir) };
    } finally {
      this.ctx.chain = running ?? chain;
    }
  }

  /** Makes `chain` the running one (handing state over) and releases the old chain's objects. */
  swap(chain: Chain, module: ChainModule): void {
    const previous = this.chain;
    if (previous) chain.adoptFrom(previous);
    this.chain = chain;
    this.module = module;
    this.ctx.chain = chain;
    this.reportedFrameError = false;
    previous?.dispose();
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
      this.module?.update?.(ctx);
    } catch (err) {
      this.reportFrameError(err, "update");
    }
    let frame = this.gpu.beginFrame();
    try {
      cooked = chain.process({ gpu: this.gpu, frame, time: ctx.time, dt: ctx.dt, frameIndex: ctx.frame });
    } catch (err) {
      failed = true;
      frame.discard();
      this.reportFrameError(err, "cook");
    }
    if (failed) frame = this.gpu.beginFrame("display");
    const output = chain.outputTexture;
    if (display && output) display(frame, output);
    frame.submit();
    ctx.expireDebugValues();
    ctx.frame++;
    return cooked;
  }

  private reportFrameError(err: unknown, phase: ErrorPhase): void {
    if (this.reportedFrameError) return;
    this.reportedFrameError = true;
    this.onError(toChainError(err, this.projectDir), phase);
  }

  /** The output texture's pixels as RGBA floats (waits for the GPU). */
  async readOutput(): Promise<{ width: number; height: number; pixels: Float32Array }> {
    const output = this.chain?.outputTexture;
    if (!output) throw new Error("no output texture");
    const pixels = await this.gpu.readTexture(output);
    return { width: output.width, height: output.height, pixels };
  }

  /** Releases the chain's objects (the GPU itself belongs to the caller). */
  dispose(): void {
    this.chain?.dispose();
    this.chain = undefined;
  }
}
