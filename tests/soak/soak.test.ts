import { expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../helpers/render.ts";

// A short soak through the real command: the chain file is re-saved every 2 s (temp + rename, through
// the watcher), frames run headless. Only the deterministic part is asserted: the census. Memory
// slopes need long runs and a quiet machine (docs/memory.md).
test("bun vivid soak: 30 s with a reload every 2 s leaves the census exactly as after warm-up", () => {
  const dir = mkdtempSync(join(tmpdir(), "vivid-soak-"));
  const chain = `import { Noise, Blur, Feedback } from "vivid";
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(64, 36);
  noise.scale = 6.5;
  ctx.chain.add(Blur, "blur").input("noise");
  ctx.chain.add(Feedback, "feedback").input("blur");
  ctx.chain.output("feedback");
}
`;
  writeFileSync(join(dir, "chain.ts"), chain);
  const json = join(dir, "soak.json");
  const run = Bun.spawnSync(["bun", "vivid", "soak", dir, "--headless", "--minutes", "0.5", "--reload-every", "2", "--warmup", "10", "--warmup-reloads", "12", "--warmup-frames", "100", "--no-dashboard", "--json", json], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const output = run.stdout.toString() + run.stderr.toString();
  const verdict = JSON.parse(readFileSync(json, "utf8"));
  // 10 to 20 s of samples after the warm-up cannot bound a slope: with the census equal, the
  // verdict is that the run was too short, and it says so (exit 3).
  expect(output).toMatch(/soak: INCONCLUSIVE: RSS \d of the 5 one-minute floors a bound needs; about \d+ min more would decide/);
  expect(run.exitCode).toBe(3);
  expect(verdict.result).toBe("INCONCLUSIVE");
  expect(verdict.reloads).toBeGreaterThanOrEqual(8);
  // The warm-up's 12 saves went back to back (one every 2 s would take 24 s), so the first sample
  // counted is the one at 10 s or at 20 s.
  expect(verdict.warmupReloads).toBeGreaterThanOrEqual(12);
  expect(verdict.warmupEndS).toBeGreaterThanOrEqual(10);
  expect(verdict.warmupEndS).toBeLessThan(25);
  expect(verdict.warmupFrames).toBeGreaterThanOrEqual(100);
  expect(verdict.reloadsFailed).toBe(0);
  expect(verdict.errors).toBe(0);
  expect(verdict.createdAfterWarmup).toEqual({});
  expect(verdict.liveEnd).toEqual(verdict.liveStart);
  expect(verdict.liveStart.texture).toBeGreaterThan(0);
  expect(verdict.gpuBytesEnd).toBe(verdict.gpuBytesStart);
  // The soak put the chain file back as it was.
  expect(readFileSync(join(dir, "chain.ts"), "utf8")).toBe(chain);
  rmSync(dir, { recursive: true, force: true });
}, 90_000);
