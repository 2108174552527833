import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import type { SoakResult, SoakVariant } from "./soak-run.tsx";

/**
 * The bounds, for eight minutes of updates after warm-up: fewer than 200 more live data objects and
 * 256 KiB more JS heap. Clean runs stay within a few objects and about 50 KiB (and lose about
 * 600 KiB when JSC discards unused bytecode). Keeping every frame adds 28 800 objects; keeping every
 * frames summary for the sparkline adds about 1 400. The control runs below prove both fail.
 */
const OBJECT_GROWTH_BOUND = 200;
const BYTE_GROWTH_BOUND = 256 * 1024;

/** Runs one soak variant in its own Bun process (see soak-run.tsx) and returns its result. */
async function runSoak(variant: SoakVariant): Promise<SoakResult> {
  const child = Bun.spawn([process.execPath, join(import.meta.dirname, "soak-run.tsx"), variant], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`soak-run ${variant} exited with ${code}:\n${stderr}`);
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as SoakResult;
  console.log(`soak ${variant}: after warm-up ${result.objects >= 0 ? "+" : ""}${result.objects} objects, ${(result.bytes / 1024).toFixed(0)} KiB; ${result.draws} draws`);
  return result;
}

describe("ten minutes of updates with the dashboard mounted (36 000 frames, 60 memory samples, 60 reloads)", () => {
  const results = {} as Record<SoakVariant, SoakResult>;
  beforeAll(async () => {
    const variants: SoakVariant[] = ["clean", "every-frame", "unbounded-history"];
    const runs = await Promise.all(variants.map(runSoak));
    variants.forEach((variant, index) => {
      results[variant] = runs[index]!;
    });
  }, 60_000);

  test("the JS heap stays flat after warm-up, and the dashboard really drew", () => {
    const clean = results.clean;
    expect(clean.inkCaches).toBeGreaterThan(0);
    expect(clean.objects).toBeLessThan(OBJECT_GROWTH_BOUND);
    expect(clean.bytes).toBeLessThan(BYTE_GROWTH_BOUND);
    // One draw per simulated second (the frames event), so the dashboard was exercised throughout.
    expect(clean.drawsAfterWarmup).toBeGreaterThan(400);
    expect(clean.draws).toBeLessThanOrEqual(600 * 4);
    expect(clean.screen).toContain("Memory  RSS");
  });

  test("control: a hub that keeps every frame fails the object bound", () => {
    expect(results["every-frame"].objects).toBeGreaterThan(OBJECT_GROWTH_BOUND);
  });

  test("control: an unbounded sparkline history fails the object bound", () => {
    expect(results["unbounded-history"].objects).toBeGreaterThan(OBJECT_GROWTH_BOUND);
  });
});
