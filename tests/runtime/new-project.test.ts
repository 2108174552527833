import { describe, expect, test } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { readPng } from "../../runtime/snapshot.ts";
import { TEMPLATES, vividDependencySpec } from "../../runtime/new-project.ts";
import { REPO } from "../helpers/render.ts";
import { TEMPLATE_CHECKS } from "../helpers/templates.ts";

/** `bun vivid …` from the repository root, as the clone's user runs it. */
function vivid(args: string[], cwd = REPO) {
  const result = Bun.spawnSync(["bun", join(REPO, "runtime/cli.ts"), ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe("vivid new", () => {
  test("refuses a folder that is not empty (exit 2, nothing written) unless --force", () => {
    const dir = temp("vivid-new-busy-");
    writeFileSync(join(dir, "notes.txt"), "mine");
    const refused = vivid(["new", dir, "--no-install"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("is not empty (notes.txt)");
    expect(refused.stderr).toContain("--force");
    expect(existsSync(join(dir, "chain.ts"))).toBe(false);

    const forced = vivid(["new", dir, "--no-install", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(join(dir, "chain.ts"))).toBe(true);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine");
    rmSync(dir, { recursive: true });
  });

  test("--template audio says there is none yet and points at the example (exit 2, nothing written)", () => {
    const dir = join(temp("vivid-new-audio-"), "piece");
    const run = vivid(["new", dir, "--template", "audio", "--no-install"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("there is no audio template yet (the audio operators exist: see examples/audio-reactive)");
    expect(existsSync(dir)).toBe(false);
  });

  test("no folder, or two, exits 2", () => {
    const none = vivid(["new"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("new expects one folder, got none (try: bun vivid new my-piece)");
    expect(vivid(["new", "a", "b"]).code).toBe(2);
  });

  test("an unknown template exits 2 naming the ones that exist", () => {
    const run = vivid(["new", join(tmpdir(), "never-written"), "--template", "glitter"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown template "glitter" (templates: blank, noise, feedback, 3d; planned: audio)');
  });

  test("writes chain.ts, package.json, tsconfig.json, .gitignore and AGENTS.md", () => {
    const dir = join(temp("vivid-new-files-"), "My Piece");
    const run = vivid(["new", dir, "--no-install"]);
    expect(run.code, run.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg.name).toBe("my-piece");
    // Run from a checkout, the project depends on that checkout, under the name chains import.
    expect(pkg.dependencies).toEqual({ vivid: `file:${relative(dir, REPO).split("/").filter((p) => p === "..").length <= 2 ? relative(dir, REPO) : REPO}` });
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(["@types/bun", "typescript"]);
    expect(pkg.scripts.dev).toBe("vivid");
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toContain("node_modules/");
    const agents = readFileSync(join(dir, "AGENTS.md"), "utf8");
    expect(agents).toContain("bun vivid operators --json");
    expect(agents).toContain("--snapshot");
    expect(readFileSync(join(dir, "chain.ts"), "utf8")).toBe(readFileSync(join(REPO, "templates/blank/chain.ts"), "utf8"));
    expect(run.stdout).toContain("bun install");
  });

  test.each([...TEMPLATES])("template %s renders what it promises", (template) => {
    const dir = join(temp(`vivid-new-${template}-`), "piece");
    expect(vivid(["new", dir, "--template", template, "--no-install"]).code).toBe(0);
    const out = join(dir, "a.png");
    // The snapshot is frame 5 (the default); one frame more ends the run.
    const run = vivid(["--headless", "--fixed-fps", "60", "--frames", "6", "--snapshot", out, "--no-dashboard"], dir);
    expect(run.code, run.stderr).toBe(0);
    const png = readPng(readFileSync(out));
    expect(TEMPLATE_CHECKS[template]!({ width: png.width, height: png.height, rgba: png.data })).toEqual([]);
    rmSync(dir, { recursive: true });
  }, 60_000);
});

describe("the dependency a new project names", () => {
  /** An owner project with Vivid installed in node_modules/<key> under `spec`. */
  function installedUnder(key: string, spec: string): { owner: string; packageRoot: string } {
    const owner = temp("vivid-owner-");
    writeFileSync(join(owner, "package.json"), JSON.stringify({ dependencies: { [key]: spec } }));
    const packageRoot = join(owner, "node_modules", key);
    mkdirSync(packageRoot, { recursive: true });
    return { owner, packageRoot };
  }

  test("a tarball or folder path is made relative to the new project", () => {
    const { owner, packageRoot } = installedUnder("vivid-bun", "./vivid-bun-0.1.0.tgz");
    expect(vividDependencySpec(join(owner, "piece"), packageRoot)).toBe("file:../vivid-bun-0.1.0.tgz");
    const absolute = installedUnder("vivid-bun", "/opt/src/vivid");
    expect(vividDependencySpec(join(absolute.owner, "piece"), absolute.packageRoot)).toBe("file:/opt/src/vivid");
  });

  test("a registry range stays a range of this package; a git URL is kept", () => {
    const ranged = installedUnder("vivid-bun", "^0.1.0");
    expect(vividDependencySpec(join(ranged.owner, "piece"), ranged.packageRoot)).toBe("npm:vivid-bun@^0.1.0");
    const git = installedUnder("vivid", "git+https://example.org/vivid-bun.git#main");
    expect(vividDependencySpec(join(git.owner, "piece"), git.packageRoot)).toBe("git+https://example.org/vivid-bun.git#main");
  });

  test("bunx's temporary install (no owning package.json) falls back to the registry", () => {
    const root = join(temp("bunx-"), "node_modules", "vivid-bun");
    mkdirSync(root, { recursive: true });
    expect(vividDependencySpec(join(tmpdir(), "piece"), root)).toMatch(/^npm:vivid-bun@\^\d+\.\d+\.\d+$/);
  });
});
