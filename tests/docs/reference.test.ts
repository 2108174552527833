import { expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../helpers/render.ts";

// docs/operators.md is generated from the declarations; this fails when someone changes an operator
// and not the page (regenerate it: bun vivid operators --markdown > docs/operators.md).
test("docs/operators.md is what `bun vivid operators --markdown` prints today", () => {
  const run = Bun.spawnSync(["bun", join(REPO, "runtime/cli.ts"), "operators", "--markdown"], { cwd: REPO });
  expect(run.exitCode, run.stderr.toString()).toBe(0);
  const generated = run.stdout.toString();
  expect(generated).toContain("## Noise");
  expect(generated).toContain("| `scale` | float | `4` | 0.1 – 20 |");
  expect(readFileSync(join(REPO, "docs/operators.md"), "utf8")).toBe(generated);
});
