/**
 * Vivid as a user without the clone gets it: the tarball `bun pm pack` makes, installed into an empty
 * folder of its own (outside this repository, so nothing resolves through its node_modules), then
 * `bunx vivid new`, `bun vivid` and `bunx tsc` there, and the FFI-lifetime probe against the
 * bun-webgpu that install got (unpatched on disk: Bun ignores a dependency's patchedDependencies).
 * One install serves every test of this file. Needs the npm registry (or Bun's cache) for Vivid's
 * own dependencies; a slow or unreachable registry fails the install with a message, not a hang.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { readPng } from "../../runtime/snapshot.ts";
import { REPO } from "../helpers/render.ts";
import { TEMPLATE_CHECKS } from "../helpers/templates.ts";

const INSTALL_TIMEOUT_MS = 60_000;

let folder: string;
let piece: string;

/** Runs a command the way a user types it in `cwd`; fails with its output when it fails or takes too long. */
function sh(cmd: string[], cwd: string, timeoutMs = INSTALL_TIMEOUT_MS, env: Record<string, string> = {}) {
  const started = performance.now();
  const result = Bun.spawnSync(cmd, { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, timeout: timeoutMs });
  const output = `${result.stdout.toString()}${result.stderr.toString()}`;
  if (result.signalCode || performance.now() - started >= timeoutMs) {
    throw new Error(`\`${cmd.join(" ")}\` in ${cwd} did not finish in ${timeoutMs / 1000} s (is the npm registry slow or unreachable?)\n${output}`);
  }
  return { code: result.exitCode, output };
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "vivid-consumer-"));
  const packed = sh(["bun", "pm", "pack", "--destination", folder, "--quiet"], REPO);
  expect(packed.code, packed.output).toBe(0);
  const tarball = readdirSync(folder).find((file) => file.endsWith(".tgz"));
  expect(tarball, packed.output).toBe(`${pkg.name}-${pkg.version}.tgz`);
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  const added = sh(["bun", "add", `./${tarball}`], folder);
  expect(added.code, `bun add ./${tarball} failed:\n${added.output}`).toBe(0);
  const created = sh(["bunx", "vivid", "new", "piece"], folder);
  expect(created.code, `bunx vivid new piece failed:\n${created.output}`).toBe(0);
  piece = join(folder, "piece");
}, 3 * INSTALL_TIMEOUT_MS + 10_000);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe("the packed package, installed into an empty folder", () => {
  test("vivid new wrote a project that depends on the tarball as `vivid` and installed it", () => {
    for (const file of ["chain.ts", "package.json", "tsconfig.json", ".gitignore", "AGENTS.md"]) expect(existsSync(join(piece, file)), file).toBe(true);
    const project = JSON.parse(readFileSync(join(piece, "package.json"), "utf8"));
    expect(project.dependencies).toEqual({ vivid: `file:../${pkg.name}-${pkg.version}.tgz` });
    const installed = JSON.parse(readFileSync(join(piece, "node_modules/vivid/package.json"), "utf8"));
    expect([installed.name, installed.version]).toEqual([pkg.name, pkg.version]);
  });

  test("bun vivid --headless --frames 30 --snapshot a.png there draws the template", () => {
    const run = sh(["bun", "vivid", "--headless", "--fixed-fps", "60", "--frames", "30", "--snapshot", "a.png", "--no-dashboard"], piece);
    expect(run.code, run.output).toBe(0);
    const png = readPng(readFileSync(join(piece, "a.png")));
    expect([png.width, png.height]).toEqual([1280, 720]);
    expect(TEMPLATE_CHECKS.blank!({ width: png.width, height: png.height, rgba: png.data })).toEqual([]);
  }, 60_000);

  test("bun vivid chain.ts works there too, and bunx vivid-bun (the package's name) starts another project", () => {
    const run = sh(["bun", "vivid", "chain.ts", "--headless", "--frames", "2", "--snapshot", "b.png", "--snapshot-frame", "1", "--no-dashboard"], piece);
    expect(run.code, run.output).toBe(0);
    expect(existsSync(join(piece, "b.png"))).toBe(true);
    const other = sh(["bunx", "vivid-bun", "new", "other", "--template", "noise", "--no-install"], folder);
    expect(other.code, other.output).toBe(0);
    expect(readFileSync(join(folder, "other/chain.ts"), "utf8")).toBe(readFileSync(join(REPO, "templates/noise/chain.ts"), "utf8"));
  }, 60_000);

  test("bunx tsc --noEmit there resolves \"vivid\" and its types: clean, and a wrong param type is caught", () => {
    const clean = sh(["bunx", "tsc", "--noEmit"], piece);
    expect(clean.output).toBe("");
    expect(clean.code).toBe(0);
    // The same check must fail on a real type error, or "clean" would only mean "everything is any".
    mkdirSync(join(piece, "wrong"), { recursive: true });
    writeFileSync(join(piece, "wrong/chain.ts"), `import { Noise, type Context } from "vivid";\nexport function setup(ctx: Context) {\n  ctx.chain.add(Noise, "n").scale = "big";\n}\n`);
    const wrong = sh(["bunx", "tsc", "--noEmit"], piece);
    rmSync(join(piece, "wrong"), { recursive: true });
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toContain("wrong/chain.ts(3,3): error TS2322: Type 'string' is not assignable to type 'number'.");
  }, 60_000);

  test("the bun-webgpu fix holds there: 0 failed builds of 2000 under a collector that never stops", () => {
    const binding = readFileSync(join(piece, "node_modules/bun-webgpu/index.js"), "utf8");
    expect(binding, "bun-webgpu came patched on disk: this test would not test the load-time fix").not.toContain("keptPtr");
    // The repository's probe, run against the installed copy of the runtime (its relative imports
    // land in node_modules/vivid/runtime).
    const vivid = join(piece, "node_modules/vivid");
    cpSync(join(REPO, "tests/runtime/gpu/ffi-lifetime-probe.ts"), join(vivid, "tests/runtime/gpu/ffi-lifetime-probe.ts"));
    cpSync(join(REPO, "tests/helpers/texture-binding.ts"), join(vivid, "tests/helpers/texture-binding.ts"));
    const probe = sh(["bun", join(vivid, "tests/runtime/gpu/ffi-lifetime-probe.ts"), "2000"], piece, 90_000, { BUN_JSC_collectContinuously: "1" });
    const result = JSON.parse(probe.output.trim().split("\n").at(-1) ?? "{}") as { device: boolean; cycles: number; errors: number; first: string | null };
    expect(result.device, probe.output).toBe(true);
    expect(result.cycles).toBe(2000);
    expect(result.errors, result.first ?? "").toBe(0);
  }, 120_000);
});
