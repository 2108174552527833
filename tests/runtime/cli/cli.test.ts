import { describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCommand } from "../../../runtime/cli.ts";
import { readPng } from "../../../runtime/snapshot.ts";
import { readOnlyFolder } from "../../helpers/read-only.ts";
import { REPO, spread } from "../../helpers/render.ts";

/** Runs `bun vivid …` as a user would, from the repository root. */
function vivid(...args: string[]) {
  const result = Bun.spawnSync(["bun", "vivid", ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

function tempProject(chain: string): string {
  const dir = mkdtempSync(join(tmpdir(), "vivid-cli-"));
  writeFileSync(join(dir, "chain.ts"), chain);
  return dir;
}

describe("bun vivid", () => {
  test("--snapshot writes a PNG of the chain's size showing visible noise", () => {
    const dir = mkdtempSync(join(tmpdir(), "vivid-snap-"));
    const out = join(dir, "out.png");
    const project = tempProject(`import { Noise } from "vivid";
export function setup(ctx) { ctx.chain.add(Noise, "noise").resolution(160, 90); ctx.chain.output("noise"); }`);
    const run = vivid(project, "--headless", "--frames", "3", "--snapshot", out, "--snapshot-frame", "2");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("(160x90, frame 2)");
    const png = readPng(readFileSync(out));
    expect([png.width, png.height]).toEqual([160, 90]);
    expect(spread(png.data)).toBeGreaterThan(10);
    rmSync(dir, { recursive: true });
    rmSync(project, { recursive: true });
  });

  test.each([
    [["--frobnicate"], "unknown flag --frobnicate"],
    [["examples/02-hello-noise", "--frames", "ten"], '--frames expects a whole number ≥ 1, got "ten"'],
    [["examples/02-hello-noise", "--window", "big"], '--window expects WIDTHxHEIGHT such as 1280x720, got "big"'],
    [["examples/02-hello-noise", "--size", "0x10"], '--size expects WIDTHxHEIGHT such as 1280x720, got "0x10"'],
    [["examples/02-hello-noise", "--size", "64x64", "--window", "64x64"], "--size and --window are the same flag; give one"],
    [["soak", "examples/02-hello-noise", "--window"], "--window needs a value"],
    [["examples/02-hello-noise", "--snapshot"], "--snapshot needs a value"],
    [["examples/02-hello-noise", "--fixed-fps", "-3"], "--fixed-fps"],
    [["examples/02-hello-noise", "--headless=yes"], "--headless takes no value"],
    [["examples/02-hello-noise", "--dispatch", "vertex"], '--dispatch expects fragment or compute, got "vertex"'],
  ])("bad command line %j exits 2 naming the flag", (args, message) => {
    const run = vivid(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  test("--dispatch compute and --dispatch fragment say so at start and write the same pixels", () => {
    const dir = mkdtempSync(join(tmpdir(), "vivid-dispatch-"));
    const project = tempProject(`import { Noise, HSV } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(120, 80);
  ctx.chain.add(HSV, "hsv").input("noise").hueShift = 0.3;
  ctx.chain.output("hsv");
}`);
    const images = [];
    for (const dispatch of ["fragment", "compute"]) {
      const out = join(dir, `${dispatch}.png`);
      const result = Bun.spawnSync(["bun", "runtime/cli.ts", project, "--headless", "--fixed-fps", "60", "--frames", "4", "--snapshot", out, "--snapshot-frame", "3", "--dispatch", dispatch], { cwd: REPO });
      expect(result.exitCode, result.stderr.toString()).toBe(0);
      expect(result.stdout.toString()).toContain(`· ${dispatch} passes (--dispatch)`);
      images.push(readPng(readFileSync(out)));
    }
    const [a, b] = images;
    let max = 0;
    for (let i = 0; i < a!.data.length; i++) max = Math.max(max, Math.abs(a!.data[i]! - b!.data[i]!));
    expect(max).toBeLessThanOrEqual(1);
    expect(spread(b!.data)).toBeGreaterThan(10);
    rmSync(dir, { recursive: true });
    rmSync(project, { recursive: true });
  });

  test("no project argument runs the current folder's chain.ts", () => {
    const project = tempProject(`import { SolidColor } from "vivid";
export function setup(ctx) { const c = ctx.chain.add(SolidColor, "c").resolution(8, 8); c.color = [1, 0, 0, 1]; ctx.chain.output("c"); }`);
    const result = Bun.spawnSync(["bun", join(REPO, "runtime/cli.ts"), "--headless", "--frames", "2", "--snapshot", "a.png", "--snapshot-frame", "1"], { cwd: project });
    expect(result.exitCode, result.stderr.toString()).toBe(0);
    const png = readPng(readFileSync(join(project, "a.png")));
    expect([png.width, png.height, ...png.data.slice(0, 4)]).toEqual([8, 8, 255, 0, 0, 255]);
    rmSync(project, { recursive: true });
  });

  test("no project argument in a folder without chain.ts exits 1 and points at vivid new", () => {
    const run = vivid("--headless");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("this folder: no chain.ts in this folder (bun vivid new <dir> starts a project)");
  });

  test("a missing project exits 1 and says so", () => {
    const run = vivid("examples/no-such-project", "--headless");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("project not found: examples/no-such-project");
  });

  test("a throw in setup exits 1 with file:line:col and the source line", () => {
    const project = tempProject(`import { Noise } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise");
  throw new Error("broken on purpose");
}`);
    const run = vivid(project, "--headless", "--frames", "1");
    expect(run.code).toBe(1);
    // Line 4 is the throw; JavaScriptCore places the column on the Error constructor (col 13).
    expect(run.stderr).toMatch(/chain\.ts:4:(3|9|13): /);
    expect(run.stderr).toContain("broken on purpose");
    expect(run.stderr).toContain('throw new Error("broken on purpose");');
    rmSync(project, { recursive: true });
  });

  test("a missing setup export exits 1 naming the file", () => {
    const project = tempProject(`export const nothing = 1;\n`);
    const run = vivid(project, "--headless", "--frames", "1");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/chain\.ts/);
    expect(run.stderr).toMatch(/setup/);
    rmSync(project, { recursive: true });
  });

  test("an unknown input name exits 1 pointing at the input() line", () => {
    const project = tempProject(`import { Noise, SolidColor } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise");
  const s = ctx.chain.add(SolidColor, "solid");
  s.input("nosie");
  ctx.chain.output("solid");
}`);
    const run = vivid(project, "--headless", "--frames", "1");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("chain.ts:5:");
    expect(run.stderr).toContain('did you mean "noise"');
    rmSync(project, { recursive: true });
  });

  test('--stats of a 5-frame run holds its frames, memory and ctx.debug("x", 1.5) records', () => {
    const project = tempProject(`import { Noise } from "vivid";
export function setup(ctx) { ctx.chain.add(Noise, "noise").resolution(32, 32); ctx.chain.output("noise"); }
export function update(ctx) { ctx.debug("x", 1.5); ctx.debug("frame", ctx.frame); }`);
    const stats = join(project, "stats.jsonl");
    const run = vivid(project, "--headless", "--frames", "5", "--stats", stats);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const records = readFileSync(stats, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    const frames = records.filter((record) => record.type === "frames");
    expect(frames).toHaveLength(1);
    // fps is frames over the seconds since start; 5 frames in well under a minute is more than 0.1 fps.
    expect(frames[0]!.fps as number).toBeGreaterThan(0.1);
    expect(records.filter((record) => record.type === "memory")).toHaveLength(1);
    expect(records.find((record) => record.type === "memory")!.rssMB as number).toBeGreaterThan(10);
    const debug = records.filter((record) => record.type === "debug");
    expect(debug.map(({ name, value }) => ({ name, value }))).toEqual([
      { name: "x", value: 1.5 },
      { name: "frame", value: 4 },
    ]);
    expect(typeof debug[0]!.t).toBe("number");
    rmSync(project, { recursive: true });
  });

  test("--help and --version", () => {
    expect(vivid("--help").stdout).toContain("--snapshot-frame <N>");
    expect(vivid("--version").stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("output paths are checked before any work starts", () => {
  test("each output flag that cannot be written exits 2 naming the flag, before a GPU or a window is opened", () => {
    const readOnly = readOnlyFolder();
    const scratch = mkdtempSync(join(tmpdir(), "vivid-out-"));
    mkdirSync(join(scratch, "folder.png"));
    const missing = join(scratch, "no-such-folder");
    const project = "examples/02-hello-noise";
    const cases: Array<[string[], string]> = [
      [[project, "--snapshot", join(missing, "out.png")], `--snapshot ${join(missing, "out.png")}: folder ${missing} does not exist`],
      [[project, "--snapshot", join(scratch, "folder.png")], `--snapshot ${join(scratch, "folder.png")}: is a folder`],
      [[project, "--snapshot", join(readOnly.dir, "out.png")], `--snapshot ${join(readOnly.dir, "out.png")}: cannot write to folder ${readOnly.dir}`],
      // --stats makes its folder: the check is on the nearest folder that exists.
      [[project, "--stats", join(readOnly.dir, "runs", "stats.jsonl")], `--stats ${join(readOnly.dir, "runs", "stats.jsonl")}: cannot write to folder ${readOnly.dir}`],
      [["soak", project, "--json", join(missing, "soak.json")], `--json ${join(missing, "soak.json")}: folder ${missing} does not exist`],
      [["soak", project, "--png", join(readOnly.dir, "rss.png")], `--png ${join(readOnly.dir, "rss.png")}: cannot write to folder`],
      [["soak", "--judge", join(scratch, "soak.json"), "--png", join(missing, "rss.png")], `--png ${join(missing, "rss.png")}: folder ${missing} does not exist`],
    ];
    try {
      for (const [args, message] of cases) {
        const run = vivid(...args);
        expect(run.code, args.join(" ")).toBe(2);
        expect(run.stderr).toContain(message);
        // Nothing ran: no GPU, no window, no frames (a run says "rendering offscreen" or "rendered").
        expect(run.stdout, args.join(" ")).toBe("");
      }
      expect(vivid(project, "--snapshot", join(readOnly.dir, "out.png")).stderr).toMatch(/\((read-only file system|permission denied)\)/);
    } finally {
      readOnly.remove();
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("bun vivid operators", () => {
  test("--json lists every exported operator class with its declared params", async () => {
    const run = vivid("operators", "--json");
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout) as Array<{ name: string; params: unknown[] }>;
    const operators = await import("../../../operators/index.ts");
    const { Operator } = await import("../../../runtime/chain/operator.ts");
    const classes = Object.values(operators).filter((v) => typeof v === "function" && (v as { prototype: unknown }).prototype instanceof Operator) as Array<new (name: string) => InstanceType<typeof Operator>>;
    expect(listed.map((l) => l.name).sort()).toEqual(classes.map((c) => c.name).sort());
    for (const Type of classes) {
      expect(listed.find((l) => l.name === Type.name)!.params).toEqual(JSON.parse(JSON.stringify(new Type("x").params())));
    }
  });

  test("an unknown operator name exits 2 with the closest name", () => {
    const misspelt = vivid("operators", "Nosie");
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('no operator named "Nosie" — did you mean "Noise"?');
    const unknown = vivid("operators", "Frobnicator");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no operator named "Frobnicator" (see bun vivid operators)');
  });
});

describe("--size and --window", () => {
  const size = (argv: string[]) => {
    const command = parseCommand(argv);
    if (command.kind !== "run") throw new Error(`expected a run, got ${command.kind}`);
    const { width, height, headless } = command.options;
    return { width, height, headless };
  };

  test("mean the window / context size, the same for a run and a soak", () => {
    for (const prefix of [[], ["soak"]]) {
      expect(size([...prefix, "examples/02-hello-noise", "--size", "640x360"])).toEqual({ width: 640, height: 360, headless: false });
      expect(size([...prefix, "examples/02-hello-noise", "--window", "640x360"])).toEqual({ width: 640, height: 360, headless: false });
      expect(size([...prefix, "examples/02-hello-noise", "--headless", "--size", "64x48"])).toEqual({ width: 64, height: 48, headless: true });
      expect(size([...prefix, "examples/02-hello-noise"])).toEqual({ width: 1280, height: 720, headless: false });
    }
  });
});
