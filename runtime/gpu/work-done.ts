/**
 * `queue.onSubmittedWorkDone()` that resolves when the work submitted before THIS call is done.
 *
 * bun-webgpu 0.1.7 registers one Dawn callback per call but shares one JS callback and one list of
 * pending promises between all calls: the first callback to fire — the one for the OLDEST work still
 * pending — resolves every promise in the list, newer ones included. So a wait returned while the
 * work it waited for was still queued:
 *   - `gpu.idle()` after a reload (whose ledger also waits for the first frame) returned once that
 *     first frame was done, with every frame submitted since still in the queue (1.7 s of shadow-point
 *     frames on lavapipe);
 *   - the frame loop's "wait for the frame before last" let one extra frame through after every
 *     extra wait (a reload's), and never gave it back: the frames in flight grew by ~1 per reload.
 * Every frame in flight holds a Dawn command pool (with lavapipe, the recorded commands: ~40 KB a
 * shadow-point frame), and Dawn keeps a pool for reuse once its frame is done, so the high-water
 * mark of frames in flight is native memory for good: the soak's steady RSS growth with reloads
 * (shadow-point ~0.6 MB per reload with 30 frames between reloads; tests/runtime/gpu/work-done.test.ts).
 *
 * The fix is one callback for the queue that tells the calls apart by its userdata, installed over
 * the queue's method so every caller (Gpu.idle, the frame loop, the surface) gets it.
 *
 * Waiting, too, is done here rather than by bun-webgpu's instance ticker. The ticker polls Dawn
 * (`wgpuInstanceProcessEvents`) on every turn of the event loop until the work is done: a JS thread
 * spinning at 100 % for the whole wait, thousands of setImmediate callbacks per frame (garbage the
 * GC then sweeps: RSS swung ±30 MB between 10 s samples), and on a software GPU one of the cores the
 * rasteriser needed (lavapipe, 2 cores, 1080p noise: 9.0 fps with the ticker, 13.8 fps without).
 * The poller below polls on every turn while waits complete quickly (a fast GPU's frame is done
 * within SPIN_MS: no added latency), and every SLEEP_MS once they take longer than SLOW_MS (a software
 * GPU's frame: ~60 polls instead of ~40 000, the CPU left to the rasteriser).
 */
import { FFIType, JSCallback, ptr, type Pointer } from "bun:ffi";

/** WGPUQueueWorkDoneStatus */
const STATUS_SUCCESS = 1;
const STATUS_CALLBACK_CANCELLED = 2;
/** WGPUCallbackMode_AllowProcessEvents: delivered by wgpuInstanceProcessEvents (the Poller's). */
const MODE_ALLOW_PROCESS_EVENTS = 2n;

/** Polls on every event-loop turn for at most this long after a wait completed (or began)… */
export const SPIN_MS = 2;
/** …then once per this many milliseconds; */
export const SLEEP_MS = 1;
/** and not at all on every turn when the last completions were further apart than this. */
export const SLOW_MS = 4;

/** The parts of bun-webgpu's GPUQueueImpl this needs (not public API: checked before use). */
interface NativeQueue {
  ptr: Pointer;
  lib: { wgpuQueueOnSubmittedWorkDone: (queue: Pointer, info: Pointer) => unknown };
  instanceTicker: { instancePtr: Pointer; lib: { wgpuInstanceProcessEvents: (instance: Pointer) => unknown } };
  onSubmittedWorkDone(): Promise<undefined>;
}

/** Delivers Dawn's callbacks while waits are pending: every turn while completions come fast, else every SLEEP_MS. */
class Poller {
  /** Dawn polls made so far (tests read it through `workDonePolls`). */
  polls = 0;
  private waiting = 0;
  private scheduled = false;
  /** When the last wait completed, or the first of a new run of waits began. */
  private progressAt = 0;
  /** The time between the last two completions: about one GPU frame in the frame loop. */
  private periodMs = 0;

  constructor(private processEvents: () => void) {}

  add(): void {
    if (this.waiting++ === 0) this.progressAt = performance.now();
    this.schedule();
  }

  done(): void {
    const now = performance.now();
    this.waiting--;
    this.periodMs = now - this.progressAt;
    this.progressAt = now;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const spin = this.periodMs < SLOW_MS && performance.now() - this.progressAt < SPIN_MS;
    if (spin) setImmediate(this.tick);
    else setTimeout(this.tick, SLEEP_MS);
  }

  private tick = (): void => {
    this.scheduled = false;
    this.polls++;
    this.processEvents();
    if (this.waiting > 0) this.schedule();
  };
}

const pollers = new WeakMap<object, Poller>();

/** How many times the queue's waits have polled Dawn (for tests: a wait must not spin). */
export function workDonePolls(queue: GPUQueue): number {
  return pollers.get(queue)?.polls ?? 0;
}

function isNativeQueue(queue: unknown): queue is NativeQueue {
  const q = queue as Partial<NativeQueue> | undefined;
  return !!q && !!q.ptr && typeof q.lib?.wgpuQueueOnSubmittedWorkDone === "function" && !!q.instanceTicker?.instancePtr && typeof q.instanceTicker.lib?.wgpuInstanceProcessEvents === "function";
}

/**
 * Replaces `queue.onSubmittedWorkDone` with a version whose promise settles only when the work
 * submitted before that call has finished. Returns false (and changes nothing) when the queue is not
 * bun-webgpu's as expected.
 */
export function installWorkDone(queue: GPUQueue): boolean {
  if (pollers.has(queue)) return true;
  if (!isNativeQueue(queue)) return false;
  const native = queue;
  const { instancePtr, lib } = native.instanceTicker;
  const poller = new Poller(() => lib.wgpuInstanceProcessEvents(instancePtr));
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 1;
  // The callback's C signature: (status, WGPUStringView message {data, length}, userdata1, userdata2).
  const callback = new JSCallback(
    (status: number, _messageData: Pointer | null, _messageLength: unknown, userdata1: Pointer | null) => {
      poller.done();
      const id = Number(userdata1);
      const waiter = pending.get(id);
      if (!waiter) return;
      pending.delete(id);
      // Cancelled: the device is going away, so there is nothing left to wait for.
      if (status === STATUS_SUCCESS || status === STATUS_CALLBACK_CANCELLED) waiter.resolve();
      else waiter.reject(new Error(`queue work done failed (WGPUQueueWorkDoneStatus ${status})`));
    },
    { args: [FFIType.u32, FFIType.pointer, FFIType.u64, FFIType.pointer, FFIType.pointer], returns: FFIType.void },
  );
  if (!callback.ptr) return false;
  const callbackPtr = BigInt(callback.ptr as unknown as number);

  native.onSubmittedWorkDone = function onSubmittedWorkDone(): Promise<undefined> {
    return new Promise<undefined>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: () => resolve(undefined), reject });
      // WGPUQueueWorkDoneCallbackInfo: nextInChain @0, mode @8, callback @16, userdata1 @24, userdata2 @32.
      const info = new BigUint64Array([0n, MODE_ALLOW_PROCESS_EVENTS, callbackPtr, BigInt(id), 0n]);
      try {
        native.lib.wgpuQueueOnSubmittedWorkDone(native.ptr, ptr(info));
        poller.add();
      } catch (err) {
        pending.delete(id);
        reject(err);
      }
    });
  };
  // The JSCallback must outlive every registration (Dawn calls it even while the device is destroyed).
  callbacks.push(callback);
  pollers.set(queue, poller);
  return true;
}

/** Kept for the life of the process: a closed JSCallback that Dawn still calls would crash it. */
const callbacks: JSCallback[] = [];
