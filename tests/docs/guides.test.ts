import { expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readPng } from "../../runtime/snapshot.ts";
import { REPO } from "../helpers/render.ts";

const EXAMPLE = join(REPO, "examples/custom-operator");

test("docs/wgsl-operator.md quotes examples/custom-operator whole, as it is", () => {
  const guide = readFileSync(join(REPO, "docs/wgsl-operator.md"), "utf8");
  const blocks = [...guide.matchAll(/```(?:ts|wgsl)\n([\s\S]*?)\n```/g)].map((match) => `${match[1]}\n`);
  for (const file of ["rings.ts", "rings.wgsl", "chain.ts"]) {
    expect(blocks, `${file} is not quoted whole in docs/wgsl-operator.md`).toContain(readFileSync(join(EXAMPLE, file), "utf8"));
  }
});

test("the custom operator draws concentric rings around the centre", () => {
  const out = join(mkdtempSync(join(tmpdir(), "vivid-rings-")), "rings.png");
  const run = Bun.spawnSync(["bun", join(REPO, "runtime/cli.ts"), EXAMPLE, "--headless", "--fixed-fps", "60", "--frames", "6", "--snapshot", out, "--no-dashboard"]);
  expect(run.exitCode, run.stderr.toString()).toBe(0);
  const png = readPng(readFileSync(out));
  // Along the middle row, going right from the centre: teal and dark bands alternate. frequency 8
  // rings per height at speed 0.5 gives 8 × 640/720 ≈ 7 rings to the right edge; the vignette darkens
  // the outer ones, so count the bands in the inner half.
  const row = png.height / 2;
  let bands = 0;
  let inRing = false;
  for (let x = png.width / 2; x < png.width * 0.75; x++) {
    const i = (row * png.width + x) * 4;
    const teal = png.data[i + 1]! > 120 && png.data[i + 2]! > 100 && png.data[i]! < 100;
    if (teal && !inRing) bands++;
    inRing = teal;
  }
  expect(bands).toBeGreaterThanOrEqual(3);
  expect(bands).toBeLessThanOrEqual(5);
  rmSync(join(out, ".."), { recursive: true });
});
