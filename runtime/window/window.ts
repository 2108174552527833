/**
 * The window: a GLFW window without a GL context (CLIENT_API = NO_API), its input, fullscreen switching,
 * and the native handles that runtime/gpu/surface.ts turns into a WGPUSurface.
 *
 * `openWindow` returns `{ error }` instead of throwing when no window can be had (no DISPLAY, X server
 * unreachable, GLFW not installed) so that the caller prints one clear line and renders offscreen.
 *
 * Order at shutdown: destroy the surface first, then the window (the surface references the native
 * window; Dawn's swap chain must go before the X window it presents to).
 */

import { ptr, read, type Pointer, JSCallback, FFIType } from "bun:ffi";
import { GLFW, loadGlfw, lastGlfwError, clearGlfwError, cString, setNativeEnv, type GlfwLibrary } from "./glfw.ts";
import { InputState } from "./input.ts";
import { emptyBrokenBuffer, forgetX11Display, openPresentDisplay, watchX11Display, type PresentDisplay, type X11Connection } from "./x11-connection.ts";

export interface WindowOptions {
  width: number;
  height: number;
  title?: string;
  fullscreen?: boolean;
  /** Present with vsync ("fifo"); false asks the surface for "immediate". The window only stores it. */
  vsync?: boolean;
  resizable?: boolean;
  /** Where to put the window, in screen coordinates (an output window beside the editor's). */
  position?: { x: number; y: number };
  /** Which monitor (glfwGetMonitors order) `fullscreen` uses, and whose origin `position` counts from; default the primary. */
  monitor?: number;
  /**
   * X11 display to connect to (e.g. ":99"). Sets DISPLAY in the C environment before glfwInit, since
   * Bun's `process.env` does not reach `getenv()`. Leave undefined to use the inherited DISPLAY.
   */
  display?: string;
}

/**
 * What a WGPUSurface needs, per windowing system. Only "x11" is tested; the others are written from
 * the headers and are untested.
 */
export type NativeHandles =
  | { platform: "x11"; display: Pointer; window: bigint }
  | { platform: "wayland"; display: Pointer; surface: Pointer }
  | { platform: "cocoa"; nsWindow: Pointer }
  | { platform: "win32"; hwnd: Pointer; hinstance: Pointer | null };

export interface Size {
  width: number;
  height: number;
}

export interface VividWindow {
  readonly input: InputState;
  readonly vsync: boolean;
  /** The present mode that matches `vsync`, for `surface.configure`. */
  readonly presentMode: "fifo" | "immediate";
  /** True once the user closed the window (or `shouldClose` was set). */
  shouldClose: boolean;
  /** Switches to the primary monitor's video mode and back to the previous windowed rect. */
  fullscreen: boolean;
  /** Processes pending window-system events; input callbacks run inside this call. */
  pollEvents(): void;
  /** Size in pixels of what the surface must match (differs from `windowSize` on HiDPI). */
  framebufferSize(): Size;
  /** Size in screen coordinates. */
  windowSize(): Size;
  setSize(width: number, height: number): void;
  position(): { x: number; y: number };
  setTitle(title: string): void;
  nativeHandles(): NativeHandles;
  /**
   * True once the window system's connection broke (the X server went away): the window shows nothing
   * any more and only `destroy()` is left to do. Always false where that cannot be survived (see
   * runtime/window/x11-connection.ts).
   */
  readonly displayLost: boolean;
  /** Whether a lost display is survived (runtime/window/x11-connection.ts) rather than ending the process. */
  readonly displayWatched: boolean;
  /** The display the window is on (DISPLAY's value on X11), to look for its return; "" when unknown. */
  readonly displayName: string;
  /** glfwDestroyWindow, and glfwTerminate when it was the last window. Idempotent. */
  destroy(): void;
  readonly destroyed: boolean;
}

let openWindows = 0;

/** Opens a window, or says in one line why there is none. */
export function openWindow(options: WindowOptions): VividWindow | { error: string } {
  let glfw: GlfwLibrary;
  try {
    glfw = loadGlfw();
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const fn = glfw.fn;
  if (options.display !== undefined) setNativeEnv("DISPLAY", options.display);

  clearGlfwError();
  if (openWindows === 0 && fn.glfwInit() !== GLFW.TRUE) {
    return { error: `cannot open a window: ${lastGlfwError() ?? "glfwInit failed"}` };
  }

  fn.glfwDefaultWindowHints();
  fn.glfwWindowHint(GLFW.CLIENT_API, GLFW.NO_API);
  fn.glfwWindowHint(GLFW.RESIZABLE, options.resizable === false ? GLFW.FALSE : GLFW.TRUE);

  const title = cString(options.title ?? "vivid");
  let monitor: Pointer | null = null;
  let width = options.width;
  let height = options.height;
  let refreshRate = GLFW.DONT_CARE as number;
  if (options.fullscreen) {
    const mode = options.monitor !== undefined ? monitorVideoMode(glfw, options.monitor) : primaryVideoMode(glfw);
    if (mode) {
      monitor = mode.monitor;
      width = mode.width;
      height = mode.height;
      refreshRate = mode.refreshRate;
    }
  }
  if (monitor) fn.glfwWindowHint(0x0002100f /* GLFW_REFRESH_RATE */, refreshRate);
  const handle = fn.glfwCreateWindow(width, height, title, monitor, null) as Pointer | null;
  if (!handle) {
    const reason = lastGlfwError() ?? "glfwCreateWindow failed";
    if (openWindows === 0) fn.glfwTerminate();
    return { error: `cannot open a window: ${reason}` };
  }
  openWindows++;
  if (!monitor && (options.position || options.monitor !== undefined)) {
    const origin = options.monitor !== undefined ? monitorOrigin(glfw, options.monitor) : { x: 0, y: 0 };
    fn.glfwSetWindowPos(handle, origin.x + (options.position?.x ?? 0), origin.y + (options.position?.y ?? 0));
  }
  return new GlfwWindow(glfw, handle, options, monitor !== null);
}

/** A monitor as GLFW sees it: its index (what `monitor` options take), name, position and video mode. */
export interface MonitorInfo {
  index: number;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  refreshRate: number;
  primary: boolean;
}

/** The connected monitors, or `{ error }` when there is no display (GLFW cannot start). */
export function listMonitors(): MonitorInfo[] | { error: string } {
  let glfw: GlfwLibrary;
  try {
    glfw = loadGlfw();
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const fn = glfw.fn;
  clearGlfwError();
  if (openWindows === 0 && fn.glfwInit() !== GLFW.TRUE) return { error: `no display: ${lastGlfwError() ?? "glfwInit failed"}` };
  try {
    const primary = fn.glfwGetPrimaryMonitor() as Pointer | null;
    return monitorPointers(glfw).map((monitor, index) => {
      const mode = fn.glfwGetVideoMode(monitor) as Pointer | null;
      const origin = positionOf(glfw, monitor);
      return {
        index,
        name: String(fn.glfwGetMonitorName(monitor) ?? `monitor ${index}`),
        x: origin.x,
        y: origin.y,
        width: mode ? read.i32(mode, 0) : 0,
        height: mode ? read.i32(mode, 4) : 0,
        refreshRate: mode ? read.i32(mode, 20) : 0,
        primary: monitor === primary,
      };
    });
  } finally {
    if (openWindows === 0) fn.glfwTerminate();
  }
}

/** glfwGetMonitors: an array of `count` monitor pointers. */
function monitorPointers(glfw: GlfwLibrary): Pointer[] {
  const count = new Int32Array(1);
  const array = glfw.fn.glfwGetMonitors(ptr(count)) as Pointer | null;
  if (!array) return [];
  return Array.from({ length: count[0]! }, (_, i) => read.ptr(array, i * 8) as Pointer);
}

function positionOf(glfw: GlfwLibrary, monitor: Pointer): { x: number; y: number } {
  const x = new Int32Array(1);
  const y = new Int32Array(1);
  glfw.fn.glfwGetMonitorPos(monitor, ptr(x), ptr(y));
  return { x: x[0]!, y: y[0]! };
}

/** Monitor `index`'s origin; the primary's (0, 0) when there is no such monitor. */
function monitorOrigin(glfw: GlfwLibrary, index: number): { x: number; y: number } {
  const monitor = monitorPointers(glfw)[index];
  return monitor ? positionOf(glfw, monitor) : { x: 0, y: 0 };
}

function monitorVideoMode(glfw: GlfwLibrary, index: number): VideoMode | null {
  const monitor = monitorPointers(glfw)[index];
  if (!monitor) return primaryVideoMode(glfw);
  const mode = glfw.fn.glfwGetVideoMode(monitor) as Pointer | null;
  if (!mode) return null;
  return { monitor, width: read.i32(mode, 0), height: read.i32(mode, 4), refreshRate: read.i32(mode, 20) };
}

interface VideoMode {
  monitor: Pointer;
  width: number;
  height: number;
  refreshRate: number;
}

/** GLFWvidmode: six ints — width @0, height @4, redBits @8, greenBits @12, blueBits @16, refreshRate @20. */
function primaryVideoMode(glfw: GlfwLibrary): VideoMode | null {
  const monitor = glfw.fn.glfwGetPrimaryMonitor() as Pointer | null;
  if (!monitor) return null;
  const mode = glfw.fn.glfwGetVideoMode(monitor) as Pointer | null;
  if (!mode) return null;
  return { monitor, width: read.i32(mode, 0), height: read.i32(mode, 4), refreshRate: read.i32(mode, 20) };
}

class GlfwWindow implements VividWindow {
  readonly input: InputState;
  readonly vsync: boolean;
  private isDestroyed = false;
  private isFullscreen: boolean;
  /** The windowed rect to return to when leaving fullscreen. */
  private windowedRect: { x: number; y: number; width: number; height: number };
  private callbacks: JSCallback[] = [];
  private pairA = new Int32Array(1);
  private pairB = new Int32Array(1);
  private connection: X11Connection | null = null;
  /** The surface's own X connection, where the display is watched (x11-connection.ts, openPresentDisplay). */
  private presentDisplay?: PresentDisplay | null;
  private x11Display: Pointer | null = null;
  readonly displayName: string;

  constructor(
    private glfw: GlfwLibrary,
    private handle: Pointer,
    options: WindowOptions,
    fullscreen: boolean,
  ) {
    this.vsync = options.vsync ?? true;
    this.isFullscreen = fullscreen;
    this.windowedRect = { x: 0, y: 0, width: options.width, height: options.height };
    if (!fullscreen) {
      const pos = this.position();
      this.windowedRect.x = pos.x;
      this.windowedRect.y = pos.y;
    }
    const win = this.windowSize();
    const fb = this.framebufferSize();
    this.input = new InputState(win.width, win.height, fb.width, fb.height);
    this.installCallbacks();
    this.displayName = options.display ?? process.env.DISPLAY ?? "";
    // Watched where the window is on X11; the surface asks for the handles (and says if there are none).
    const x11Display = process.platform === "linux" ? (glfw.native.x11?.glfwGetX11Display() as Pointer | null | undefined) : undefined;
    if (x11Display) {
      this.x11Display = x11Display;
      this.connection = watchX11Display(x11Display);
    }
  }

  get displayLost(): boolean {
    return (this.connection?.lost || this.presentDisplay?.lost) ?? false;
  }

  get displayWatched(): boolean {
    return this.connection !== null;
  }

  get presentMode(): "fifo" | "immediate" {
    return this.vsync ? "fifo" : "immediate";
  }

  get destroyed(): boolean {
    return this.isDestroyed;
  }

  private installCallbacks(): void {
    const fn = this.glfw.fn;
    const input = this.input;
    // GLFW calls these from inside glfwPollEvents on this thread: synchronous JSCallbacks suffice.
    const key = new JSCallback(input.onKey.bind(input), {
      args: [FFIType.ptr, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.i32],
      returns: FFIType.void,
    });
    const button = new JSCallback(input.onMouseButton.bind(input), {
      args: [FFIType.ptr, FFIType.i32, FFIType.i32, FFIType.i32],
      returns: FFIType.void,
    });
    const cursor = new JSCallback(input.onCursorPos.bind(input), { args: [FFIType.ptr, FFIType.f64, FFIType.f64], returns: FFIType.void });
    const scroll = new JSCallback(input.onScroll.bind(input), { args: [FFIType.ptr, FFIType.f64, FFIType.f64], returns: FFIType.void });
    const windowSize = new JSCallback(input.onWindowSize.bind(input), { args: [FFIType.ptr, FFIType.i32, FFIType.i32], returns: FFIType.void });
    const framebufferSize = new JSCallback(input.onFramebufferSize.bind(input), {
      args: [FFIType.ptr, FFIType.i32, FFIType.i32],
      returns: FFIType.void,
    });
    fn.glfwSetKeyCallback(this.handle, key);
    fn.glfwSetMouseButtonCallback(this.handle, button);
    fn.glfwSetCursorPosCallback(this.handle, cursor);
    fn.glfwSetScrollCallback(this.handle, scroll);
    fn.glfwSetWindowSizeCallback(this.handle, windowSize);
    fn.glfwSetFramebufferSizeCallback(this.handle, framebufferSize);
    this.callbacks.push(key, button, cursor, scroll, windowSize, framebufferSize);
  }

  private live(): Pointer {
    if (this.isDestroyed) throw new Error("window used after destroy()");
    return this.handle;
  }

  pollEvents(): void {
    this.live();
    if (this.displayLost) return;
    this.glfw.fn.glfwPollEvents();
  }

  get shouldClose(): boolean {
    return this.glfw.fn.glfwWindowShouldClose(this.live()) !== GLFW.FALSE;
  }

  set shouldClose(value: boolean) {
    this.glfw.fn.glfwSetWindowShouldClose(this.live(), value ? GLFW.TRUE : GLFW.FALSE);
  }

  private readPair(get: (window: Pointer, a: Int32Array, b: Int32Array) => void): [number, number] {
    if (this.displayLost) return [0, 0];
    get(this.live(), this.pairA, this.pairB);
    // A connection that broke inside the call leaves GLFW's answer uninitialised (XGetWindowAttributes
    // failed): a 1382502536-pixel-wide framebuffer was seen under Xvfb, which the surface then refused.
    const [a, b] = [this.pairA[0]!, this.pairB[0]!];
    if (this.displayLost || !inX11Range(a) || !inX11Range(b)) return [0, 0];
    return [a, b];
  }

  framebufferSize(): Size {
    const [width, height] = this.readPair((w, a, b) => this.glfw.fn.glfwGetFramebufferSize(w, ptr(a), ptr(b)));
    return { width, height };
  }

  windowSize(): Size {
    const [width, height] = this.readPair((w, a, b) => this.glfw.fn.glfwGetWindowSize(w, ptr(a), ptr(b)));
    return { width, height };
  }

  position(): { x: number; y: number } {
    const [x, y] = this.readPair((w, a, b) => this.glfw.fn.glfwGetWindowPos(w, ptr(a), ptr(b)));
    return { x, y };
  }

  setSize(width: number, height: number): void {
    this.glfw.fn.glfwSetWindowSize(this.live(), width, height);
  }

  setTitle(title: string): void {
    this.glfw.fn.glfwSetWindowTitle(this.live(), cString(title));
  }

  get fullscreen(): boolean {
    return this.isFullscreen;
  }

  set fullscreen(value: boolean) {
    const handle = this.live();
    if (value === this.isFullscreen) return;
    const fn = this.glfw.fn;
    if (value) {
      const mode = primaryVideoMode(this.glfw);
      if (!mode) return; // no monitor to go fullscreen on: stay windowed
      const pos = this.position();
      const size = this.windowSize();
      this.windowedRect = { x: pos.x, y: pos.y, width: size.width, height: size.height };
      fn.glfwSetWindowMonitor(handle, mode.monitor, 0, 0, mode.width, mode.height, mode.refreshRate);
    } else {
      const rect = this.windowedRect;
      fn.glfwSetWindowMonitor(handle, null, rect.x, rect.y, rect.width, rect.height, GLFW.DONT_CARE);
    }
    this.isFullscreen = value;
  }

  nativeHandles(): NativeHandles {
    const handle = this.live();
    const native = this.glfw.native;
    if (process.platform === "darwin" && native.cocoa) {
      return { platform: "cocoa", nsWindow: native.cocoa.glfwGetCocoaWindow(handle) as Pointer };
    }
    if (process.platform === "win32" && native.win32) {
      return { platform: "win32", hwnd: native.win32.glfwGetWin32Window(handle) as Pointer, hinstance: null };
    }
    // A GLFW 3.3 build for Linux has one backend; whichever accessor answers with a display is it.
    const x11Display = native.x11?.glfwGetX11Display() as Pointer | null | undefined;
    if (native.x11 && x11Display) {
      const window = BigInt(native.x11.glfwGetX11Window(handle));
      // A watched display: the surface presents through a connection of its own (x11-connection.ts).
      if (this.connection) {
        this.presentDisplay ??= openPresentDisplay(this.displayName);
        if (this.presentDisplay) return { platform: "x11", display: this.presentDisplay.pointer, window };
      }
      return { platform: "x11", display: x11Display, window };
    }
    const waylandDisplay = native.wayland?.glfwGetWaylandDisplay() as Pointer | null | undefined;
    if (native.wayland && waylandDisplay) {
      return { platform: "wayland", display: waylandDisplay, surface: native.wayland.glfwGetWaylandWindow(handle) as Pointer };
    }
    throw new Error(`no native window handle accessor in ${this.glfw.path} for ${process.platform}`);
  }

  destroy(): void {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    const fn = this.glfw.fn;
    // On a broken X connection each GLFW call below queues requests that are never sent; the
    // buffer they go into is emptied first (see x11-connection.ts).
    const broken = this.displayLost && this.x11Display;
    if (broken) emptyBrokenBuffer(broken);
    fn.glfwDestroyWindow(this.handle);
    openWindows--;
    if (openWindows === 0) {
      if (broken) emptyBrokenBuffer(broken);
      fn.glfwTerminate();
      if (this.x11Display) forgetX11Display(this.x11Display);
    }
    // Only now: GLFW can no longer call into them.
    for (const callback of this.callbacks) callback.close();
    this.callbacks = [];
    // Last: the surfaces presented through it are gone (their owner waits for that before destroy()).
    this.presentDisplay?.close();
    this.presentDisplay = undefined;
  }
}

/** X11 sizes and positions are 16-bit: a value outside is not an answer from the server. */
function inX11Range(value: number): boolean {
  return value >= -32768 && value <= 32767;
}
