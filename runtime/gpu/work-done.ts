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
 */
import { FFIType, JSCallback, ptr, type Pointer } from "bun:ffi";

/** WGPUQueueWorkDoneStatus */
const STATUS_SUCCESS = 1;
const STATUS_CALLBACK_CANCELLED = 2;
/** WGPUCallbackMode_AllowProcessEvents: delivered by wgpuInstanceProcessEvents (bun-webgpu's ticker). */
const MODE_ALLOW_PROCESS_EVENTS = 2n;

/** The parts of bun-webgpu's GPUQueueImpl this needs (not public API: checked before use). */
interface NativeQueue {
  ptr: Pointer;
  lib: { wgpuQueueOnSubmittedWorkDone: (queue: Pointer, info: Pointer) => unknown };
  instanceTicker: { register(): void; unregister(): void };
  onSubmittedWorkDone(): Promise<undefined>;
}

const installed = new WeakSet<object>();

function isNativeQueue(queue: unknown): queue is NativeQueue {
  const q = queue as Partial<NativeQueue> | undefined;
  return !!q && !!q.ptr && typeof q.lib?.wgpuQueueOnSubmittedWorkDone === "function" && typeof q.instanceTicker?.register === "function";
}

/**
 * Replaces `queue.onSubmittedWorkDone` with a version whose promise settles only when the work
 * submitted before that call has finished. Returns false (and changes nothing) when the queue is not
 * bun-webgpu's as expected.
 */
export function installWorkDone(queue: GPUQueue): boolean {
  if (installed.has(queue)) return true;
  if (!isNativeQueue(queue)) return false;
  const native = queue;
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 1;
  // The callback's C signature: (status, WGPUStringView message {data, length}, userdata1, userdata2).
  const callback = new JSCallback(
    (status: number, _messageData: Pointer | null, _messageLength: unknown, userdata1: Pointer | null) => {
      native.instanceTicker.unregister();
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
        native.instanceTicker.register();
      } catch (err) {
        pending.delete(id);
        reject(err);
      }
    });
  };
  // The JSCallback must outlive every registration (Dawn calls it even while the device is destroyed).
  callbacks.push(callback);
  installed.add(queue);
  return true;
}

/** Kept for the life of the process: a closed JSCallback that Dawn still calls would crash it. */
const callbacks: JSCallback[] = [];
