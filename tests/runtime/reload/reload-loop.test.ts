import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { heapSize } from "bun:jsc";
import { loader, makeProject, percentile } from "./native.ts";

const project = makeProject("loop");
afterAll(() => project.remove());

// Each kind of broken edit a user makes while typing; the next reload fixes it.
const breakages: Record<string, () => void> = {
  "syntax error in chain": () => project.write("chain.ts", "export function setup() { return = ; }\n"),
  "syntax error in helper": () => project.write("helper.ts", "export function value( { return 1; }\n"),
  "missing export": () => project.write("lib/shapes.ts", "export const sides = 3;\n"),
  "top-level throw": () => project.write("helper.ts", "throw new Error('not yet');\nexport function value() { return 0; }\n"),
  "missing setup": () => project.write("chain.ts", "export const nothing = 1;\n"),
};

function writeGood(iteration: number): number {
  project.write("chain.ts", `import { value } from "./helper.ts";\nimport { corners } from "./lib/shapes.ts";\nexport function setup() { return value() * 1000 + corners + ${iteration % 7}; }\n`);
  project.write("helper.ts", `export function value() { return ${iteration}; }\n`);
  project.write("lib/shapes.ts", `export const corners = 4;\n`);
  return iteration * 1000 + 4 + (iteration % 7);
}

test("1000 reloads: fresh code every time, no crash, no growth of the module cache", async () => {
  mkdirSync(join(project.dir, "lib"), { recursive: true });
  const chain = join(project.dir, "chain.ts");
  const heap = () => {
    Bun.gc(true);
    return heapSize();
  };

  writeGood(0);
  const first = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
  expect(first.ok).toBe(true);
  const projectEntriesBefore = loader.projectModulesInCache(project.dir);
  const allEntriesBefore = Object.keys(require.cache);
  expect(projectEntriesBefore).toHaveLength(3);
  const heapBefore = heap();

  const breakageNames = Object.keys(breakages);
  const okMs: number[] = [];
  const failedMs: number[] = [];
  let failures = 0;
  for (let iteration = 1; iteration <= 1000; iteration++) {
    const expected = writeGood(iteration);
    const breakage = iteration % 10 === 5 ? breakageNames[Math.floor(iteration / 10) % breakageNames.length]! : undefined;
    if (breakage) breakages[breakage]!();
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (breakage) {
      expect(result.ok, `iteration ${iteration}: ${breakage} loaded`).toBe(false);
      failedMs.push(result.ms);
      failures++;
    } else {
      if (!result.ok) throw new Error(`iteration ${iteration}: ${result.error.message}`);
      expect(result.module.setup(), `iteration ${iteration}`).toBe(expected);
      okMs.push(result.ms);
    }
  }

  const heapGrowthMb = (heap() - heapBefore) / 2 ** 20;
  console.log(
    `[loader] ${okMs.length} good reloads: median ${percentile(okMs, 50).toFixed(2)} ms, p95 ${percentile(okMs, 95).toFixed(2)} ms, max ${Math.max(...okMs).toFixed(2)} ms; ` +
      `${failures} failed reloads: median ${percentile(failedMs, 50).toFixed(2)} ms, p95 ${percentile(failedMs, 95).toFixed(2)} ms; JS heap growth ${heapGrowthMb.toFixed(2)} MB`,
  );
  expect(loader.projectModulesInCache(project.dir)).toEqual(projectEntriesBefore);
  expect(Object.keys(require.cache)).toEqual(allEntriesBefore);
  expect(heapGrowthMb).toBeLessThan(16);
}, 60_000);
