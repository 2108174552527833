/**
 * GLFW 3 through bun:ffi: the system `libglfw.so.3` (or the platform's equivalent), only the symbols
 * the runtime uses. The window is created with CLIENT_API = NO_API: Dawn owns the swap chain through a
 * WGPUSurface made from the native handles, GLFW only supplies the window and its events.
 *
 * GLFW keeps one global state per process, so this module keeps one loaded library and one error
 * callback. GLFW reports failures (no DISPLAY, cannot open display, no monitor) through that callback;
 * `lastGlfwError()` hands the last message to whoever has to explain the failure.
 */

import { dlopen, FFIType, JSCallback, CString, suffix, type Pointer } from "bun:ffi";

/** Constants from GLFW/glfw3.h (3.3) that the runtime uses. */
export const GLFW = {
  FALSE: 0,
  TRUE: 1,
  RELEASE: 0,
  PRESS: 1,
  REPEAT: 2,
  CLIENT_API: 0x00022001,
  NO_API: 0,
  RESIZABLE: 0x00020003,
  VISIBLE: 0x00020004,
  FOCUSED: 0x00020001,
  FOCUS_ON_SHOW: 0x0002000c,
  SCALE_TO_MONITOR: 0x0002200c,
  DONT_CARE: -1,
} as const;

const libraryCandidates: Record<string, string[]> = {
  linux: ["libglfw.so.3", "libglfw.so"],
  darwin: ["libglfw.3.dylib", "libglfw.dylib", "/opt/homebrew/lib/libglfw.3.dylib", "/usr/local/lib/libglfw.3.dylib"],
  win32: ["glfw3.dll"],
};

// Symbols every platform has. Callback setters return the previous callback (a pointer we ignore).
const commonSymbols = {
  glfwInit: { args: [], returns: FFIType.i32 },
  glfwTerminate: { args: [], returns: FFIType.void },
  glfwGetError: { args: [FFIType.ptr], returns: FFIType.i32 },
  glfwSetErrorCallback: { args: [FFIType.function], returns: FFIType.ptr },
  glfwWindowHint: { args: [FFIType.i32, FFIType.i32], returns: FFIType.void },
  glfwDefaultWindowHints: { args: [], returns: FFIType.void },
  glfwCreateWindow: {
    args: [FFIType.i32, FFIType.i32, FFIType.cstring, FFIType.ptr, FFIType.ptr],
    returns: FFIType.ptr,
  },
  glfwDestroyWindow: { args: [FFIType.ptr], returns: FFIType.void },
  glfwWindowShouldClose: { args: [FFIType.ptr], returns: FFIType.i32 },
  glfwSetWindowShouldClose: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.void },
  glfwPollEvents: { args: [], returns: FFIType.void },
  glfwSetWindowTitle: { args: [FFIType.ptr, FFIType.cstring], returns: FFIType.void },
  glfwGetWindowSize: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.void },
  glfwSetWindowSize: { args: [FFIType.ptr, FFIType.i32, FFIType.i32], returns: FFIType.void },
  glfwGetFramebufferSize: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.void },
  glfwGetWindowPos: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.void },
  glfwSetWindowPos: { args: [FFIType.ptr, FFIType.i32, FFIType.i32], returns: FFIType.void },
  glfwGetPrimaryMonitor: { args: [], returns: FFIType.ptr },
  glfwGetMonitors: { args: [FFIType.ptr], returns: FFIType.ptr },
  glfwGetMonitorName: { args: [FFIType.ptr], returns: FFIType.cstring },
  glfwGetMonitorPos: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.void },
  glfwGetVideoMode: { args: [FFIType.ptr], returns: FFIType.ptr },
  glfwGetWindowMonitor: { args: [FFIType.ptr], returns: FFIType.ptr },
  glfwSetWindowMonitor: {
    args: [FFIType.ptr, FFIType.ptr, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.i32],
    returns: FFIType.void,
  },
  glfwSetKeyCallback: { args: [FFIType.ptr, FFIType.function], returns: FFIType.ptr },
  glfwSetMouseButtonCallback: { args: [FFIType.ptr, FFIType.function], returns: FFIType.ptr },
  glfwSetCursorPosCallback: { args: [FFIType.ptr, FFIType.function], returns: FFIType.ptr },
  glfwSetScrollCallback: { args: [FFIType.ptr, FFIType.function], returns: FFIType.ptr },
  glfwSetWindowSizeCallback: { args: [FFIType.ptr, FFIType.function], returns: FFIType.ptr },
  glfwSetFramebufferSizeCallback: { args: [FFIType.ptr, FFIType.function], returns: FFIType.ptr },
} as const;

// Native-access symbols exist only in a GLFW built for that platform, and dlopen fails on any missing
// symbol, so each group is bound separately and may be absent (e.g. a Wayland-only Linux build).
const nativeSymbolGroups = {
  x11: {
    glfwGetX11Display: { args: [], returns: FFIType.ptr },
    // Window is an XID: unsigned long, 64 bits on x86-64 / aarch64 Linux.
    glfwGetX11Window: { args: [FFIType.ptr], returns: FFIType.u64 },
  },
  wayland: {
    glfwGetWaylandDisplay: { args: [], returns: FFIType.ptr },
    glfwGetWaylandWindow: { args: [FFIType.ptr], returns: FFIType.ptr },
  },
  cocoa: {
    glfwGetCocoaWindow: { args: [FFIType.ptr], returns: FFIType.ptr },
  },
  win32: {
    glfwGetWin32Window: { args: [FFIType.ptr], returns: FFIType.ptr },
  },
} as const;

type CommonSymbols = ReturnType<typeof dlopen<typeof commonSymbols>>["symbols"];
type NativeGroups = typeof nativeSymbolGroups;
type NativeSymbols = {
  [G in keyof NativeGroups]?: ReturnType<typeof dlopen<NativeGroups[G]>>["symbols"];
};

export interface GlfwLibrary {
  /** The file that was loaded. */
  path: string;
  fn: CommonSymbols;
  native: NativeSymbols;
}

let loaded: GlfwLibrary | null = null;
let errorCallback: JSCallback | null = null;
let lastError: { code: number; message: string } | null = null;

/** The error thrown when no GLFW library can be loaded: names what to install. */
export function glfwMissingMessage(tried: string[], reason: string): string {
  const install =
    process.platform === "darwin"
      ? "install it with `brew install glfw`"
      : process.platform === "win32"
        ? "put glfw3.dll next to bun.exe or on PATH"
        : "install the Debian package `libglfw3` (apt-get install -y libglfw3) or run ./scripts/setup.sh";
  return `GLFW 3 library not found (tried ${tried.join(", ")}: ${reason}); ${install}`;
}

/** Loads GLFW once per process and installs the error callback. Throws when the library is missing. */
export function loadGlfw(): GlfwLibrary {
  if (loaded) return loaded;
  const candidates = process.env.VIVID_GLFW_LIB ? [process.env.VIVID_GLFW_LIB] : (libraryCandidates[process.platform] ?? [`libglfw.${suffix}`]);
  let fn: CommonSymbols | null = null;
  let path = "";
  let firstFailure = "";
  for (const candidate of candidates) {
    try {
      fn = dlopen(candidate, commonSymbols).symbols;
      path = candidate;
      break;
    } catch (error) {
      if (!firstFailure) firstFailure = error instanceof Error ? error.message : String(error);
    }
  }
  if (!fn) throw new Error(glfwMissingMessage(candidates, firstFailure));

  const native: NativeSymbols = {};
  for (const group of Object.keys(nativeSymbolGroups) as (keyof NativeGroups)[]) {
    try {
      (native as Record<string, unknown>)[group] = dlopen(path, nativeSymbolGroups[group]).symbols;
    } catch {
      // Not built for that platform: leave it out.
    }
  }

  // GLFW calls this synchronously from inside the failing call (glfwInit, glfwCreateWindow, ...),
  // on the calling thread, so a plain (non-threadsafe) JSCallback is enough.
  errorCallback = new JSCallback(
    (code: number, description: Pointer | null) => {
      lastError = { code, message: description ? new CString(description).toString() : `GLFW error 0x${code.toString(16)}` };
    },
    { args: [FFIType.i32, FFIType.ptr], returns: FFIType.void },
  );
  fn.glfwSetErrorCallback(errorCallback);
  loaded = { path, fn, native };
  return loaded;
}

/** The last GLFW error message since `clearGlfwError()`, or null. */
export function lastGlfwError(): string | null {
  return lastError?.message ?? null;
}

export function clearGlfwError(): void {
  lastError = null;
}

/** A NUL-terminated UTF-8 buffer for a `const char*` argument. Keep it referenced for the call. */
export function cString(text: string): Buffer {
  return Buffer.from(`${text}\0`, "utf8");
}

/**
 * Sets or removes a variable in the C environment of this process. Bun's `process.env` is a JS copy:
 * writing to it does not reach `getenv()`, which is what Xlib reads for DISPLAY.
 */
export function setNativeEnv(name: string, value: string | null): void {
  if (process.platform === "win32") return;
  const libc = dlopen(process.platform === "darwin" ? "libSystem.B.dylib" : "libc.so.6", {
    setenv: { args: [FFIType.cstring, FFIType.cstring, FFIType.i32], returns: FFIType.i32 },
    unsetenv: { args: [FFIType.cstring], returns: FFIType.i32 },
  });
  try {
    if (value === null) libc.symbols.unsetenv(cString(name));
    else libc.symbols.setenv(cString(name), cString(value), 1);
  } finally {
    libc.close();
  }
}
