/**
 * The lost display's watchdog thread (runtime/window/display-watchdog.ts says why). Once a second it
 * reads the main thread's heartbeat; while the heartbeat stands still it asks the X server itself
 * whether it answers. A heartbeat still for `stallSeconds` in which the display was lost (the main
 * thread said so before it stopped, or the display did not answer while it stood) ends the process
 * with exit code 1 and one line, from this thread: the main thread is held in a native call and
 * would never get to run an exit of its own.
 */
import { dlopen, FFIType } from "bun:ffi";
import { writeSync } from "node:fs";
import { DISPLAY_LOST, HEARTBEAT, type WatchdogStart } from "./display-watchdog.ts";
import { displayAnswers } from "./x11-connection.ts";

declare const self: { onmessage: ((event: MessageEvent<WatchdogStart>) => void) | null };

self.onmessage = (event) => {
  const { shared, display, stallSeconds } = event.data;
  const words = new Int32Array(shared);
  let last = Atomics.load(words, HEARTBEAT);
  let stillSince = performance.now();
  let lostWhileStill = false;
  let asking = false;
  setInterval(() => {
    const beat = Atomics.load(words, HEARTBEAT);
    const now = performance.now();
    if (beat !== last) {
      last = beat;
      stillSince = now;
      lostWhileStill = false;
      return;
    }
    if (Atomics.load(words, DISPLAY_LOST) === 1) lostWhileStill = true;
    const stillFor = (now - stillSince) / 1000;
    if (!lostWhileStill && stillFor >= 2 && !asking && display) {
      asking = true;
      void displayAnswers(display).then((answers) => {
        asking = false;
        if (!answers) lostWhileStill = true;
      });
    }
    if (lostWhileStill && stillFor >= stallSeconds) {
      writeSync(
        2,
        `vivid: the display ${display || "(unknown)"} went away and the run has been held for ${Math.round(stillFor)} s since (the graphics driver did not let go of the lost window): exiting with code 1 so that a supervisor can restart it\n`,
      );
      // process.exit here would end only this thread; _exit ends the process, whatever its main thread is doing.
      dlopen("libc.so.6", { _exit: { args: [FFIType.i32], returns: FFIType.void } }).symbols._exit(1);
    }
  }, 1000);
};
