/**
 * Where the process's resident memory is, for a soak sample: RSS per kind of mapping from
 * /proc/self/smaps, and the JIT's total compile time. A soak that grows shows here which part grew:
 * Bun's allocator arena, JavaScriptCore's JIT pool, the anonymous mappings the driver's threads
 * malloc from, or file pages (a library paged in, not a leak).
 * Linux only for the mappings; elsewhere `regionsMB` is empty.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { heapStats, totalCompileTime } from "bun:jsc";
import { round2 } from "./math.ts";

export interface MemoryBreakdown {
  /**
   * Milliseconds JavaScriptCore has spent in its optimizing compilers since start (a step means code
   * was compiled or recompiled then). JSC measures it only when started with
   * BUN_JSC_reportTotalCompileTimes=1; null otherwise.
   */
  jitCompileMs: number | null;
  /** RSS by mapping kind: anonymous (by size; large ones one by one), "[heap]", "[stack]", each file by name. */
  regionsMB: Record<string, number>;
  /**
   * What JavaScriptCore accounts for (its cells live in their own mappings, not in Bun's mimalloc
   * arena: docs/memory.md). `jsHeapMB`: live JS cells; `jsCapacityMB`: the blocks
   * JavaScriptCore holds for them (capacity rising under a flat size is fragmentation);
   * `jsExtraMB`: native memory JS objects report owning (ArrayBuffer contents, strings' buffers).
   * (bun:jsc's `memoryUsage()` is no help here: its `current` is the process's RSS.)
   */
  owners?: { jsHeapMB: number; jsCapacityMB: number; jsExtraMB: number };
}

/**
 * Anonymous mappings by size; the large ones (reservations) one by one, named by permissions and
 * size: Bun's allocator arena (rw-p, about 1 GB: JS heap blocks and native buffers both), the JIT
 * pool (rwxp, 1 GB), JavaScriptCore's 4 GB reservation.
 */
function anonName(sizeKB: number, perms: string): string {
  if (sizeKB < 1024) return "anon <1M";
  if (sizeKB < 16 * 1024) return "anon 1-16M";
  if (sizeKB < 64 * 1024) return "anon 16-64M";
  return `anon ${perms} ${Math.round(sizeKB / 1024)}M`;
}

const SMAPS = "/proc/self/smaps";
/** Reused between samples (grown when too small): reading smaps makes no garbage of its size. */
let buffer = new Uint8Array(1 << 20);
const decoder = new TextDecoder();

/** Reads all of /proc/self/smaps into the reused buffer; the byte count, or -1 where it does not exist. */
function readSmaps(): number {
  let fd: number;
  try {
    fd = openSync(SMAPS, "r");
  } catch {
    return -1;
  }
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = new Uint8Array(buffer.length * 2);
        bigger.set(buffer);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) return length;
      length += n;
    }
  } finally {
    closeSync(fd);
  }
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
const SPACE = 32;
const NEWLINE = 10;

/** The number after "Name:" in a "Name:   123 kB" line. */
function kbValue(bytes: Uint8Array, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
    else if (value > 0) break;
  }
  return value;
}

function startsWith(bytes: Uint8Array, at: number, prefix: string): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/** The name a mapping is counted under, from its header line: "", "[heap]", or the file's base name. */
function mappingName(bytes: Uint8Array, from: number, to: number): string {
  // Skip the five fields before the path (range, perms, offset, device, inode).
  let i = from;
  for (let field = 0; field < 5; field++) {
    while (i < to && bytes[i] !== SPACE) i++;
    while (i < to && bytes[i] === SPACE) i++;
  }
  if (i >= to) return "";
  let base = i;
  for (let j = i; j < to; j++) if (bytes[j] === 47 /* / */) base = j + 1;
  const name = decoder.decode(bytes.subarray(bytes[i] === 91 /* [ */ ? i : base, to)).trimEnd();
  return name.endsWith(" (deleted)") ? name.slice(0, -" (deleted)".length) : name;
}

/**
 * RSS (MB) per mapping kind, summed from /proc/self/smaps (or the text given, for tests); empty
 * where there is no such file. It scans bytes in a reused buffer: a soak calls it every 10 s, and a
 * half-megabyte string split into ten thousand lines each time would itself move the RSS it measures.
 */
export function regionsRss(smaps?: string): Record<string, number> {
  let bytes: Uint8Array;
  let length: number;
  if (smaps === undefined) {
    length = readSmaps();
    if (length < 0) return {};
    bytes = buffer;
  } else {
    bytes = new TextEncoder().encode(smaps);
    length = bytes.length;
  }
  const kb: Record<string, number> = {};
  let name = "";
  let perms = "";
  let sizeKB = 0;
  for (let start = 0; start < length; ) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0 || end > length) end = length;
    if (isHex(bytes[start]!)) {
      name = mappingName(bytes, start, end);
      const at = bytes.indexOf(SPACE, start) + 1; // the four permission letters follow the range
      perms = decoder.decode(bytes.subarray(at, at + 4));
    }
    else if (startsWith(bytes, start, "Size:")) sizeKB = kbValue(bytes, start + 5, end);
    else if (startsWith(bytes, start, "Rss:")) {
      const key = name === "" ? anonName(sizeKB, perms) : name;
      kb[key] = (kb[key] ?? 0) + kbValue(bytes, start + 4, end);
    }
    start = end + 1;
  }
  const mb: Record<string, number> = {};
  for (const [key, value] of Object.entries(kb)) if (value > 0) mb[key] = round2(value / 1024);
  return mb;
}

export function memoryBreakdown(): MemoryBreakdown {
  return {
    jitCompileMs: process.env.BUN_JSC_reportTotalCompileTimes === "1" ? Math.round(totalCompileTime()) : null,
    regionsMB: regionsRss(),
    owners: owners(),
  };
}

const MB = 1024 * 1024;
function owners(): NonNullable<MemoryBreakdown["owners"]> {
  const heap = heapStats();
  return {
    jsHeapMB: round2(heap.heapSize / MB),
    jsCapacityMB: round2(heap.heapCapacity / MB),
    jsExtraMB: round2(heap.extraMemorySize / MB),
  };
}
