/**
 * A bound on the worst case of a lost display. The run moves
 * offscreen when the X server goes away (runtime/window/x11-connection.ts, main.ts leaveDisplay),
 * but releasing the lost window's swap chain waits for the driver's present thread: 11-13 s in about
 * one loss in three with lavapipe, and in 2 of 4 full test-suite runs it never came back (the JS
 * thread held in a native call, no frame for 60 s). A frozen show is worse than an exit a supervisor
 * can restart, so a Worker watches a heartbeat the main thread's timer bumps every 250 ms: held still
 * for `stallSeconds` (default 30) after the display went away, the process exits with code 1 and
 * one line (runtime/window/display-watchdog-worker.ts). A heartbeat held still while the display
 * answers is left alone: a slow GPU frame or a long native call is not a lost display.
 */
/** Main thread → watchdog: the shared words (HEARTBEAT, DISPLAY_LOST) and what to watch. */
export interface WatchdogStart {
  shared: SharedArrayBuffer;
  display: string;
  stallSeconds: number;
}
/** Indices in the shared Int32Array: the heartbeat count, and 1 while the display is lost. */
export const HEARTBEAT = 0;
export const DISPLAY_LOST = 1;

export class DisplayWatchdog {
  private readonly words = new Int32Array(new SharedArrayBuffer(8));
  private readonly thread: Worker;
  private readonly beat: ReturnType<typeof setInterval>;

  constructor(display: string, stallSeconds = Number(process.env.VIVID_DISPLAY_STALL_SECONDS) || 30) {
    this.thread = new Worker(new URL("./display-watchdog-worker.ts", import.meta.url).href);
    // The watchdog must not keep a finished run alive.
    (this.thread as Worker & { unref(): void }).unref();
    const start: WatchdogStart = { shared: this.words.buffer as SharedArrayBuffer, display, stallSeconds };
    this.thread.postMessage(start);
    this.beat = setInterval(() => Atomics.add(this.words, HEARTBEAT, 1), 250);
    (this.beat as { unref?: () => void }).unref?.();
  }

  /** The display went away (true) or is back with the window open again (false). */
  set displayLost(lost: boolean) {
    Atomics.store(this.words, DISPLAY_LOST, lost ? 1 : 0);
  }

  stop(): void {
    clearInterval(this.beat);
    this.thread.terminate();
  }
}
