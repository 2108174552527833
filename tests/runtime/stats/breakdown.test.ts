import { describe, expect, test } from "vitest";
import { memoryBreakdown, regionsRss } from "../../../runtime/stats/breakdown.ts";

/** One smaps entry, with the fields the reader looks at among the ones it must skip. */
function mapping(header: string, sizeKB: number, rssKB: number): string {
  return [header, `Size:           ${sizeKB} kB`, "KernelPageSize:        4 kB", `Rss:            ${rssKB} kB`, `Pss:            ${rssKB} kB`, "Anonymous:      0 kB", "VmFlags: rd wr mr mw me ac sd"].join("\n");
}

describe("regionsRss", () => {
  test("sums RSS per file name, per special region and per anonymous size class", () => {
    const smaps = [
      mapping("5562d804a000-5562d804c000 r--p 00000000 fe:00 260386                     /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1", 8, 8),
      mapping("5562d804c000-5562d904c000 r-xp 00002000 fe:00 260386                     /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1", 16384, 2048),
      mapping("7f0000000000-7f0004000000 rw-p 00000000 00:00 0 ", 65536, 3072),
      mapping("7f0004000000-7f0008000000 rw-p 00000000 00:00 0", 65536, 1024),
      mapping("7f9e022e3000-7f9e422e3000 rwxp 00000000 00:00 0", 1048576, 916),
      mapping("7f0008000000-7f0008100000 rw-p 00000000 00:00 0", 1024, 512),
      mapping("7f0008100000-7f0008101000 rw-p 00000000 00:00 0", 4, 4),
      mapping("5563d804a000-5563d8100000 rw-p 00000000 00:00 0                          [heap]", 728, 700),
      mapping("7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]", 132, 0),
      mapping("7f1000000000-7f1000001000 rw-s 00000000 00:01 77                         /memfd:vivid (deleted)", 4, 4),
    ].join("\n");
    expect(regionsRss(smaps)).toEqual({
      "libLLVM-15.so.1": Math.round((2056 / 1024) * 100) / 100,
      "anon rw-p 64M": 4,
      "anon rwxp 1024M": Math.round((916 / 1024) * 100) / 100,
      "anon 1-16M": 0.5,
      "anon <1M": Math.round((4 / 1024) * 100) / 100,
      "[heap]": Math.round((700 / 1024) * 100) / 100,
      "memfd:vivid": Math.round((4 / 1024) * 100) / 100,
    });
  });

  test("reads this process: the regions add up to its RSS", () => {
    const before = process.memoryUsage().rss / 2 ** 20;
    const regions = regionsRss();
    const after = process.memoryUsage().rss / 2 ** 20;
    const total = Object.values(regions).reduce((a, b) => a + b, 0);
    expect(Object.keys(regions).length).toBeGreaterThan(3);
    expect(total).toBeGreaterThan(Math.min(before, after) * 0.9);
    expect(total).toBeLessThan(Math.max(before, after) * 1.1);
  });
});

test("memoryBreakdown: 32 MB more in use shows as 32 MB more in the mappings", () => {
  const sum = (regions: Record<string, number>) => Object.values(regions).reduce((a, b) => a + b, 0);
  const before = sum(memoryBreakdown().regionsMB);
  const held = new Uint8Array(32 * 2 ** 20).fill(1);
  const b = memoryBreakdown();
  expect(held[held.length - 1]).toBe(1);
  expect(sum(b.regionsMB) - before).toBeGreaterThan(30);
  expect(b.jitCompileMs).toEqual(process.env.BUN_JSC_reportTotalCompileTimes === "1" ? expect.any(Number) : null);
});
