/**
 * Boot and frame loop: GPU → window (or offscreen) → engine (load the chain) → reloader → stats views,
 * then frames until the window closes, q / Esc, --frames, or a one-off snapshot.
 *
 * Paused (p in the dashboard), the loop draws nothing: it sleeps until a key, a save or a timer (30 Hz
 * with a window, to poll its events; 4 Hz headless, for the stats) wakes it, so a paused run is idle.
 *
 * Each frame: apply a queued reload (between frames, never inside one) → poll the window → update +
 * cook + display pass in one encoder and one submit → present → stats. At most two frames are in
 * flight on the GPU, and the loop yields to the event loop every frame (bun-webgpu delivers its
 * callbacks from there).
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import type { RunOptions } from "./cli.ts";
import type { WindowControls } from "./chain/context.ts";
import type { DashboardAction, DashboardHandle } from "./dashboard/index.ts";
import { Engine, type DisplayPass as DisplayPassFn, type ReloadEntry } from "./engine.ts";
import { GpuUnavailableError } from "./gpu/device.ts";
import { DisplayPass } from "./gpu/display.ts";
import { Gpu } from "./gpu/gpu.ts";
import { createSurface, type Surface } from "./gpu/surface.ts";
import { ErrorOverlay } from "./overlay.ts";
import { guardProcess } from "./process-guard.ts";
import { formatChainError, type ChainError } from "./reload/errors.ts";
import { Reloader } from "./reload/reloader.ts";
import { saveSnapshot } from "./snapshot.ts";
import { SOAK_EXIT_CODES, SoakDriver, formatVerdict, plotRss } from "./soak.ts";
import { trimMalloc } from "./stats/trim.ts";
import { writeFileSync } from "node:fs";
import { createPlainReporter, openJsonlSink, StatsHub, type JsonlSink } from "./stats/index.ts";
import { openWindow, type VividWindow } from "./window/window.ts";

const MAX_FRAMES_IN_FLIGHT = 2;
/** How long a paused loop sleeps between looks: a window's events want ~30 Hz; headless, only the 1 s stats do. */
const PAUSED_POLL_MS = { window: 33, headless: 250 };
/** How long teardown waits for the chain's async clean-up (a socket's close) before it goes on. */
const DISPOSE_WAIT_MS = 2000;

export async function run(options: RunOptions): Promise<number> {
  // A run with --frames or --snapshot is a batch job: no watching, and a broken chain is exit 1.
  const batch = options.frames !== undefined || options.snapshot !== undefined;
  let gpu: Gpu;
  try {
    gpu = await Gpu.open({ dispatch: options.dispatch });
  } catch (err) {
    if (err instanceof GpuUnavailableError) {
      console.error(`vivid: ${err.message}`);
      return 1;
    }
    throw err;
  }
  // Which path per-pixel operators take on this GPU, and why (the dashboard header shows it too).
  console.log(`vivid: ${gpu.adapter.name} · ${gpu.dispatch} passes (${gpu.dispatchReason})`);

  // ── window, or offscreen ──
  let win: VividWindow | undefined;
  let surface: Surface | undefined;
  let display: DisplayPass | undefined;
  let overlay: ErrorOverlay | undefined;
  if (!options.headless) {
    const opened = openWindow({ width: options.width, height: options.height, title: options.projectName, fullscreen: options.fullscreen, vsync: options.vsync });
    if ("error" in opened) {
      console.log(`vivid: no display (${opened.error}); rendering offscreen`);
    } else {
      win = opened;
      surface = createSurface(gpu.device, win.nativeHandles(), gpu.census);
      const size = win.framebufferSize();
      surface.configure(size.width, size.height, win.presentMode);
      display = new DisplayPass(gpu, surface.format, options.fit);
      overlay = new ErrorOverlay(gpu, size.width, size.height);
    }
  }
  const size = win?.framebufferSize() ?? { width: options.width, height: options.height };
  const engine = new Engine(gpu, { ...options, width: size.width, height: size.height });
  let vsync = options.vsync;
  if (win) {
    const window = win;
    engine.ctx.input = window.input;
    engine.ctx.window = {
      get fullscreen() {
        return window.fullscreen;
      },
      set fullscreen(on: boolean) {
        window.fullscreen = on;
      },
      get vsync() {
        return vsync;
      },
      set vsync(on: boolean) {
        if (on === vsync) return;
        vsync = on;
        surface!.configure(surface!.width, surface!.height, on ? "fifo" : "immediate");
      },
    } satisfies WindowControls;
  }

  // ── stats: one hub, several views ──
  const hub = new StatsHub({
    // A soak samples memory after a full collection and a malloc trim (a few ms every 10 s), so its
    // slope measures what is kept, not where the collector or the allocators are in their cycles.
    readMemory: options.soak
      ? () => {
          Bun.gc(true);
          trimMalloc();
          const usage = process.memoryUsage();
          return { rssBytes: usage.rss, heapBytes: usage.heapUsed };
        }
      : undefined,
    readGpu: () => ({ bytes: gpu.census.gpuBytes, breakdown: { textures: gpu.census.snapshot().textureBytes, buffers: gpu.census.snapshot().bufferBytes } }),
    readDebug: () => engine.ctx.debugValues,
  });
  let sink: JsonlSink | undefined;
  if (options.stats) {
    sink = openJsonlSink(options.stats);
    hub.subscribe(sink.write);
  }
  const soak = options.soak ? new SoakDriver(options.chainFile, gpu, options.soak, (progress) => hub.soak(progress)) : undefined;
  if (soak) hub.subscribe(soak.listener);
  let quit = false;
  let paused = false;
  let snapshotRequested = false;
  // The paused loop's sleep: one slot, replaced by each sleep, called by a key or a signal to end it early.
  let wakeFromPause: (() => void) | undefined;
  const reloader = batch ? undefined : new Reloader(engine, { onReload: (entry) => reportReload(entry) });
  const onKey = (action: DashboardAction) => {
    if (action === "quit") quit = true;
    else if (action === "reload") reloader?.request("manual");
    else if (action === "snapshot") snapshotRequested = true;
    else if (action === "pause") {
      paused = !paused;
      dashboard?.update({ paused });
    }
    wakeFromPause?.();
  };
  let dashboard: DashboardHandle | undefined;
  const interactive = process.stdout.isTTY === true && options.dashboard && !batch;
  if (interactive) {
    // Loaded only to be shown: Ink, React and Yoga's WebAssembly cost ~22 MB of RSS and 35 MB of
    // heap (32 MB of it Yoga's memory) before anything is drawn (docs/memory.md).
    const { mountDashboard } = await import("./dashboard/index.ts");
    dashboard = mountDashboard(hub, { project: options.projectName, adapter: gpu.adapter.name, dispatch: gpu.dispatch, width: size.width, height: size.height, census: () => gpu.census.snapshot() }, { onKey });
  } else if (!batch) {
    hub.subscribe(createPlainReporter());
  }

  // The chain's code may not end the run (process.exit) or crash it (a throw from a socket's handler).
  const restoreProcess = guardProcess({ projectDir: engine.projectDir, isChainCode: (stack) => engine.isChainCode(stack), report: (error, phase) => engine.reportError(error, phase) });
  // The last error since the running chain was swapped in: its reload's ok entry, which comes a few
  // frames after the swap, must not clear it from the views.
  let errorSinceSwap: ChainError | undefined;
  // A batch run ends at the first error, with exit code 1.
  let batchError: ChainError | undefined;
  engine.onError = (error, phase) => {
    errorSinceSwap = error;
    hub.error(error);
    overlay?.set(error);
    // A param warning (a value clamped to its range) is shown, but does not end a batch run.
    if (batch && !batchError && phase !== "param") {
      batchError = error;
      quit = true;
    }
  };
  /**
   * A file the runtime could not write (a snapshot): shown where errors are (the dashboard, or the
   * plain lines; a batch run has neither, so stderr), and the run goes on.
   */
  const reportRuntimeError = (message: string) => {
    if (batch) console.error(message);
    hub.error({ message });
  };
  let snapshotFailed = false;
  function reportReload(entry: ReloadEntry) {
    // The ledger's t is seconds since the hub started, like every stats event (the entry's own t is
    // the chain's clock, which --fixed-fps and pauses make differ from the wall clock).
    const { t: _chainTime, pending: _pending, ...event } = entry;
    hub.reload(event);
    if (!entry.ok) overlay?.set(entry.error ?? { message: "reload failed" });
    // The new chain failed after it was swapped in: that error is still the current one, after this entry too.
    else if (errorSinceSwap) hub.error(errorSinceSwap);
    // Else the ok entry clears the overlay, but for what its own build reported (see StatsViewState).
    else overlay?.set(hub.view().error ?? undefined);
  }

  // ── the chain ──
  const built = await engine.load();
  if (!built.ok) {
    console.error(formatChainError(built.error));
    if (batch) {
      await teardown();
      return 1;
    }
    hub.error(built.error);
    overlay?.set(built.error);
    console.error("vivid: waiting for a fix — save the file to try again");
  }
  await reloader?.start();

  const frameLimit = options.frames ?? (options.snapshot ? options.snapshotFrame : Infinity);
  const snapshotAt = options.snapshot ? Math.min(options.snapshotFrame, frameLimit) : -1;
  const inFlight: Promise<unknown>[] = [];
  const stop = () => {
    quit = true;
    wakeFromPause?.();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  let lastStart = performance.now();
  let titleAt = 0;
  let titlePaused = false;
  const updateTitle = (now: number) => {
    if (!win || (now - titleAt < 1000 && titlePaused === paused)) return;
    titleAt = now;
    titlePaused = paused;
    const fps = hub.view().frames?.fps;
    win.setTitle(`${options.projectName} — ${paused ? "PAUSED" : `${fps ? fps.toFixed(0) : "…"} fps`}`);
  };
  /** Resolves after `ms`, or sooner on a key (see onKey), a signal or a save. */
  const sleepWhilePaused = (ms: number): Promise<void> => {
    const timer = new Promise<void>((resolve) => {
      const timeout = setTimeout(resolve, ms);
      wakeFromPause = () => {
        clearTimeout(timeout);
        resolve();
      };
    });
    return reloader ? reloader.waitFor(timer) : timer;
  };
  // The frame after a pause has no interval: the pause is not a frame time.
  let resumed = false;

  let loopFailed = true;
  try {
    let frame = 0;
    while (frame < frameLimit && !quit) {
      // While paused, a frame is drawn only for a snapshot or when what it shows changed (a reload, a resize).
      let changed = snapshotRequested && engine.chain !== undefined;
      if (reloader?.pending) {
        const applied = await reloader.apply();
        if (applied?.ok) errorSinceSwap = undefined;
        changed = true;
      }
      if (win) {
        win.pollEvents();
        if (win.shouldClose || (options.escQuits && win.input.key("Escape").pressed)) break;
        if (win.input.key("R").pressed) reloader?.request("manual");
        const fb = win.framebufferSize();
        if (fb.width > 0 && fb.height > 0 && surface!.resizeIfNeeded(fb.width, fb.height)) {
          engine.ctx.width = fb.width;
          engine.ctx.height = fb.height;
          overlay?.resize(fb.width, fb.height);
          dashboard?.update({ width: fb.width, height: fb.height });
          changed = true;
        }
      }

      const start = performance.now();
      if (paused && !changed) {
        engine.idleFrame(undefined, start); // time stands still; a replaced chain is still released
        win?.input.endFrame();
        hub.tick(start);
        updateTitle(start);
        resumed = true;
        await sleepWhilePaused(win ? PAUSED_POLL_MS.window : PAUSED_POLL_MS.headless);
        continue;
      }
      frame++;
      const target = surface?.acquire() ?? null;
      const draw: DisplayPassFn | undefined = target
        ? (f, output) => {
            const text = overlay?.update({ gpu, frame: f, time: engine.ctx.time, dt: engine.ctx.dt, frameIndex: engine.ctx.frame });
            display!.draw(f, output, target.view, [surface!.width, surface!.height], text);
          }
        : undefined;
      if (engine.chain && !paused) engine.frame(start, draw);
      else engine.idleFrame(draw, start);
      const cpuMs = performance.now() - start;
      if (target) surface!.present();
      win?.input.endFrame();
      // A soak samples memory with no frame in flight: Dawn's and the driver's per-frame memory
      // is then the same at every sample, instead of wherever the frame happens to be.
      if (soak && hub.memoryDue(start)) await gpu.idle();
      hub.recordFrame(cpuMs, frame === 1 || resumed ? Number.NaN : start - lastStart, start);
      resumed = false;
      if (soak) {
        soak.tick(start, start - lastStart);
        if (soak.done(start)) quit = true;
      }
      lastStart = start;

      updateTitle(start);
      if (frame === snapshotAt && engine.chain && !batchError) {
        // The one-off --snapshot run: a write that fails is the run's failure (exit 1).
        if (!(await writeSnapshot(engine, options.snapshot!, reportRuntimeError))) snapshotFailed = true;
      }
      if (snapshotRequested && engine.chain) {
        snapshotRequested = false;
        await writeSnapshot(engine, nextSnapshotPath(options.projectDir), reportRuntimeError);
      }

      inFlight.push(gpu.queue.onSubmittedWorkDone());
      // Wait for the older frame, unless a save arrives first: then reload without waiting.
      if (inFlight.length >= MAX_FRAMES_IN_FLIGHT) await (reloader ? reloader.waitFor(inFlight.shift()!) : inFlight.shift());
      else await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(inFlight);
    if (batchError) {
      console.error(formatChainError(batchError));
      loopFailed = false;
      await teardown();
      return 1;
    }
    if (options.frames) console.log(`vivid: rendered ${engine.ctx.frame} frames, exiting`);
    loopFailed = false;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    soak?.restore();
    if (loopFailed) await teardown();
  }
  if (soak) {
    // Let the last re-save's reload land before counting, so the census compares like with like.
    // No frame follows, so the replaced chain is disposed now rather than a few frames later; its
    // ledger entry then reports here, before the verdict, and not in the middle of teardown.
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (reloader?.pending) await reloader.apply();
    engine.retire();
    await gpu.idle();
    await new Promise((resolve) => setImmediate(resolve));
    const verdict = soak.verdict();
    // The last stats now, so a plain run's last memory line comes before the verdict, not after it.
    hub.finish();
    dashboard?.unmount();
    console.log(formatVerdict(verdict));
    // The paths were checked at start; a write that fails now (a full disk) is said, and the verdict stands.
    const save = (flag: string, path: string, data: string | Uint8Array) => {
      try {
        writeFileSync(path, data);
      } catch (err) {
        console.error(`vivid: ${flag} ${path} not written: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    if (options.soak!.json) save("--json", options.soak!.json, JSON.stringify({ project: options.projectName, adapter: gpu.adapter.name, options: options.soak, ...verdict }, null, 2));
    if (options.soak!.png) save("--png", options.soak!.png, plotRss(verdict, options.projectName));
    await teardown();
    return SOAK_EXIT_CODES[verdict.result];
  }
  await teardown();
  return snapshotFailed ? 1 : 0;

  /** Releases everything in reverse order of creation and checks the census. */
  async function teardown() {
    // Before anything is released: the last frames, debug values and memory go into --stats.
    hub.finish();
    await reloader?.close();
    dashboard?.unmount();
    dashboard = undefined;
    // The chain's dispose(ctx) and onDispose callbacks run, and its timers are cleared.
    await Promise.race([engine.dispose(), Bun.sleep(DISPOSE_WAIT_MS)]);
    overlay?.dispose();
    display?.dispose();
    await surface?.destroy();
    win?.destroy();
    const live = gpu.census.live();
    if (live !== 0) console.error(`vivid: ${live} GPU objects were still alive at exit (a leak): ${JSON.stringify(gpu.census.snapshot().owners)}`);
    gpu.destroy();
    sink?.close();
    restoreProcess();
  }
}

/**
 * Writes the output to `path`. A write that fails (a read-only or renamed project folder, a full
 * disk) is reported through `report` and the loop goes on; returns whether it was written.
 */
async function writeSnapshot(engine: Engine, path: string, report: (message: string) => void): Promise<boolean> {
  const output = engine.chain?.outputTexture;
  if (!output) return false;
  const saved = await saveSnapshot(engine.gpu, output, path);
  if (!saved.ok) {
    report(`vivid: ${saved.message}`);
    return false;
  }
  const shown = relative(process.cwd(), path);
  console.log(`vivid: wrote ${shown.startsWith("..") ? path : shown} (${output.width}x${output.height}, frame ${engine.ctx.frame})`);
  return true;
}

/** snapshot_<n>.png in the project folder, the first n not taken. */
function nextSnapshotPath(projectDir: string): string {
  for (let n = 1; ; n++) {
    const path = join(projectDir, `snapshot_${n}.png`);
    if (!existsSync(path)) return path;
  }
}
