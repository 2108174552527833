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
import { dlopen, FFIType } from "bun:ffi";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import type { RunOptions } from "./cli.ts";
import { NO_INPUT, type WindowControls } from "./chain/context.ts";
import { control } from "./control/hub.ts";
import { startMidiLearn } from "./control/midi-learn.ts";
import type { DashboardAction, DashboardHandle } from "./dashboard/index.ts";
import { Engine, type DisplayPass as DisplayPassFn, type ReloadEntry } from "./engine.ts";
import { GpuUnavailableError } from "./gpu/device.ts";
import { DisplayPass } from "./gpu/display.ts";
import { Gpu } from "./gpu/gpu.ts";
import { createSurface, forceDeviceLoss, type Surface } from "./gpu/surface.ts";
import { OutputWindows } from "./output-windows.ts";
import { ErrorOverlay } from "./overlay.ts";
import type { Inspector } from "./inspector/inspector.ts";
import type { InspectServer } from "./inspector/server.ts";
import { guardProcess } from "./process-guard.ts";
import { DeviceWatch, defaultHangMs, recoverDevice } from "./guard/device-loss.ts";
import { formatChainError, type ChainError } from "./reload/errors.ts";
import { Reloader } from "./reload/reloader.ts";
import { locateFfmpeg } from "./record/ffmpeg.ts";
import { RecordProgressLine } from "./record/progress-line.ts";
import { Recorder } from "./record/recorder.ts";
import { saveSnapshot } from "./snapshot.ts";
import { SOAK_EXIT_CODES, SoakDriver, formatVerdict, plotRss } from "./soak.ts";
import { settledMemory } from "./stats/trim.ts";
import { audio } from "./audio/system.ts";
import { writeFileSync } from "node:fs";
import { createPlainReporter, openJsonlSink, StatsHub, type JsonlSink } from "./stats/index.ts";
import { openWindow, type VividWindow } from "./window/window.ts";
import { DisplayWatchdog } from "./window/display-watchdog.ts";
import { abandonPresentDisplays, displayAnswers } from "./window/x11-connection.ts";

const MAX_FRAMES_IN_FLIGHT = 2;
/** How long a paused loop sleeps between looks: a window's events want ~30 Hz; headless, only the 1 s stats do. */
const PAUSED_POLL_MS = { window: 33, headless: 250 };
/** How long teardown waits for the chain's async clean-up (a socket's close) before it goes on. */
const DISPOSE_WAIT_MS = 2000;
/** Frames after a device recovery at which the census is compared with before the loss. */
const RECOVERY_CENSUS_FRAMES = 5;

export async function run(options: RunOptions): Promise<number> {
  // A run with --frames or --snapshot is a batch job: no watching, and a broken chain is exit 1.
  // So is a recording of a set duration.
  const batch = options.frames !== undefined || options.snapshot !== undefined || options.record?.durationS !== undefined;
  // ffmpeg and its encoder are looked for before any work: a missing one is one line naming the package.
  const ffmpeg = options.record ? locateFfmpeg("--record", options.record.target.codec) : undefined;
  if (ffmpeg && "error" in ffmpeg) {
    console.error(`vivid: ${ffmpeg.error}`);
    return 1;
  }
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
  let vsync = options.vsync;
  /** Opens the window and what draws into it (at start, and when a lost display is back); the reason when it cannot. */
  const openOnscreen = (): string | undefined => {
    const opened = openWindow({ width: options.width, height: options.height, title: options.projectName, fullscreen: options.fullscreen, vsync: options.vsync });
    if ("error" in opened) return opened.error;
    try {
      surface = createSurface(gpu.device, opened.nativeHandles(), gpu.census);
    } catch (err) {
      // A display that answered a moment ago and is gone again: no window this time.
      opened.destroy();
      return err instanceof Error ? err.message : String(err);
    }
    win = opened;
    const size = win.framebufferSize();
    surface.configure(size.width, size.height, vsync ? win.presentMode : "immediate");
    display = new DisplayPass(gpu, surface.format, options.fit);
    overlay = new ErrorOverlay(gpu, size.width, size.height);
    return undefined;
  };
  if (!options.headless) {
    const error = openOnscreen();
    if (error) console.log(`vivid: no display (${error}); rendering offscreen`);
  }
  // Bounds what a lost display can cost: a run held by the driver after the loss exits instead of freezing.
  const watchdog = win?.displayWatched ? new DisplayWatchdog(win.displayName) : undefined;
  const size = win?.framebufferSize() ?? { width: options.width, height: options.height };
  const engine = new Engine(gpu, { ...options, width: size.width, height: size.height });
  /** The chain's window controls and input follow the window (there is none while a display is lost). */
  const bindWindow = () => {
    const window = win;
    engine.ctx.input = window?.input ?? NO_INPUT;
    engine.ctx.window = window
      ? ({
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
        } satisfies WindowControls)
      : undefined;
  };
  bindWindow();

  // ── stats: one hub, several views ──
  const hub = new StatsHub({
    // A soak samples memory after a full collection and a malloc trim (a few ms every 10 s), so its
    // slope measures what is kept, not where the collector or the allocators are in their cycles.
    readMemory: options.soak ? settledMemory : undefined,
    readGpu: () => ({ bytes: gpu.census.gpuBytes, breakdown: { textures: gpu.census.snapshot().textureBytes, buffers: gpu.census.snapshot().bufferBytes } }),
    readDebug: () => engine.ctx.debugValues,
    readAudio: () => (audio.used ? audio.snapshot() : undefined),
    readControl: () => control.summaries(),
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
  // ── the web inspector (runtime/inspector): its link is printed before the dashboard takes the terminal ──
  let inspector: Inspector | undefined;
  let inspectServer: InspectServer | undefined;
  if (options.inspect && !batch && !soak) {
    const [{ Inspector }, { startInspectServer }, pkg] = await Promise.all([import("./inspector/inspector.ts"), import("./inspector/server.ts"), import("../package.json", { with: { type: "json" } })]);
    const candidate = new Inspector(engine, hub, { project: options.projectName, version: pkg.default.version, requestReload: () => reloader?.request("manual"), onQueued: () => wakeFromPause?.() });
    try {
      inspectServer = startInspectServer(candidate, options.inspect);
      inspector = candidate;
      console.log(`vivid: inspector at ${inspectServer.url}`);
    } catch (err) {
      candidate.dispose();
      console.error(`vivid: ${err instanceof Error ? err.message : String(err)}; running without it`);
    }
  }
  let dashboard: DashboardHandle | undefined;
  // --midi-learn reads its prompt's answers from the terminal, which the dashboard would take for keys.
  const interactive = process.stdout.isTTY === true && options.dashboard && !batch && !options.midiLearn;
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
  engine.onSwap = () => (errorSinceSwap = undefined);
  // A reload that finished while paused: the next look draws the new chain once.
  let reloadLanded = false;
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
  // ── recording ──
  const recordFrames = options.record?.durationS !== undefined ? Math.max(1, Math.round(options.record.durationS * options.record.fps)) : undefined;
  let recordFailed = false;
  // A recording carries sound when the chain has a heard AudioOutput as it starts (runtime/record/audio-feed.ts).
  const hasAudio = () => engine.chain?.all().some((op) => op.outputKind === "audio" && (op as { audible?: boolean }).audible === true) ?? false;
  let recorder =
    options.record && ffmpeg && "path" in ffmpeg
      ? new Recorder(gpu, ffmpeg.path, { target: options.record.target, fps: options.record.fps, totalFrames: recordFrames, mode: "deterministic", hasAudio }, (message) => {
          // The recording stops; the show goes on.
          recordFailed = true;
          reportRuntimeError(`vivid: ${message}`);
        })
      : undefined;
  // Its progress: in the dashboard when there is one, else a line on stderr.
  let recordProgressLine = recorder && !interactive ? new RecordProgressLine(process.stderr) : undefined;
  /** Live recordings stopped with Shift+R, still finishing (teardown waits for them). */
  const finishing: Promise<unknown>[] = [];
  /**
   * Shift+R in the window: starts a live recording (wall-clock time, frames the encoder cannot take
   * are dropped and counted) to recording_<n>.mp4 in the project, or stops the one running.
   */
  const toggleLiveRecording = () => {
    if (recorder?.options.mode === "deterministic") {
      reportRuntimeError(`vivid: already recording (--record); Shift+R starts and stops live recordings only`);
      return;
    }
    if (recorder?.active) {
      const stopping = recorder;
      recorder = undefined;
      finishing.push(reportFinished(stopping));
      return;
    }
    const found = locateFfmpeg("Shift+R (record)", "h264");
    if ("error" in found) {
      reportRuntimeError(`vivid: ${found.error}`);
      return;
    }
    const path = nextNumberedPath(options.projectDir, "recording", "mp4");
    recorder = new Recorder(gpu, found.path, { target: { path, container: "mp4", codec: "h264" }, fps: options.record?.fps ?? 60, mode: "live", hasAudio }, (message) => reportRuntimeError(`vivid: ${message}`));
    recordProgressLine ??= interactive ? undefined : new RecordProgressLine(process.stderr);
  };
  let recordProgressAt = 0;
  // ── output windows (ctx.outputWindow): only beside a window of our own ──
  const outputs = win ? new OutputWindows(gpu, reportRuntimeError, options.vsync) : undefined;
  /**
   * Before a device loss's recovery releases the old device: output windows close (they reopen on
   * the new one at the next sync), and a recording ends there with the frames it has, since its
   * staging buffers lived on the lost device; waited for at most 2 s (a hung device may never
   * finish a mapping).
   */
  async function leaveLostDevice(): Promise<void> {
    await outputs?.dispose();
    if (recorder?.active) {
      const stopped = recorder;
      recorder = undefined;
      recordFailed = stopped.options.mode === "deterministic";
      reportRuntimeError("vivid: the GPU device was lost: the recording ends here, with the frames written so far");
      stopped.deviceLost();
      await Promise.race([reportFinished(stopped), Bun.sleep(2000)]);
    }
  }
  let saidNoOutputWindows = false;

  /**
   * The display went away under the window (runtime/window/x11-connection.ts): at the frame boundary
   * that finds it, the window and what drew into it are released and the run goes on offscreen (a
   * recording, --stats, the dashboard and the inspector with it); the display is asked once a second,
   * off the frame path, and the window reopens at the boundary after it answers.
   */
  let lostDisplay: { name: string; back: boolean; closed: boolean; timer?: ReturnType<typeof setInterval> } | undefined;
  /** The lost window's release, still running (see leaveDisplay); teardown waits a moment for it. */
  let closingWindows: Promise<void> | undefined;
  // Hidden test hooks (tests/runtime/window/display-loss.test.ts): VIVID_TEST_SLOW_DISPLAY_RELEASE=<ms>
  // makes the lost window's release take that long (the driver's took 11-13 s in one loss in three),
  // and VIVID_TEST_LOSE_DEVICE_WITH_DISPLAY=1 loses the device with the display, as a present that
  // raced the loss does; together, the device is recovered while the old one's swap chains are released.
  const slowDisplayRelease = Number(process.env.VIVID_TEST_SLOW_DISPLAY_RELEASE ?? 0);
  const loseDeviceWithDisplay = process.env.VIVID_TEST_LOSE_DEVICE_WITH_DISPLAY === "1";
  async function leaveDisplay(): Promise<void> {
    // A hidden test hook: VIVID_TEST_HOLD_ON_DISPLAY_LOSS=1 holds this thread in a native call here,
    // as the driver did in 2 of 4 suite runs (tests/runtime/window/display-loss.test.ts, the watchdog).
    if (process.env.VIVID_TEST_HOLD_ON_DISPLAY_LOSS === "1") holdThisThread();
    const lost = win!;
    const lostSurface = surface;
    const name = lost.displayName;
    // The swap chains of a lost device are deleted through these connections only when the device is
    // destroyed, later: they stay open (x11-connection.ts).
    abandonPresentDisplays(name);
    console.log(`vivid: lost the display${name ? ` ${name}` : ""}: rendering offscreen${name ? "; the window reopens when the display is back" : ""}`);
    if (watchdog) watchdog.displayLost = true;
    overlay?.dispose();
    display?.dispose();
    [win, surface, display, overlay] = [undefined, undefined, undefined, undefined];
    bindWindow();
    const watch: NonNullable<typeof lostDisplay> = { name, back: false, closed: false };
    lostDisplay = watch;
    // The windows go only after their swap chains are gone, which waits for the driver's present
    // thread (Mesa's X11 one took 11-13 s in about one loss in three; closing the X connection under
    // it crashes): in the background, so frames go on offscreen meanwhile; the window reopens after.
    closingWindows = (async () => {
      await outputs?.moveTo(gpu);
      if (slowDisplayRelease > 0) await Bun.sleep(slowDisplayRelease);
      await lostSurface?.destroy();
      lost.destroy();
    })().then(
      () => {
        watch.closed = true;
      },
      (error: unknown) => reportRuntimeError(`vivid: releasing the lost display's window failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    // Said the way Dawn says a present that raced the loss.
    if (loseDeviceWithDisplay) forceDeviceLoss(gpu.device, "QueuePresent failed with VK_ERROR_SURFACE_LOST_KHR (VIVID_TEST_LOSE_DEVICE_WITH_DISPLAY)");
    if (!name) return;
    let asking = false;
    watch.timer = setInterval(() => {
      if (asking || watch.back) return;
      asking = true;
      void displayAnswers(name).then((answers) => {
        asking = false;
        if (!answers) return;
        watch.back = true;
        wakeFromPause?.();
      });
    }, 1000);
  }
  /** The lost display answers again: the window reopens (or, if it cannot yet, the next answer tries again). */
  function returnToDisplay(): void {
    const watch = lostDisplay!;
    watch.back = false;
    if (openOnscreen() !== undefined) return;
    clearInterval(watch.timer);
    lostDisplay = undefined;
    bindWindow();
    const fb = win!.framebufferSize();
    if (fb.width > 0 && fb.height > 0 && (fb.width !== engine.ctx.width || fb.height !== engine.ctx.height)) {
      engine.ctx.width = fb.width;
      engine.ctx.height = fb.height;
      dashboard?.update({ width: fb.width, height: fb.height });
    }
    overlay?.set(hub.view().error ?? undefined);
    if (watchdog) watchdog.displayLost = false;
    console.log(`vivid: the display ${watch.name} is back: the window is open again`);
  }

  // ── live control (OSC, MIDI, serial): runtime/control/hub.ts applies it at each frame boundary ──
  // Its problems (a port in use, garbage, an unknown param) are shown once each, like a runtime error.
  control.onWarning = (message) => reportRuntimeError(`vivid: ${message}`);
  control.onReloadRequest = reloader ? () => reloader.request(engine.chainFile) : undefined;
  // `/vivid/snapshot`: written after the frame, like the dashboard's s key; the sender is told the path.
  const snapshotReplies: Array<(path: string | null) => void> = [];
  control.onSnapshotRequest = (done) => {
    snapshotReplies.push(done);
    snapshotRequested = true;
  };
  // `--osc <port>`: auto-mapping without an OscIn in the chain; held for the whole run.
  const runtimeOsc = options.osc !== undefined ? control.acquireOsc(options.osc) : undefined;
  const stopMidiLearn = options.midiLearn && !batch ? startMidiLearn(control.midiMappings) : undefined;
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

  // A lost device or a hung frame: the next frame boundary moves the run to a new device.
  const deviceWatch = new DeviceWatch(gpu, {
    hangMs: options.gpuTimeoutMs ?? defaultHangMs(gpu.adapter),
    onTrouble: () => wakeFromPause?.(),
    // The operators that cooked in a hung frame (or after it: at most one frame more is in flight).
    operatorsOf: (index) => (engine.chain?.processingOrder ?? []).filter((op) => op.cookedAt >= index).map((op) => `${op.typeName} "${op.name}"`),
  });

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

  let frameLimit = options.frames ?? (options.snapshot ? options.snapshotFrame : Infinity);
  if (recordFrames !== undefined && options.frames === undefined) frameLimit = options.snapshot ? Math.max(options.snapshotFrame, recordFrames) : recordFrames;
  const snapshotAt = options.snapshot ? Math.min(options.snapshotFrame, frameLimit) : -1;
  const inFlight: Promise<unknown>[] = [];
  // The frame number of each entry of inFlight, to name a frame that hangs on the GPU.
  const inFlightFrames: number[] = [];
  let recoveries = 0;
  // A hidden test hook: VIVID_TEST_LOSE_DEVICE=<N>x<T> destroys the device every N frames, T times
  // (a real loss, the way Dawn reports one; tests/runtime/guard/device-loss.test.ts).
  const [loseDeviceEvery = 0, loseDeviceTimes = 0] = (process.env.VIVID_TEST_LOSE_DEVICE ?? "").split("x").map(Number);
  let devicesLost = 0;
  async function recoverGpu(): Promise<void> {
    const trouble = deviceWatch.trouble!;
    recoveries++;
    // Presenting to a window whose X server had just died loses the device (Dawn's rule for a lost
    // surface) before Xlib has noticed: a poll makes it notice, and that is the display's loss, said
    // once as such, not a GPU error to show on the window when it comes back.
    if (trouble.kind === "lost" && /SURFACE_LOST/.test(trouble.message) && win) {
      win.pollEvents();
      // Xlib may not have read from the dead connection yet: then the display is asked directly.
      if (win.displayLost || (win.displayName && !(await displayAnswers(win.displayName)))) await leaveDisplay();
    }
    if (lostDisplay && /SURFACE_LOST/.test(trouble.message)) {
      console.log("vivid: presenting to the lost display's window lost the GPU device too: moving to a new one");
    } else {
      // Shown like an error; the hub counts repeats, so N losses of one kind are one line with a count.
      hub.error({ message: trouble.message });
      overlay?.set({ message: trouble.message });
    }
    // What was in flight on the old device will never be waited for.
    inFlight.length = 0;
    inFlightFrames.length = 0;
    const liveBefore = gpu.census.live();
    const recovered = await recoverDevice(
      engine,
      async () => {
        await leaveLostDevice();
        inspector?.releaseGpuObjects();
        overlay?.dispose();
        display?.dispose();
        // A surface waits for the device to finish its work: a hung one never does.
        await (trouble.kind === "hang" ? Promise.race([surface?.destroy(), Bun.sleep(500)]) : surface?.destroy());
      },
      (next) => {
        gpu = next;
        deviceWatch.watch(next);
        void outputs?.moveTo(next);
        if (!win) return;
        const fb = win.framebufferSize();
        try {
          surface = createSurface(next.device, win.nativeHandles(), next.census);
        } catch {
          // The window's display went away meanwhile: left below, as a lost display.
          [surface, display, overlay] = [undefined, undefined, undefined];
          return;
        }
        surface.configure(fb.width, fb.height, vsync ? win.presentMode : "immediate");
        display = new DisplayPass(next, surface.format, options.fit);
        overlay = new ErrorOverlay(next, fb.width, fb.height);
        overlay.set({ message: trouble.message });
      },
      trouble,
      // A lost display's window and swap chains are still being released on the old device.
      () => (lostDisplay && !lostDisplay.closed ? closingWindows : undefined),
    );
    deviceWatch.trouble = undefined;
    if (win && !surface) await leaveDisplay();
    const leak = recovered.leaked > 0 ? `; ${recovered.leaked} GPU objects were left on the old device (a leak)` : "";
    const outcome = recovered.ok ? "the chain runs again" : `the chain failed on the new device: ${recovered.error}`;
    // The census is compared a few frames on, once the chain's frame-to-frame objects exist again (a
    // feedback's second bind group is made by its second frame).
    const report = (frames: number) => console.log(`vivid: GPU recovered (${recoveries} so far): ${outcome}; ${gpu.census.live()} GPU objects live ${frames} frames later (${liveBefore} before the loss)${leak}`);
    recoveryReport = { atFrame: framesDrawn + RECOVERY_CENSUS_FRAMES, print: () => report(RECOVERY_CENSUS_FRAMES) };
    if (recovered.leaked > 0) hub.error({ message: `GPU recovery left ${recovered.leaked} objects on the old device (a leak)` });
  }
  let recoveryReport: { atFrame: number; print: () => void } | undefined;
  // Frames the loop drew (idle ones too: after a GPU hang the chain is stopped, and time with it).
  let framesDrawn = 0;
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
      if (deviceWatch.trouble) await recoverGpu();
      let changed = (snapshotRequested && engine.chain !== undefined) || reloadLanded;
      reloadLanded = false;
      if (reloader?.pending) {
        // The new chain loads and builds while this loop keeps drawing the running one (an async
        // setup awaits without stopping frames); the swap lands between two frames.
        void reloader.apply().then(
          () => {
            reloadLanded = true;
            wakeFromPause?.();
          },
          // The transaction reports the chain's errors itself; this is the runtime failing.
          (error: unknown) => reportRuntimeError(`vivid: the reload failed: ${error instanceof Error ? error.message : String(error)}`),
        );
        changed = true;
      }
      // What pages, editors and agents sent since the last frame is applied here, between frames.
      if (inspector?.boundary()) changed = true;
      if (lostDisplay?.back && lostDisplay.closed) {
        returnToDisplay();
        changed = true;
      }
      win?.pollEvents();
      // Found by the poll, before this frame presents to a surface that is gone (Dawn would call
      // that a lost device).
      if (win?.displayLost) {
        await leaveDisplay();
        changed = true;
      }
      if (win) {
        if (win.shouldClose || (options.escQuits && win.input.key("Escape").pressed)) break;
        if (win.input.key("R").pressed) {
          if (win.input.pressedWithShift("R")) toggleLiveRecording();
          else reloader?.request("manual");
        }
        // S in the window writes a snapshot, as s does in the dashboard.
        if (win.input.key("S").pressed) snapshotRequested = true;
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
      // A recording waits here for a free staging slot: the encoder sets the pace, no frame is dropped
      // (a live one does not wait: a frame that finds no free slot is dropped and counted).
      if (recorder && engine.chain && !paused) await recorder.beforeFrame(engine.chain.outputTexture);
      // A video gets its next frame ready (deterministic time: waits for it).
      if (engine.chain && !paused) await engine.prepareFrame();
      frame++;
      // The output windows follow the chain the last reload swapped in, and acquire their textures.
      if (win) {
        outputs?.sync(engine.chain);
        outputs?.acquire();
      }
      if (!outputs && !saidNoOutputWindows && engine.chain && engine.chain.outputWindows.size > 0) {
        saidNoOutputWindows = true;
        reportRuntimeError(`vivid: no window (headless), so no output windows: ${[...engine.chain.outputWindows.keys()].join(", ")}`);
      }
      const target = surface?.acquire() ?? null;
      const draw: DisplayPassFn | undefined =
        target || outputs?.count || inspector?.wantsFrames
          ? (f, output) => {
              inspector?.recordFrame(f, output);
              if (target) {
                const text = overlay?.update({ gpu, frame: f, time: engine.ctx.time, dt: engine.ctx.dt, frameIndex: engine.ctx.frame });
                display!.draw(f, inspector ? inspector.screenTexture(output) : output, target.view, [surface!.width, surface!.height], text);
              }
              outputs?.draw(f, engine.chain);
            }
          : undefined;
      if (engine.chain && !paused) {
        const recording = recorder?.active ? recorder : undefined;
        engine.frame(
          start,
          recording
            ? (f, output) => {
                draw?.(f, output);
                recording.capture(f, output);
              }
            : draw,
        );
        recording?.afterSubmit();
      } else engine.idleFrame(draw, start);
      inspector?.afterSubmit();
      const cpuMs = performance.now() - start;
      if (target) surface!.present();
      outputs?.present();
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
      if (recorder && start - recordProgressAt >= (recordProgressLine?.interval ?? 500)) {
        recordProgressAt = start;
        const progress = recorder.progress(start);
        if (recordProgressLine) recordProgressLine.show(progress);
        else hub.record(progress);
      }
      if (frame === snapshotAt && engine.chain && !batchError) {
        // The one-off --snapshot run: a write that fails is the run's failure (exit 1).
        if (!(await writeSnapshot(engine, options.snapshot!, reportRuntimeError))) snapshotFailed = true;
      }
      if (snapshotRequested && engine.chain) {
        snapshotRequested = false;
        const path = nextSnapshotPath(options.projectDir);
        const written = await writeSnapshot(engine, path, reportRuntimeError);
        for (const reply of snapshotReplies.splice(0)) reply(written ? path : null);
      }

      framesDrawn = frame;
      if (recoveryReport && frame >= recoveryReport.atFrame) {
        recoveryReport.print();
        recoveryReport = undefined;
      }
      inFlight.push(gpu.queue.onSubmittedWorkDone());
      inFlightFrames.push(engine.ctx.frame - 1);
      if (loseDeviceEvery > 0 && frame % loseDeviceEvery === 0 && devicesLost < loseDeviceTimes) {
        devicesLost++;
        gpu.device.destroy();
      }
      // Wait for the older frame, unless a save arrives first (then reload without waiting), or the
      // frame hangs on the GPU (then the device is replaced at the next frame boundary).
      if (inFlight.length >= MAX_FRAMES_IN_FLIGHT) {
        const done = deviceWatch.waitForFrame(inFlight.shift()!, inFlightFrames.shift()!);
        await (reloader ? reloader.waitFor(done) : done);
      } else await new Promise((resolve) => setImmediate(resolve));
    }
    // (Not forever: a frame that hangs on the GPU never finishes.)
    if (!deviceWatch.trouble) await deviceWatch.waitForFrame(Promise.all(inFlight), inFlightFrames.at(-1) ?? 0);
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
    const { soakJitMode } = await import("./soak-jit.ts");
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
    if (options.soak!.json) save("--json", options.soak!.json, JSON.stringify({ project: options.projectName, adapter: gpu.adapter.name, options: options.soak, jit: soakJitMode(), ...verdict }, null, 2));
    if (options.soak!.png) save("--png", options.soak!.png, plotRss(verdict, options.projectName));
    await teardown();
    return SOAK_EXIT_CODES[verdict.result];
  }
  await teardown();
  return snapshotFailed || recordFailed ? 1 : 0;

  /** Releases everything in reverse order of creation and checks the census. */
  async function teardown() {
    await finishRecording();
    // Before anything is released: the last frames, debug values and memory go into --stats.
    hub.finish();
    inspectServer?.stop();
    inspector?.dispose();
    await reloader?.close();
    dashboard?.unmount();
    dashboard = undefined;
    // The chain's dispose(ctx) and onDispose callbacks run, and its timers are cleared.
    await Promise.race([engine.dispose(), Bun.sleep(DISPOSE_WAIT_MS)]);
    await outputs?.dispose();
    clearInterval(lostDisplay?.timer);
    if (closingWindows) await Promise.race([closingWindows, Bun.sleep(3000)]);
    // The audio device closes with the process, never with a reload.
    audio.close();
    if (runtimeOsc) control.releaseOsc(runtimeOsc);
    stopMidiLearn?.();
    control.onReloadRequest = undefined;
    control.onSnapshotRequest = undefined;
    overlay?.dispose();
    display?.dispose();
    await surface?.destroy();
    watchdog?.stop();
    const live = gpu.census.live();
    if (live !== 0) console.error(`vivid: ${live} GPU objects were still alive at exit (a leak): ${JSON.stringify(gpu.census.snapshot().owners)}`);
    gpu.destroy();
    // The window after the device: whatever of its swap chain the device still held is deleted
    // while the X connection it talks to is open (the last window's close ends that connection).
    win?.destroy();
    sink?.close();
    restoreProcess();
    deviceWatch.close();
  }

  /** Ends the recording (the frames still queued are written first) and says what it wrote. */
  async function finishRecording() {
    await Promise.all(finishing);
    if (!recorder) return;
    const live = recorder.options.mode === "live";
    const result = await reportFinished(recorder);
    // A live recording (Shift+R) that failed does not fail the run; --record does.
    if (!result.ok && !live) recordFailed = true;
  }

  /** Waits for `finished` to end and says what it wrote (a failure mid-run was said when it happened). */
  async function reportFinished(finished: Recorder): Promise<{ ok: boolean }> {
    const failedBefore = finished.failed !== undefined;
    const result = await finished.finish();
    recordProgressLine?.done(finished.progress());
    if (!recordProgressLine) hub.record(finished.progress());
    if (result.ok) console.log(`vivid: ${result.message}`);
    else if (!failedBefore) reportRuntimeError(`vivid: ${result.message}`);
    return result;
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
  return nextNumberedPath(projectDir, "snapshot", "png");
}

/** <stem>_<n>.<extension> in the project folder, the first n not taken. */
function nextNumberedPath(projectDir: string, stem: string, extension: string): string {
  for (let n = 1; ; n++) {
    const path = join(projectDir, `${stem}_${n}.${extension}`);
    if (!existsSync(path)) return path;
  }
}

/** Blocks the JS thread in a native call for an hour (the VIVID_TEST_HOLD_ON_DISPLAY_LOSS hook). */
function holdThisThread(): void {
  dlopen("libc.so.6", { sleep: { args: [FFIType.u32], returns: FFIType.u32 } }).symbols.sleep(3600);
}
