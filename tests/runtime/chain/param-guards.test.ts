import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { overlayLines } from "../../../runtime/overlay.ts";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { native } from "../../helpers/native.ts";
import { diffImages } from "../../helpers/render.ts";
import { rgbaFloatToBytes } from "../../../runtime/snapshot.ts";
import type { ChainError } from "../../../runtime/reload/errors.ts";
import type { ErrorPhase } from "../../../runtime/engine.ts";

// Bad param values and misspelt params, on the real device with real chain files (issue #17):
// Infinity fails a reload in setup and is ignored (shown once) in update; an out-of-range value is
// clamped and warned once; a misspelt property throws with a "did you mean".
const { Engine } = native.engine;
const { Gpu } = native.gpu;

type EngineT = InstanceType<typeof Engine>;
let gpu: import("../../../runtime/gpu/gpu.ts").Gpu;
let dir: string;
let chainFile: string;
const errors: Array<{ error: ChainError; phase: ErrorPhase }> = [];

function save(text: string): void {
  writeFileSync(`${chainFile}.tmp-save`, text);
  renameSync(`${chainFile}.tmp-save`, chainFile);
}

/** Noise (scale 4 unless `setupLine` changes it) → output; line 4 is `setupLine`, line 8 the update body. */
const chain = (setupLine = "", update = "") => `import { Noise, SolidColor } from "vivid";
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(32, 32);
  ${setupLine}
  ctx.chain.output("noise");
}
export function update(ctx) {
  ${update}
}
`;
const SETUP_LINE = 4;
const UPDATE_LINE = 8;

async function load(text: string): Promise<{ engine: EngineT; built: Awaited<ReturnType<EngineT["load"]>> }> {
  save(text);
  const engine = new Engine(gpu, { projectDir: dir, chainFile, width: 32, height: 32, fixedFps: 60 });
  engine.onError = (error, phase) => errors.push({ error, phase });
  return { engine, built: await engine.load() };
}

/** The output of a chain whose setup sets noise.scale to `scale`, after one frame. */
async function noiseAt(scale: number): Promise<Uint8Array> {
  const { engine, built } = await load(chain(`noise.speed = 0; noise.scale = ${scale};`));
  expect(built.ok).toBe(true);
  engine.frame();
  const pixels = rgbaFloatToBytes((await engine.readOutput()).pixels);
  engine.dispose();
  return pixels;
}

beforeAll(async () => {
  gpu = await Gpu.open();
  dir = mkdtempSync(join(tmpdir(), "vivid-param-guards-"));
  chainFile = join(dir, "chain.ts");
});

afterAll(() => {
  expect(gpu.census.live()).toBe(0);
  gpu.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe("non-finite values", () => {
  test("in setup: the load fails at the assignment's line, naming the param", async () => {
    errors.length = 0;
    const { engine, built } = await load(chain("noise.scale = Infinity;"));
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.error.message).toMatch(/noise\.scale expects a finite number, got Infinity/);
    expect(built.error.file).toBe(chainFile);
    expect(built.error.line).toBe(SETUP_LINE);
    engine.dispose();
  });

  test("in update: the assignment is ignored, the frame shows the previous value, the message comes once", async () => {
    const reference = await noiseAt(4);
    errors.length = 0;
    const { engine, built } = await load(chain("noise.speed = 0;", 'ctx.chain.get("noise").scale = ctx.frame > 2 ? Infinity : 4;'));
    expect(built.ok).toBe(true);
    for (let i = 0; i < 10; i++) engine.frame();
    expect(engine.chain!.get("noise").getParam("scale")).toBe(4);
    expect(diffImages(reference, rgbaFloatToBytes((await engine.readOutput()).pixels)).maxAbs).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.phase).toBe("param");
    expect(errors[0]!.error.message).toMatch(/noise\.scale expects a finite number, got Infinity: ignored, scale stays 4/);
    expect(errors[0]!.error.line).toBe(UPDATE_LINE);
    engine.dispose();
  });

  test("from a binding: ignored and shown once, located at the bind() line", async () => {
    errors.length = 0;
    const { engine, built } = await load(chain('noise.speed = 0; noise.bindDirect("scale", () => (ctx.frame > 2 ? NaN : 4));'));
    expect(built.ok).toBe(true);
    for (let i = 0; i < 10; i++) engine.frame();
    expect(engine.chain!.get("noise").getParam("scale")).toBe(4);
    expect(errors.map((e) => [e.phase, e.error.message, e.error.line])).toEqual([
      ["param", "noise.scale expects a finite number, got NaN: ignored, scale stays 4 (from its binding)", SETUP_LINE],
    ]);
    engine.dispose();
  });
});

describe("out-of-range values", () => {
  test("are clamped to the declared range (Noise scale 0.1..20) and warned once, at the line", async () => {
    const atMax = await noiseAt(20);
    expect(diffImages(atMax, await noiseAt(4)).meanAbs).toBeGreaterThan(5);
    errors.length = 0;
    const { engine, built } = await load(chain("noise.speed = 0; noise.scale = 50;", 'ctx.chain.get("noise").scale = 50;'));
    expect(built.ok).toBe(true);
    for (let i = 0; i < 10; i++) engine.frame();
    expect(engine.chain!.get("noise").getParam("scale")).toBe(20);
    expect(diffImages(atMax, rgbaFloatToBytes((await engine.readOutput()).pixels)).maxAbs).toBe(0);
    // Once per operator instance and param: the setup's assignment warns, update's 10 do not.
    expect(errors.map((e) => [e.phase, e.error.message, e.error.line])).toEqual([["param", "noise.scale = 50 is outside its range 0.1..20: clamped to 20", SETUP_LINE]]);
    // A warning, not an error: the overlay, dashboard and plain lines say "warning" and do not
    // claim that the last good chain stands in.
    expect(errors[0]!.error.severity).toBe("warning");
    const lines = overlayLines(errors[0]!.error);
    expect(lines[0]).toMatch(/:\d+:\d+: warning$/);
    expect(lines.at(-1)).toBe("the chain runs on — a save clears this");
    engine.dispose();
  });
});

describe("a misspelt property", () => {
  test("in setup: the load fails at the line with a did-you-mean (operators are sealed)", async () => {
    const { engine, built } = await load(chain('ctx.chain.add(SolidColor, "bg").colour = [1, 0, 0, 1];'));
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.error.message).toMatch(/SolidColor "bg" has no param "colour" — did you mean "color"\?/);
    expect(built.error.line).toBe(SETUP_LINE);
    engine.dispose();
  });

  test("in update: reported once at the line; the chain keeps running", async () => {
    errors.length = 0;
    // From the second frame on: an update that throws in its first frame fails the reload instead.
    const { engine, built } = await load(chain("noise.speed = 0;", 'if (ctx.frame > 0) ctx.chain.get("noise").sclae = 3;'));
    expect(built.ok).toBe(true);
    for (let i = 0; i < 5; i++) engine.frame();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.phase).toBe("update");
    expect(errors[0]!.error.message).toMatch(/Noise "noise" has no param "sclae" — did you mean "scale"\?/);
    expect(errors[0]!.error.line).toBe(UPDATE_LINE);
    engine.dispose();
  });
});
