import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { memoryBreakdown, regionsRss } from "../../../runtime/stats/breakdown.ts";
import { REPO } from "../../helpers/render.ts";

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

// In a process of its own: the suite's other files run in worker threads of this one, and what
// they allocate and free moves this process's RSS while the test looks.
test("memoryBreakdown: 32 MB more in use shows as 32 MB more in the mappings", () => {
  const script = `
    import { memoryBreakdown } from ${JSON.stringify(join(REPO, "runtime/stats/breakdown.ts"))};
    const sum = (regions) => Object.values(regions).reduce((a, b) => a + b, 0);
    const before = sum(memoryBreakdown().regionsMB);
    const held = new Uint8Array(32 * 2 ** 20).fill(1);
    const after = memoryBreakdown();
    console.log(JSON.stringify({ grewMB: sum(after.regionsMB) - before, jitCompileMs: after.jitCompileMs, last: held[held.length - 1] }));
  `;
  const run = Bun.spawnSync(["bun", "-e", script], { env: { ...process.env, BUN_JSC_reportTotalCompileTimes: "1" } });
  expect(run.stderr.toString()).toBe("");
  const result = JSON.parse(run.stdout.toString());
  expect(result.last).toBe(1);
  expect(result.grewMB).toBeGreaterThan(30);
  expect(result.grewMB).toBeLessThan(40);
  expect(result.jitCompileMs).toEqual(expect.any(Number));
});

test("memoryBreakdown: no compile time without BUN_JSC_reportTotalCompileTimes=1", () => {
  const script = `import { memoryBreakdown } from ${JSON.stringify(join(REPO, "runtime/stats/breakdown.ts"))}; console.log(JSON.stringify(memoryBreakdown().jitCompileMs));`;
  const { BUN_JSC_reportTotalCompileTimes: _, ...env } = process.env;
  const run = Bun.spawnSync(["bun", "-e", script], { env });
  expect(run.stdout.toString().trim()).toBe("null");
});
