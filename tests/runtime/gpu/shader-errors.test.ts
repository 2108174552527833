/**
 * WGSL errors are located where shader modules are created (Gpu.createShaderModule), so every
 * operator's error names its .wgsl file, line and column, and an error inside an `#import`ed file
 * names that file. The first test is the user's path end to end: `bun vivid` running a Blur, and a
 * save that breaks the runtime's own shaders/2d/blur.wgsl. The runtime's shaders folder is the one
 * beside its code, so the test runs a copy of the runtime and breaks the copy's file (the tracked
 * file is never touched).
 */
import { afterAll, describe, expect, test } from "vitest";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { native } from "../../helpers/native.ts";
import { REPO } from "../../helpers/render.ts";
import { createRequire } from "node:module";

const { loadShader } = createRequire(import.meta.url)("../../../runtime/gpu/shaders.ts") as typeof import("../../../runtime/gpu/shaders.ts");
const { Gpu, GpuValidationError, WgslError } = native.gpu;

const temp = mkdtempSync(join(tmpdir(), "vivid-wgsl-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Saves like most editors do: write a temp file, rename it over the original. */
function save(file: string, text: string): void {
  writeFileSync(`${file}.tmp-save`, text);
  renameSync(`${file}.tmp-save`, file);
}

/** 1-based line and column of the first `token` in `text` (from the fixture, not the code under test). */
function positionOf(text: string, token: string): { line: number; column: number; sourceLine: string } {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(token));
  if (line < 0) throw new Error(`fixture lacks ${token}`);
  return { line: line + 1, column: lines[line]!.indexOf(token) + 1, sourceLine: lines[line]! };
}

type Json = Record<string, any>;

/** The chain: every operator with runtime shaders of its own, all initialised (Blur is the output). */
const EVERY_SHADER_CHAIN = `import { Noise, Blur, Bloom, Particles, Plexus, Canvas, Sphere, Render3D } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(32, 32);
  ctx.chain.add(Blur, "blur").input("noise").radius = 3;
  ctx.chain.add(Bloom, "bloom").input("noise");
  ctx.chain.add(Particles, "particles").resolution(32, 32);
  ctx.chain.add(Plexus, "plexus").resolution(32, 32);
  ctx.chain.add(Canvas, "canvas").resolution(32, 32);
  ctx.chain.add(Sphere, "ball");
  ctx.chain.add(Render3D, "render").resolution(32, 32).input("ball");
  ctx.chain.output("blur");
}
`;

/**
 * `text` with a line that does not compile inserted at module scope, after the first top-level
 * block's closing brace (or at the end): an unresolved name, so Dawn points at the name.
 */
function breakAtModuleScope(text: string): string {
  const lines = text.split("\n");
  const after = lines.indexOf("}");
  lines.splice(after < 0 ? lines.length : after + 1, 0, "const brokenByTest = notDefinedAnywhere;");
  return lines.join("\n");
}

describe("bun vivid with a broken runtime shader", () => {
  test("breaking shaders/2d/blur.wgsl while a Blur runs reports blur.wgsl:line:column; so does every other operator's .wgsl and an #imported one", async () => {
    const copy = join(temp, "vivid");
    mkdirSync(copy);
    for (const part of ["runtime", "operators", "shaders", "patches", "package.json", "tsconfig.json", "bunfig.toml"]) cpSync(join(REPO, part), join(copy, part), { recursive: true });
    symlinkSync(realpathSync(join(REPO, "node_modules")), join(copy, "node_modules"));
    const project = join(temp, "project");
    mkdirSync(project);
    save(join(project, "chain.ts"), EVERY_SHADER_CHAIN);
    const stats = join(project, "stats.jsonl");
    const child = Bun.spawn(["bun", "runtime/cli.ts", project, "--headless", "--no-dashboard", "--stats", stats], { cwd: copy, stdout: "pipe", stderr: "pipe" });
    let printed = "";
    void (async () => {
      for await (const chunk of child.stdout as ReadableStream<Uint8Array>) printed += new TextDecoder().decode(chunk);
    })();
    const events = (): Json[] =>
      existsSync(stats)
        ? readFileSync(stats, "utf8")
            .split("\n")
            .filter((line) => line.endsWith("}"))
            .map((line) => JSON.parse(line) as Json)
        : [];
    const reloads = () => events().filter((e) => e.type === "reload");
    const waitFor = async <T>(what: string, get: () => T | undefined, ms = 60_000): Promise<T> => {
      const end = Date.now() + ms;
      for (;;) {
        const value = get();
        if (value !== undefined) return value;
        if (child.exitCode !== null) throw new Error(`vivid exited (${child.exitCode}) while waiting for ${what}: ${printed}`);
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${printed}`);
        await Bun.sleep(50);
      }
    };
    /** Saves `broken` over `name` (in the copy's shaders/), returns the failed reload, then saves the original back. */
    const breakAndRestore = async (name: string, broken: (text: string) => string): Promise<Json> => {
      const file = join(copy, "shaders", name);
      const text = readFileSync(file, "utf8");
      const count = reloads().length;
      save(file, broken(text));
      const failed = await waitFor(`the failed reload of ${name}`, () => reloads()[count]);
      save(file, text);
      const fixed = await waitFor(`the reload that restores ${name}`, () => reloads()[count + 1]);
      expect(fixed.ok, `${name} restored`).toBe(true);
      expect(failed.ok, `${name} broken`).toBe(false);
      expect(failed.file).toBe(name);
      return failed;
    };
    try {
      await waitFor("the first frames", () => events().find((e) => e.type === "frames"));

      // The line to break, read from the file: the call of the blur helper.
      const blurText = readFileSync(join(copy, "shaders/2d/blur.wgsl"), "utf8");
      const blurAt = positionOf(blurText.replace("return gaussianBlur(", "return gaussianBlurr("), "gaussianBlurr");
      const blur = await breakAndRestore("2d/blur.wgsl", (text) => text.replace("return gaussianBlur(", "return gaussianBlurr("));
      expect(blur.error).toEqual({
        file: join(copy, "shaders/2d/blur.wgsl"),
        line: blurAt.line,
        column: blurAt.column,
        message: expect.stringMatching(/^Blur "blur": WGSL: .*'gaussianBlurr'/),
        sourceLine: blurAt.sourceLine,
      });
      expect(printed).toContain(`blur.wgsl:${blurAt.line}:${blurAt.column}: Blur "blur": WGSL:`);

      // Every other operator's own shader, and files they #import (named as the imported file).
      const cases: Array<[string, RegExp]> = [
        ["2d/bloom.wgsl", /^Bloom "bloom"/],
        ["2d/particles.wgsl", /^Particles "particles"/],
        ["common/circles.wgsl", /^Particles "particles"/],
        ["2d/plexus.wgsl", /^Plexus "plexus"/],
        ["2d/canvas.wgsl", /^Canvas "canvas"/],
        ["3d/render3d.wgsl", /^Render3D "render"/],
        ["3d/render3d-shadow.wgsl", /^Render3D "render"/],
        ["3d/scene.wgsl", /^Render3D "render"/],
        ["common/gaussian.wgsl", /^(Blur "blur"|Bloom "bloom")/],
      ];
      for (const [name, who] of cases) {
        const at = positionOf(breakAtModuleScope(readFileSync(join(copy, "shaders", name), "utf8")), "notDefinedAnywhere");
        const failed = await breakAndRestore(name, breakAtModuleScope);
        expect(failed.error, name).toEqual({ file: join(copy, "shaders", name), line: at.line, column: at.column, message: expect.stringMatching(/: WGSL: .*notDefinedAnywhere/), sourceLine: at.sourceLine });
        expect(failed.error.message, name).toMatch(who);
      }
      expect(reloads()).toHaveLength(2 * (cases.length + 1));
    } finally {
      child.kill();
      await child.exited;
    }
  }, 170_000);
});

describe("Gpu.createShaderModule locates what it compiles", () => {
  const shaderDir = join(temp, "shaders");
  mkdirSync(shaderDir, { recursive: true });
  // Line 3 of the importing file is the #import; the error is on line 4 of the imported one, after a
  // tab and a comment with characters of 2 and 3 UTF-8 bytes (Dawn counts bytes, editors characters).
  const helperText = "// helper\nfn tint(c: vec4f) -> vec4f {\n  let k = 0.5;\n\treturn /* é日 */ c * vec5f(k);\n}\n";
  const mainText = "// main\n\n#import \"./helper.wgsl\"\n@fragment\nfn fs() -> @location(0) vec4f {\n  return tint(vec4f(1.0));\n}\n";
  writeFileSync(join(shaderDir, "helper.wgsl"), helperText);
  writeFileSync(join(shaderDir, "main.wgsl"), mainText);

  test("inside validated: a WgslError at the imported file's line and column", async () => {
    const gpu = await Gpu.open();
    try {
      const scope = gpu.scope("tinter");
      const thrown = await gpu.validated(() => scope.shaderModule(loadShader(join(shaderDir, "main.wgsl")))).then(
        () => undefined,
        (err: unknown) => err,
      );
      scope.release();
      expect(thrown).toBeInstanceOf(WgslError);
      const error = thrown as InstanceType<typeof WgslError>;
      expect(error.owner).toBe("tinter");
      const at = positionOf(helperText, "vec5f");
      expect(at).toMatchObject({ line: 4, column: 22 }); // "\treturn /* é日 */ c * " is 21 characters
      expect(error.location).toEqual({ file: join(shaderDir, "helper.wgsl"), line: at.line, column: at.column, message: expect.stringMatching(/vec5f/), sourceLine: "\treturn /* é日 */ c * vec5f(k);" });
      expect(gpu.census.live()).toBe(0);
    } finally {
      gpu.destroy();
    }
  });

  test("outside validated: the onError listeners get the located error", async () => {
    const gpu = await Gpu.open();
    try {
      const reports: Array<import("../../../runtime/gpu/gpu.ts").GpuErrorReport> = [];
      gpu.onError((report) => reports.push(report));
      const scope = gpu.scope("overlay");
      scope.shaderModule(loadShader(join(shaderDir, "main.wgsl")));
      await gpu.idle();
      for (let i = 0; i < 20 && reports.length === 0; i++) await Bun.sleep(10);
      scope.release();
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ owner: "overlay", message: expect.stringMatching(/vec5f/), location: { file: join(shaderDir, "helper.wgsl"), line: 4, column: 22 } });
    } finally {
      gpu.destroy();
    }
  });

  test("a pipeline that does not fit its shader names the .wgsl file, and the line of a binding the layout lacks", async () => {
    const text = "// two bindings, the layout has one\n@group(0) @binding(0) var<uniform> level: vec4f;\n@group(0)  @binding(1) var<uniform> tint: vec4f;\n@vertex fn vs() -> @builtin(position) vec4f { return vec4f(0.0); }\n@fragment fn fs() -> @location(0) vec4f { return level * tint; }\n";
    const file = join(shaderDir, "bindings.wgsl");
    writeFileSync(file, text);
    const gpu = await Gpu.open();
    try {
      const scope = gpu.scope("tinter");
      const layout = scope.layout([{ binding: 0, visibility: 2, kind: "uniform" }]);
      const build = (fragmentEntry: string) =>
        gpu.validated(() => scope.renderPipeline({ shader: loadShader(file), fragmentEntry, targets: ["rgba16float"], layouts: [layout] })).then(
          () => undefined,
          (err: unknown) => err as InstanceType<typeof GpuValidationError>,
        );
      const unbound = await build("fs");
      expect(unbound).toBeInstanceOf(GpuValidationError);
      expect(unbound).not.toBeInstanceOf(WgslError);
      const at = positionOf(text, "@group(0)  @binding(1)");
      expect(unbound!.location).toEqual({ file, line: at.line, column: at.column, sourceLine: at.sourceLine });
      const noEntry = await build("main");
      expect(noEntry!.location).toEqual({ file });
      expect(noEntry!.message).toMatch(/main/);
      scope.release();
      expect(gpu.census.live()).toBe(0);
    } finally {
      gpu.destroy();
    }
  });
});
