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
 * Where libX11 is older (no XSetIOErrorExitHandler) or the window is not on X11, nothing is
 * installed and a lost display ends the run as before.
 */
import { dlopen, FFIType, JSCallback, type Pointer } from "bun:ffi";

type X11 = ReturnType<typeof bind>;

function bind() {
  return dlopen("libX11.so.6", {
    XSetIOErrorHandler: { args: [FFIType.function], returns: FFIType.ptr },
    XSetIOErrorExitHandler: { args: [FFIType.ptr, FFIType.function, FFIType.ptr], returns: FFIType.void },
  }).symbols;
}

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
  if (process.platform !== "linux") return null;
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
