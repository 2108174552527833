/**
 * Surviving the X server going away (a display unplugged, a VNC or Xvfb session restarted, a
 * remote X connection dropped). Xlib's default on a broken connection is to print "XIO: fatal IO
 * error" and call exit(1) from inside whatever call found it, which ends a show with no teardown.
 * libX11 1.7 and later (Debian 12 has 1.8) let a program replace that exit per connection
 * (XSetIOErrorExitHandler): ours records the loss and returns; Xlib marks the connection broken and
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
import { dlopen, FFIType, JSCallback, read, toArrayBuffer, type Pointer } from "bun:ffi";

type X11 = ReturnType<typeof bind>;

function bind() {
  return dlopen("libX11.so.6", {
    XSetIOErrorHandler: { args: [FFIType.function], returns: FFIType.ptr },
    XSetIOErrorExitHandler: { args: [FFIType.ptr, FFIType.function, FFIType.ptr], returns: FFIType.void },
    XConnectionNumber: { args: [FFIType.ptr], returns: FFIType.i32 },
  }).symbols;
}

/**
 * VIVID_SURVIVE_DISPLAY_LOSS=1 turns this on. Off by default: in the full test suite on the loaded
 * 2-core box, 2 of 4 runs of its test froze after the loss — no frame for 60 s, the JS thread
 * held in a native call, most likely Dawn waiting on the queue lock Mesa's X11 present thread keeps
 * while it writes to the dead connection (what a session on 2026-12-06 saw too). A frozen show is
 * worse than the exit it replaces (a supervisor can restart an exit), so the exit stays the default
 * until that wait is bounded. scripts/display-loss-stress.sh runs it.
 */
const SURVIVE_DISPLAY_LOSS = process.env.VIVID_SURVIVE_DISPLAY_LOSS === "1";

let x11: X11 | null | undefined;
/** The connections watched, by their Display pointer. */
const watched = new Map<number, X11Connection>();
let ioErrorHandler: JSCallback | undefined;
let exitHandler: JSCallback | undefined;

export interface X11Connection {
  /** Set (inside the Xlib call that found it) once the connection broke. */
  readonly lost: boolean;
}

/**
 * Watches the connection `display` (GLFW's): a broken connection then sets `lost` instead of ending
 * the process. Null where libX11 cannot do it. Watching the same connection again returns the same
 * record.
 */
export function watchX11Display(display: Pointer): X11Connection | null {
  // Opt-in for now: with lavapipe the run can freeze instead (see SURVIVE_DISPLAY_LOSS).
  if (process.platform !== "linux" || !SURVIVE_DISPLAY_LOSS) return null;
  if (x11 === undefined) {
    try {
      x11 = bind();
    } catch {
      x11 = null; // libX11 < 1.7: no exit handler to replace
    }
  }
  if (!x11) return null;
  const key = Number(display);
  const known = watched.get(key);
  if (known && !known.lost) return known;
  // Xlib's default I/O error handler prints two lines of "XIO: fatal IO error …"; the run prints its
  // own one line instead (main.ts). The handler's return value is ignored.
  ioErrorHandler ??= new JSCallback(() => 0, { args: [FFIType.ptr], returns: FFIType.i32 });
  exitHandler ??= new JSCallback(
    (broken: Pointer) => {
      const connection = watched.get(Number(broken));
      if (connection) (connection as { lost: boolean }).lost = true;
    },
    { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.void },
  );
  x11.XSetIOErrorHandler(ioErrorHandler);
  x11.XSetIOErrorExitHandler(display, exitHandler, null);
  const connection = { lost: false };
  watched.set(key, connection);
  return connection;
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

/** Forgets a connection GLFW closed (glfwTerminate), so a later one at the same address starts clean. */
export function forgetX11Display(display: Pointer): void {
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
