/**
 * Test helpers for window tests: a private Xvfb server on a free display number, a screenshot of it
 * through `xwd`, and synthetic input through the XTEST extension (libXtst), so GLFW receives real X
 * events and the input path under test is the one a user's keyboard takes.
 */

import { dlopen, FFIType, type Pointer } from "bun:ffi";
import { parseXwd, type XwdImage } from "./xwd.ts";
import { cleanup } from "../../helpers/live-run.ts";
import { REPO } from "../../helpers/render.ts";

/**
 * `bun runtime/cli.ts <args>` on `display` (WAYLAND_DISPLAY dropped so GLFW takes X11), killed at the
 * test's cleanup if still running. Its stdout and stderr are collected as they come (`stdout()`,
 * `stderr()`); `finished` resolves once both have ended.
 */
export function spawnOnDisplay(display: string, args: string[], extraEnv: Record<string, string> = {}) {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && name !== "WAYLAND_DISPLAY") env[name] = value;
  Object.assign(env, extraEnv, { DISPLAY: display });
  const child = Bun.spawn(["bun", "runtime/cli.ts", ...args], { cwd: REPO, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  cleanup.push(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
    return child.exited;
  });
  const text = { stdout: "", stderr: "" };
  const collect = async (stream: ReadableStream<Uint8Array>, into: "stdout" | "stderr") => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) text[into] += decoder.decode(chunk, { stream: true });
  };
  const finished = Promise.all([collect(child.stdout, "stdout"), collect(child.stderr, "stderr")]).then(() => {});
  return { child, stdout: () => text.stdout, stderr: () => text.stderr, finished };
}

export interface Xvfb {
  /** e.g. ":3" */
  display: string;
  width: number;
  height: number;
  screenshot(): Promise<XwdImage>;
  stop(): Promise<void>;
  /**
   * Kills the server (SIGKILL), as a display that goes away does. Our own connection is left
   * unclosed: closing a broken one would end this process (Xlib's default exit on I/O errors).
   */
  crash(): Promise<void>;
}

/**
 * Starts Xvfb; `-displayfd` makes the server pick a free display number and tell us which, or, with
 * `wanted` (":N", a crashed server's), report when it is ready on that one.
 */
export async function startXvfb(width = 1600, height = 1000, wanted?: string): Promise<Xvfb> {
  let server: ReturnType<typeof Bun.spawn>;
  try {
    server = Bun.spawn(["Xvfb", ...(wanted ? [wanted] : []), "-displayfd", "1", "-screen", "0", `${width}x${height}x24`, "-br", "-nolisten", "tcp", "-terminate"], {
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch (error) {
    throw new Error(`cannot start Xvfb (Debian package xvfb): ${error instanceof Error ? error.message : error}`);
  }
  const reader = (server.stdout as ReadableStream<Uint8Array>).getReader();
  let text = "";
  const deadline = setTimeout(() => server.kill(), 10_000);
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  clearTimeout(deadline);
  reader.releaseLock();
  const number = Number.parseInt(text, 10);
  if (!Number.isInteger(number)) {
    server.kill();
    const stderr = await new Response(server.stderr as ReadableStream).text();
    throw new Error(`Xvfb did not report a display number: ${stderr.trim() || text}`);
  }
  const display = `:${number}`;
  // Our own client connection for the server's whole life. With `-terminate` the server exits when its
  // last client leaves, so a test process that dies without stop() takes Xvfb with it; while this one is
  // open, closing every other connection (glfwTerminate) does not reset the server, which would refuse
  // the next glfwInit's connection for a moment ("Failed to open display").
  let keeper: FakeInput;
  try {
    keeper = new FakeInput(display);
  } catch (error) {
    server.kill();
    throw error;
  }
  return {
    display,
    width,
    height,
    async screenshot() {
      const shot = Bun.spawnSync(["xwd", "-root", "-silent", "-display", display]);
      if (shot.exitCode !== 0) throw new Error(`xwd failed (Debian package x11-apps): ${shot.stderr.toString()}`);
      return parseXwd(new Uint8Array(shot.stdout.buffer, shot.stdout.byteOffset, shot.stdout.byteLength));
    },
    async stop() {
      if (server.exitCode === null && server.signalCode === null) keeper.close();
      server.kill();
      await server.exited;
    },
    async crash() {
      server.kill("SIGKILL");
      await server.exited;
    },
  };
}

/** X keysyms (X11/keysymdef.h) the tests type. */
export const KEYSYM = { a: 0x61, r: 0x72, space: 0x20, escape: 0xff1b, left: 0xff51, f5: 0xffc2, shiftL: 0xffe1 } as const;

/** Fake keyboard and mouse events on one X display through XTEST. */
export class FakeInput {
  private x = dlopen("libX11.so.6", {
    XOpenDisplay: { args: [FFIType.cstring], returns: FFIType.ptr },
    XCloseDisplay: { args: [FFIType.ptr], returns: FFIType.i32 },
    XFlush: { args: [FFIType.ptr], returns: FFIType.i32 },
    XSync: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
    XKeysymToKeycode: { args: [FFIType.ptr, FFIType.u64], returns: FFIType.u8 },
  }).symbols;
  private xtest = (() => {
    try {
      return dlopen("libXtst.so.6", {
        XTestFakeKeyEvent: { args: [FFIType.ptr, FFIType.u32, FFIType.i32, FFIType.u64], returns: FFIType.i32 },
        XTestFakeButtonEvent: { args: [FFIType.ptr, FFIType.u32, FFIType.i32, FFIType.u64], returns: FFIType.i32 },
        XTestFakeMotionEvent: { args: [FFIType.ptr, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.u64], returns: FFIType.i32 },
      }).symbols;
    } catch (error) {
      throw new Error(`libXtst.so.6 missing (Debian package libxtst6): ${error instanceof Error ? error.message : error}`);
    }
  })();
  private connection: Pointer;

  constructor(display: string) {
    const connection = this.x.XOpenDisplay(Buffer.from(`${display}\0`)) as Pointer | null;
    if (!connection) throw new Error(`XOpenDisplay(${display}) failed`);
    this.connection = connection;
  }

  private flush(): void {
    this.x.XSync(this.connection, 0);
  }

  key(keysym: number, down: boolean): void {
    const keycode = this.x.XKeysymToKeycode(this.connection, keysym);
    if (!keycode) throw new Error(`no keycode for keysym 0x${keysym.toString(16)}`);
    this.xtest.XTestFakeKeyEvent(this.connection, keycode, down ? 1 : 0, 0);
    this.flush();
  }

  /** A chord typed at once: `modifier` down, `keysym` down and up, `modifier` up (Shift+R). */
  chord(modifier: number, keysym: number): void {
    this.key(modifier, true);
    this.key(keysym, true);
    this.key(keysym, false);
    this.key(modifier, false);
  }

  /** X buttons: 1 left, 2 middle, 3 right, 4/5 scroll up/down, 6/7 scroll left/right. */
  button(button: number, down: boolean): void {
    this.xtest.XTestFakeButtonEvent(this.connection, button, down ? 1 : 0, 0);
    this.flush();
  }

  /** Moves the pointer to root-window coordinates. */
  moveTo(x: number, y: number): void {
    this.xtest.XTestFakeMotionEvent(this.connection, -1, x, y, 0);
    this.flush();
  }

  close(): void {
    this.x.XCloseDisplay(this.connection);
  }
}
