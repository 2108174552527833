/**
 * glibc's `malloc_trim(0)`: gives the free pages of every malloc arena back to the system. Used by
 * the soak before each memory sample, as it runs a full garbage collection: what is left is memory
 * in use, not the free memory an allocator happens to hold at that moment. On lavapipe the driver's
 * worker threads free and re-allocate megabytes per frame in their own arenas, so without this the
 * soak's RSS samples swing by several MB between samples (docs/memory.md). Memory still allocated —
 * a leak — is not touched. Linux with glibc only; elsewhere a no-op that returns false.
 */
import { dlopen, FFIType } from "bun:ffi";

let trim: ((pad: number) => number) | null | undefined;

export function trimMalloc(): boolean {
  if (trim === undefined) {
    trim = null;
    if (process.platform === "linux") {
      try {
        trim = dlopen("libc.so.6", { malloc_trim: { args: [FFIType.u64], returns: FFIType.i32 } }).symbols.malloc_trim as (pad: number) => number;
      } catch {
        trim = null; // not glibc (musl has no malloc_trim)
      }
    }
  }
  if (!trim) return false;
  trim(0);
  return true;
}

/**
 * The soak's memory reading: a full garbage collection and a malloc trim, then RSS and the JS heap
 * in use. What is left is memory in use, not where the collector or the allocators are in their
 * cycles. main.ts reads every soak sample this way, and bench/raw-soak.ts (the control) does too.
 */
export function settledMemory(): { rssBytes: number; heapBytes: number } {
  Bun.gc(true);
  trimMalloc();
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapBytes: usage.heapUsed };
}
