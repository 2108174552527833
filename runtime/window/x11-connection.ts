/**
 * Surviving the X server going away (a display unplugged, a VNC or Xvfb session restarted, a
 * remote X connection dropped). Xlib's default on a broken connection is to print "XIO: fatal IO
 * error" and call exit(1) from inside whatever call found it, which ends a show with no teardown.
 * libX11 1.7 and later (Debian 12 has 1.8) let a program replace that exit per connection
 * (XSetIOErrorExitHandler): ours (XUnlockDisplay, see survive) returns; Xlib marks the connection broken and
 * every later call on it returns at once, so the window's calls (poll, destroy) and the surface's
 * (acquire, present, destroy) go on harmlessly until main.ts moves the run offscreen at the next
 * frame boundary. Measured under Xvfb with lavapipe: SIGKILL of the server mid-run, then surface and
 * window destroyed, GLFW terminated and a window opened again on a new server, twice in a row.
 *
 * One more thing makes the broken connection safe to close. After the error Xlib's _XSend returns at
 * once without emptying its 16 KB output buffer, so each later request (GLFW destroying the window,
 * glfwTerminate) fills it a little more, and once it is full _XGetRequest returns NULL, which the
 * request macros write through: "Xlib: request N length M would exceed buffer size", then a
 * segfault (seen under Xvfb after a few losses, libX11 1.8.4). `emptyBrokenBuffer` gives the buffer
 * its whole room back before those calls; nothing in it would ever be sent. It writes the Display
 * struct's public-ABI fields (Xlibint.h: buffer, bufptr, bufmax at 168, 176, 184 on 64-bit Linux),
 * after checking the layout against XConnectionNumber and the buffer's bounds.
 *
 * Where libX11 is older (no XSetIOErrorExitHandler) or the window is not on X11, nothing is
 * installed and a lost display ends the run as before.
 */
import { dlopen, FFIType, read, toArrayBuffer, type Pointer } from "bun:ffi";

type X11 = ReturnType<typeof bind>;

function bind() {
  const xlib = dlopen("libX11.so.6", {
    XSetIOErrorHandler: { args: [FFIType.ptr], returns: FFIType.ptr },
    XSetIOErrorExitHandler: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.void },
    XConnectionNumber: { args: [FFIType.ptr], returns: FFIType.i32 },
    XUnlockDisplay: { args: [FFIType.ptr], returns: FFIType.void },
    XOpenDisplay: { args: [FFIType.ptr], returns: FFIType.ptr },
    XCloseDisplay: { args: [FFIType.ptr], returns: FFIType.i32 },
  }).symbols;
  const xlibXcb = dlopen("libX11-xcb.so.1", { XGetXCBConnection: { args: [FFIType.ptr], returns: FFIType.ptr } }).symbols;
  const xcb = dlopen("libxcb.so.1", { xcb_connection_has_error: { args: [FFIType.ptr], returns: FFIType.i32 } }).symbols;
  return { ...xlib, ...xlibXcb, ...xcb };
}

/**
 * On by default; VIVID_SURVIVE_DISPLAY_LOSS=0 turns it off (Xlib's exit, as before). It was opt-in
 * while crashes remained: with it on for every windowed run, 3 of 9 runs of tests/runtime/window and
 * guard together ended a run with a segfault at exit, and a loop like scripts/display-loss-stress.sh
 * segfaulted at the 21st loss (2026-12-07, early). Since broken present connections are never
 * closed (openPresentDisplay), none of 4 such test runs and 100 windowed runs with an output window
 * crashed, and the stress loop survived 29 losses then aborted at the 30th, then 45 of 45 (2026-12-07,
 * later). Since a lost display's present connections are abandoned (abandonPresentDisplays) and a
 * lost device is destroyed only after its swap chains' release: 40 of 40, 14 with raced presents
 * (2026-12-07, 10:47-10:52 UTC). What froze is fixed (see survive and openPresentDisplay), and a run
 * held after a loss ends with exit 1 (runtime/window/display-watchdog.ts), never freezes.
 */
const SURVIVE_DISPLAY_LOSS = process.env.VIVID_SURVIVE_DISPLAY_LOSS !== "0";

let x11: X11 | null | undefined;
/** The connections watched, by their Display pointer. */
const watched = new Map<number, X11Connection & { closed: boolean }>();

function loadX11(): X11 | null {
  if (x11 === undefined) {
    try {
      x11 = bind();
    } catch {
      x11 = null; // libX11 < 1.7: no exit handler to replace
    }
  }
  return x11;
}

export interface X11Connection {
  /** True once the connection broke (XCB saw the server's end). */
  readonly lost: boolean;
}

/**
 * Makes a broken `display` survivable and returns a record whose `lost` says when it broke. Xlib's
 * handlers are replaced by native functions, never JavaScript ones, because they run on whichever
 * thread found the error (Mesa's present threads included): the I/O error handler by one that
 * prints nothing (XConnectionNumber), and the exit handler by XUnlockDisplay. Before calling it
 * Xlib takes the display's user lock for good ("the thread calling exit will call any atexit
 * handlers", XlibInt.c _XIOError); with a handler that returns, any other thread that then needed
 * the display waited for that lock forever. That was the freeze: Mesa's present thread, holding
 * its swap chain's lock, waited there while asking Xlib for the socket back, and the frame loop's
 * next submit waited for the swap chain's lock (gdb, lavapipe under Xvfb, 2026-12-07).
 */
function survive(lib: X11, display: Pointer): X11Connection {
  lib.XSetIOErrorHandler(functionPointer(lib.XConnectionNumber));
  lib.XSetIOErrorExitHandler(display, functionPointer(lib.XUnlockDisplay), null);
  const xcbConnection = lib.XGetXCBConnection(display) as Pointer;
  let lost = false;
  const connection = {
    closed: false,
    get lost() {
      // Asked of XCB until the connection is closed (forgetX11Display); what it said last after that.
      if (!this.closed) lost ||= lib.xcb_connection_has_error(xcbConnection) !== 0;
      return lost;
    },
  };
  watched.set(Number(display), connection);
  return connection;
}

/** The C function behind a bun:ffi symbol (Bun gives each one a `ptr`; its types do not say so). */
function functionPointer(symbol: unknown): Pointer {
  return (symbol as { ptr: Pointer }).ptr;
}

/**
 * Watches the connection `display` (GLFW's): a broken connection then sets `lost` instead of ending
 * the process. Null where libX11 cannot do it. Watching the same connection again returns the same
 * record.
 */
export function watchX11Display(display: Pointer): X11Connection | null {
  if (process.platform !== "linux" || !SURVIVE_DISPLAY_LOSS) return null;
  const lib = loadX11();
  if (!lib) return null;
  const known = watched.get(Number(display));
  if (known && !known.lost) return known;
  return survive(lib, display);
}

/** A connection of the window's own for its GPU surface (see openPresentDisplay). */
export interface PresentDisplay {
  readonly pointer: Pointer;
  readonly lost: boolean;
  /** XCloseDisplay. Only after every swap chain made through it is deleted. Idempotent. */
  close(): void;
}

/**
 * Opens a second Xlib connection to `name` for the window's GPU surface, so the Vulkan driver's
 * threads never share a connection (or its lock) with GLFW's calls on the frame loop's thread.
 * Survivable as GLFW's is (see survive). Null where libX11 cannot do it or the display does not answer.
 */
export function openPresentDisplay(name: string): PresentDisplay | null {
  const lib = loadX11();
  if (!lib) return null;
  // "" is DISPLAY's value, as XOpenDisplay reads it for NULL.
  const pointer = lib.XOpenDisplay(name ? Buffer.from(`${name}\0`) : null) as Pointer | null;
  if (!pointer) return null;
  const connection = survive(lib, pointer);
  const record = { name, abandoned: false };
  presentConnections.add(record);
  let open = true;
  return {
    pointer,
    get lost() {
      return connection.lost;
    },
    close() {
      if (!open) return;
      open = false;
      presentConnections.delete(record);
      // A lost device deletes its swap chains only when destroyed, and Mesa deletes one through this
      // connection: closed before that, the deletion wrote through freed memory (a segfault in
      // xcb_send_request, gdb, 2026-12-07). And closing a broken one later still crashed now and
      // then (address 0, at exit or after a recovery). So a broken connection is never closed: ~20
      // KB and a dead socket per window per loss, until the process ends. Nor is one whose display
      // is known to be gone while Xlib has not read from it yet (abandonPresentDisplays): closed,
      // the lost device's destroy aborted in xcb (a mutex with an owner while free, gdb, 2026-12-07).
      if (!connection.lost && !record.abandoned) closeDisplay(lib, pointer);
    },
  };
}

/** The present connections open now, by display name (see abandonPresentDisplays). */
const presentConnections = new Set<{ name: string; abandoned: boolean }>();

/**
 * The display `name` is gone (main.ts found it lost, or asked it and it did not answer): every present
 * connection open to it now is never closed, whether Xlib has noticed the loss on it yet or not.
 */
export function abandonPresentDisplays(name: string): void {
  for (const record of presentConnections) if (record.name === name) record.abandoned = true;
}

function closeDisplay(lib: X11, pointer: Pointer): void {
  emptyBrokenBuffer(pointer);
  lib.XCloseDisplay(pointer);
  forgetX11Display(pointer);
}

/** struct _XDisplay (Xlibint.h) on LP64: int fd at 16; char *buffer, *bufptr, *bufmax at 168, 176, 184. */
const FD_OFFSET = 16;
const BUFFER_OFFSET = 168;

/** The size Xlib gave the output buffer (OpenDis.c: XLIBBUFFERSIZE in KB, else 16 KB; at least 2 KB). */
function xlibBufferSize(): bigint {
  const kb = Number.parseInt(process.env.XLIBBUFFERSIZE ?? "", 10);
  return BigInt(Math.max(2048, Number.isFinite(kb) ? 1024 * kb : 16384));
}

/**
 * Empties the output buffer of a connection that broke (see the file's comment), so the requests
 * GLFW makes while closing it fit: its write pointer goes back to the start and its end to the
 * buffer's real end (Xlib lowers the end to the start while XCB holds the socket, and on a broken
 * connection can never take it back, which is the other way a request finds "no room"). False (and
 * nothing written) where the connection is not a broken one we watch or the struct does not look as
 * expected.
 */
export function emptyBrokenBuffer(display: Pointer): boolean {
  if (!x11 || (process.arch !== "x64" && process.arch !== "arm64")) return false;
  if (!watched.get(Number(display))?.lost) return false;
  if (read.i32(display, FD_OFFSET) !== x11.XConnectionNumber(display)) return false;
  const fields = new BigUint64Array(toArrayBuffer(display, BUFFER_OFFSET, 24));
  const [buffer, bufptr, bufmax] = [fields[0]!, fields[1]!, fields[2]!];
  const size = xlibBufferSize();
  if (!(buffer > 0n && bufptr >= buffer && bufptr <= buffer + size && bufmax >= buffer && bufmax <= buffer + size)) return false;
  fields[1] = buffer;
  fields[2] = buffer + size;
  return true;
}

/** Forgets a connection that was closed (glfwTerminate, XCloseDisplay): its record stops asking it. */
export function forgetX11Display(display: Pointer): void {
  const connection = watched.get(Number(display));
  if (connection) connection.closed = true;
  watched.delete(Number(display));
}

/**
 * Whether an X server answers at `name` (a DISPLAY value: ":1", ":1.0", "host:1"): a connection to its
 * socket is accepted. Asynchronous, so the frame loop can ask without waiting.
 */
export async function displayAnswers(name: string, timeoutMs = 500): Promise<boolean> {
  const match = /^(.*):(\d+)(?:\.\d+)?$/.exec(name);
  if (!match) return false;
  const [, host, number] = match;
  const local = host === "" || host === "unix";
  return new Promise<boolean>((resolve) => {
    let settled = false;
    const finish = (answer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const handlers = {
      open(socket: { end(): void }) {
        socket.end();
        finish(true);
      },
      data() {},
      error() {
        finish(false);
      },
      connectError() {
        finish(false);
      },
    };
    const connecting = local
      ? Bun.connect({ unix: `/tmp/.X11-unix/X${number}`, socket: handlers })
      : Bun.connect({ hostname: host!, port: 6000 + Number(number), socket: handlers });
    connecting.catch(() => finish(false));
  });
}
