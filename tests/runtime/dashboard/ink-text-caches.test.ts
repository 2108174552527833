import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { INK_TEXT_CACHE_ENTRIES } from "../../../runtime/dashboard/ink-text-caches.ts";

/**
 * Issue #16: with the dashboard mounted, a 40-minute soak grew RSS by 10.75 MB/h and the JS heap by
 * 2.15 MB/h; bench/dashboard-loop.ts found Ink's text caches filling with the dashboard's
 * never-repeated texts. Here the same bench runs in child processes of their own (a heap reading
 * needs a heap nothing else allocates into): 3000 redraws of the real dashboard through real Ink,
 * JS cells counted after a full GC at 1500 and at 3000 redraws.
 *
 * Measured on the 2-core box (live data cells, 1500 → 3000 redraws): with the dashboard's bound
 * −999 (the one cache holds 256–511 entries of ~3 cells each, so its sawtooth is at most ~770
 * cells; JSC discarding unused code makes the rest negative); with Ink's own bound put back
 * +6388 (Object +5056, string +1349: two objects and a string per cached text, ~2 texts a
 * redraw). The bound below sits between the two with room on both sides.
 */
const DATA_CELL_GROWTH_BOUND = 1000;
const CONTROL_GROWTH_AT_LEAST = 3000;

interface LoopResult {
  draws: number;
  inkCacheEntries: number[];
  readAt: number[];
  dataCellsGrowth: number;
  objectTypesChanged_1500_to_3000: Record<string, number>;
}

const bench = join(import.meta.dirname, "../../../bench/dashboard-loop.ts");
const dir = mkdtempSync(join(tmpdir(), "vivid-ink-caches-"));

async function runLoop(name: string, extra: string[]): Promise<LoopResult> {
  const out = join(dir, `${name}.json`);
  const args = ["--fake-terminal", "--renders", "3000", "--warmup", "1500", "--every", "1500", "--out", out, ...extra];
  const child = Bun.spawn([process.execPath, bench, ...args], { stdout: "pipe", stderr: "pipe" });
  const [, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`dashboard-loop ${name} exited with ${code}:\n${stderr}`);
  const result = JSON.parse(readFileSync(out, "utf8")) as LoopResult;
  console.log(`dashboard-loop ${name}: ${result.dataCellsGrowth >= 0 ? "+" : ""}${result.dataCellsGrowth} data cells from 1500 to 3000 redraws; Ink cache entries ${result.inkCacheEntries.join(", ")}`);
  return result;
}

describe("the dashboard's redraws keep no texts in Ink's caches (3000 redraws, child processes)", () => {
  let bounded: LoopResult;
  let inkDefault: LoopResult;
  beforeAll(async () => {
    [bounded, inkDefault] = await Promise.all([runLoop("bounded", []), runLoop("ink-default", ["--ink-default-caches"])]);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the JS heap's data cells do not grow from 1500 to 3000 redraws", () => {
    expect(bounded.draws).toBe(3000);
    expect(bounded.readAt).toEqual([1500, 3000]);
    expect(bounded.dataCellsGrowth).toBeLessThan(DATA_CELL_GROWTH_BOUND);
    // QuickLRU keeps up to twice its size while it rotates.
    for (const entries of bounded.inkCacheEntries) expect(entries).toBeLessThan(2 * INK_TEXT_CACHE_ENTRIES);
  });

  test("control: with Ink's own bound the same redraws grow the heap by thousands of cells", () => {
    expect(inkDefault.draws).toBe(3000);
    expect(inkDefault.dataCellsGrowth).toBeGreaterThan(CONTROL_GROWTH_AT_LEAST);
    expect(inkDefault.objectTypesChanged_1500_to_3000.Object).toBeGreaterThan(CONTROL_GROWTH_AT_LEAST / 2);
    expect(Math.max(...inkDefault.inkCacheEntries)).toBeGreaterThan(2 * INK_TEXT_CACHE_ENTRIES);
  });
});
