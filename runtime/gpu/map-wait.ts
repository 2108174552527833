/**
 * bun-webgpu waits for its other asynchronous calls (a buffer's `mapAsync`, an error scope's
 * `popErrorScope`) with its instance ticker, which polls Dawn on every turn of the event loop
 * (setImmediate) until the callback arrives: a JS thread spinning for the whole wait. A readback's map
 * waits for the frames submitted before it, so on a software GPU that was a core taken from the
 * rasteriser for a frame's length every time: the inspector's thumbnails read back 4 times a second
 * (tests/runtime/gpu/map-wait.test.ts: 176 533 event-loop wake-ups in a 2 s map wait before, about
 * one per millisecond after).
 *
 * The ticker's scheduling is replaced by the policy of the work-done poller (work-done.ts): every
 * turn for SPIN_MS after a wait begins (an error scope, a map of finished work: no added latency),
 * then once every SLEEP_MS.
 */
import { SLEEP_MS, SPIN_MS } from "./work-done.ts";

/** The parts of bun-webgpu's InstanceTicker this needs (not public API: checked before use). */
interface InstanceTicker {
  instancePtr: unknown;
  lib: { wgpuInstanceProcessEvents: (instance: unknown) => unknown };
  _ticking: boolean;
  hasWaiting(): boolean;
  scheduleTick(): void;
}

const installed = new WeakSet<object>();

/** Installs the policy on the queue's instance ticker; false (nothing changed) when it is not bun-webgpu's as expected. */
export function installMapWait(queue: GPUQueue): boolean {
  if (installed.has(queue)) return true;
  const ticker = (queue as unknown as { instanceTicker?: Partial<InstanceTicker> }).instanceTicker;
  if (!ticker || typeof ticker.scheduleTick !== "function" || typeof ticker.hasWaiting !== "function" || typeof ticker.lib?.wgpuInstanceProcessEvents !== "function") return false;
  const native = ticker as InstanceTicker;
  installed.add(queue);
  let waitStart = -1;
  const tick = () => {
    native._ticking = false;
    native.lib.wgpuInstanceProcessEvents(native.instancePtr);
    if (native.hasWaiting()) native.scheduleTick();
    else waitStart = -1;
  };
  native.scheduleTick = () => {
    if (native._ticking) return;
    native._ticking = true;
    const now = performance.now();
    if (waitStart < 0) waitStart = now;
    if (now - waitStart < SPIN_MS) setImmediate(tick);
    else setTimeout(tick, SLEEP_MS);
  };
  return true;
}
