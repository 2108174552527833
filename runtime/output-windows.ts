/**
 * Output windows (`ctx.outputWindow(name, { source, monitor?, fullscreen? })`): second GLFW windows,
 * each with its own surface and display pass, showing one operator's output — a projector beside the
 * editor's screen. The chain's setup asks for them; after each build that is swapped in, `sync` opens
 * the new ones, updates those kept by name, and closes those no longer asked for. Closing one (the
 * user closing it, or a reload without it) releases its surface and display pass: the census goes
 * back to where it was.
 *
 * Per frame: `acquire` before the frame, `draw` inside it (the same encoder and submit as the main
 * window), `present` after it. Events come with the main window's poll (GLFW polls every window).
 */
import type { Chain } from "./chain/chain.ts";
import type { OutputWindowOptions } from "./chain/context.ts";
import { TextureOperator } from "./chain/operator.ts";
import { DisplayPass } from "./gpu/display.ts";
import type { Frame, Gpu } from "./gpu/gpu.ts";
import { createSurface, type Surface, type SurfaceFrame } from "./gpu/surface.ts";
import { openWindow, type VividWindow } from "./window/window.ts";

const DEFAULT_SIZE: [number, number] = [640, 360];

interface OutputWindow {
  name: string;
  options: OutputWindowOptions;
  win: VividWindow;
  surface: Surface;
  display: DisplayPass;
  target: SurfaceFrame | null;
}

export class OutputWindows {
  private windows = new Map<string, OutputWindow>();
  /** The chain last synced: a new one (a reload) is synced again. */
  private syncedChain?: Chain;
  /** Names the user closed: not reopened until a reload asks again. */
  private closedByUser = new Set<string>();
  private reported = new Set<string>();

  constructor(
    private gpu: Gpu,
    /** Where a problem goes (a window that cannot open, a source that is not a texture): shown once each. */
    private report: (message: string) => void,
    private vsync: boolean,
  ) {}

  get count(): number {
    return this.windows.size;
  }

  /** The window called `name` (tests read its position and size). */
  window(name: string): VividWindow | undefined {
    return this.windows.get(name)?.win;
  }

  private reportOnce(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.report(message);
  }

  /** Opens, updates and closes windows to match what `chain`'s setup asked for (only when the chain changed). */
  sync(chain: Chain | undefined): void {
    if (!chain || chain === this.syncedChain) return;
    this.syncedChain = chain;
    this.closedByUser.clear();
    const wanted = chain.outputWindows;
    for (const [name, window] of this.windows) {
      const options = wanted.get(name);
      if (!options || placementChanged(window.options, options)) this.close(name);
      else window.options = options;
    }
    for (const [name, options] of wanted) if (!this.windows.has(name)) this.open(name, options);
  }

  private open(name: string, options: OutputWindowOptions): void {
    const [width, height] = options.size ?? DEFAULT_SIZE;
    const opened = openWindow({
      width,
      height,
      title: name,
      fullscreen: options.fullscreen,
      monitor: options.monitor,
      position: options.position ? { x: options.position[0], y: options.position[1] } : undefined,
      vsync: this.vsync,
    });
    if ("error" in opened) {
      this.reportOnce(`open:${name}`, `vivid: output window "${name}" not opened: ${opened.error}`);
      return;
    }
    let surface: Surface;
    try {
      surface = createSurface(this.gpu.device, opened.nativeHandles(), this.gpu.census);
    } catch (err) {
      opened.destroy();
      this.reportOnce(`surface:${name}`, `vivid: output window "${name}" has no surface: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const size = opened.framebufferSize();
    surface.configure(size.width, size.height, opened.presentMode);
    const display = new DisplayPass(this.gpu, surface.format, false, `output:${name}`);
    this.windows.set(name, { name, options, win: opened, surface, display, target: null });
  }

  /** Before the frame: closes windows the user closed, follows resizes, acquires each surface texture. */
  acquire(): void {
    for (const window of [...this.windows.values()]) {
      if (window.win.shouldClose) {
        this.closedByUser.add(window.name);
        this.close(window.name);
        continue;
      }
      const size = window.win.framebufferSize();
      if (size.width > 0 && size.height > 0) window.surface.resizeIfNeeded(size.width, size.height);
      window.target = window.surface.acquire();
    }
  }

  /** Inside the frame: each window's source output drawn into its surface texture (black while the source has none). */
  draw(frame: Frame, chain: Chain | undefined): void {
    for (const window of this.windows.values()) {
      if (!window.target) continue;
      const source = chain?.has(window.options.source) ? chain.get(window.options.source) : undefined;
      if (!source || !(source instanceof TextureOperator)) {
        this.reportOnce(`source:${window.name}:${window.options.source}`, `vivid: output window "${window.name}": no texture operator "${window.options.source}" in the chain; showing black`);
      }
      const texture = source instanceof TextureOperator ? source.outputTexture : undefined;
      window.display.draw(frame, texture, window.target.view, [window.surface.width, window.surface.height]);
    }
  }

  /** After the submit: presents every window that acquired a texture. */
  present(): void {
    for (const window of this.windows.values()) {
      if (!window.target) continue;
      window.surface.present();
      window.target = null;
    }
  }

  private close(name: string): void {
    const window = this.windows.get(name);
    if (!window) return;
    this.windows.delete(name);
    window.display.dispose();
    // The surface first, then its X window (as the main window's teardown).
    void window.surface.destroy().finally(() => window.win.destroy());
  }

  /**
   * After a device loss (main.ts recoverGpu): the windows, made on the old device, are closed, and the
   * next sync opens them again on `gpu`.
   */
  async moveTo(gpu: Gpu): Promise<void> {
    // Set before the wait: a later moveTo (a device recovered while a lost display's windows are
    // still being released) must not be undone when this one's release ends.
    this.gpu = gpu;
    this.syncedChain = undefined;
    await this.dispose();
  }

  /** Closes every window; resolves when their surfaces are gone. */
  async dispose(): Promise<void> {
    const windows = [...this.windows.values()];
    this.windows.clear();
    for (const window of windows) {
      window.display.dispose();
      await window.surface.destroy();
      window.win.destroy();
    }
  }
}

/** A window is reopened when where or how it is placed changed; a new source applies in place. */
function placementChanged(a: OutputWindowOptions, b: OutputWindowOptions): boolean {
  return a.monitor !== b.monitor || !!a.fullscreen !== !!b.fullscreen || String(a.size) !== String(b.size) || String(a.position) !== String(b.position);
}
