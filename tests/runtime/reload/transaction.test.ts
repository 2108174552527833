import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { native } from "../../helpers/native.ts";
import { diffImages } from "../../helpers/render.ts";
import { rgbaFloatToBytes } from "../../../runtime/snapshot.ts";

// The reload transaction on the real device, with real files: Engine.reload() is what the watcher
// triggers (the watcher itself is tested in watcher.test.ts).
const { Engine } = native.engine;
const { Gpu } = native.gpu;

type EngineT = InstanceType<typeof Engine>;
let gpu: import("../../../runtime/gpu/gpu.ts").Gpu;
let dir: string;
let engine: EngineT;

/** Saves like most editors do: write a temp file, rename it over the original. */
function save(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(`${file}.tmp-save`, text);
  renameSync(`${file}.tmp-save`, file);
  return file;
}

const chain = (scale: number, extra = "") => `import { Noise, Gradient } from "vivid";
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(32, 32);
  noise.speed = 0;
  noise.scale = ${scale};
${extra}
  ctx.chain.output("noise");
}
`;

async function pixels(): Promise<Uint8Array> {
  engine.frame();
  return rgbaFloatToBytes((await engine.readOutput()).pixels);
}

beforeAll(async () => {
  gpu = await Gpu.open();
  dir = mkdtempSync(join(tmpdir(), "vivid-tx-"));
  save("chain.ts", chain(4));
  engine = new Engine(gpu, { projectDir: dir, chainFile: join(dir, "chain.ts"), width: 32, height: 32, fixedFps: 60 });
  const built = await engine.load();
  if (!built.ok) throw new Error(built.error.message);
});

afterAll(() => {
  engine.dispose();
  expect(gpu.census.live()).toBe(0);
  gpu.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe("reload transaction", () => {
  test("a param-only edit shows in the pixels and creates no GPU objects", async () => {
    const before = await pixels();
    const { entry, done } = await engine.reload(save("chain.ts", chain(9)));
    expect(entry.ok).toBe(true);
    expect(entry.created).toEqual({ shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 });
    expect(entry.released).toEqual({ shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 });
    // The old chain is released a few frames after the swap; the final entry counts that too.
    for (let i = 0; i < 3; i++) engine.frame();
    const final = await done;
    const after = await pixels();
    expect(diffImages(before, after).meanAbs).toBeGreaterThan(5);
    expect(final.ms).toBeGreaterThanOrEqual(entry.swapMs);
    expect(final.created).toEqual({ shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 });
    expect(final.released).toEqual({ shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 });
  });

  test("the same-named operator keeps its texture across a reload", async () => {
    const texture = engine.chain!.outputTexture;
    await engine.reload(save("chain.ts", chain(5)));
    expect(engine.chain!.outputTexture).toBe(texture);
  });

  const bad: Array<[string, string, RegExp, number]> = [
    ["a syntax error", chain(4).replace("noise.speed = 0;", "noise.speed = ;"), /Unexpected|expected/i, 4],
    ["a throw in setup", chain(4, '  throw new Error("nope");'), /nope/, 6],
    ["a type error at run time", chain(4, "  (undefined as any).x = 1;"), /undefined/, 6],
    ["an unknown operator", chain(4, '  ctx.chain.add(Blurr, "b");'), /Blurr/, 6],
    ["an unknown input name", chain(4, '  ctx.chain.add(Gradient, "g").input("nosie");'), /did you mean "noise"/, 6],
    ["a cycle", chain(4, '  ctx.chain.add(Gradient, "a").input("b");\n  ctx.chain.add(Gradient, "b").input("a");'), /cycle: /, 6],
    ["an output that is not there", chain(4).replace('ctx.chain.output("noise")', 'ctx.chain.output("nothing")'), /no operator named "nothing"/, 7],
    ["no output() call", chain(4).replace('  ctx.chain.output("noise");\n', ""), /setup\(\) must call chain\.output\("<name>"\)/, 3],
    [
      "an output that is a value operator (LFO)",
      chain(4, '  ctx.chain.add(LFO, "lfo");').replace("{ Noise, Gradient }", "{ Noise, Gradient, LFO }").replace('output("noise")', 'output("lfo")'),
      /chain\.output\("lfo"\): LFO outputs a value, not a texture/,
      7,
    ],
  ];
  for (const [what, text, message, line] of bad) {
    test(`${what}: the old chain keeps rendering, the error has file and line, fixing it recovers`, async () => {
      await engine.reload(save("chain.ts", chain(4)));
      const live = gpu.census.snapshot().kinds;
      const good = await pixels();
      const { entry } = await engine.reload(save("chain.ts", text));
      expect(entry.ok).toBe(false);
      expect(entry.error!.message).toMatch(message);
      expect(entry.error!.file).toBe(join(dir, "chain.ts"));
      expect(entry.error!.line).toBe(line);
      expect(entry.error!.column).toBeGreaterThan(0);
      expect(diffImages(good, await pixels()).maxAbs).toBe(0);
      const fixed = await engine.reload(save("chain.ts", chain(4)));
      expect(fixed.entry.ok).toBe(true);
      expect(gpu.census.snapshot().kinds).toEqual(expect.objectContaining({ texture: expect.objectContaining({ live: live.texture.live }), renderPipeline: expect.objectContaining({ live: live.renderPipeline.live }) }));
    });
  }

  test("a .wgsl edit recompiles only that shader's pipeline; a WGSL error keeps the last good one", async () => {
    const wgsl = (r: number) => `#import "common/fullscreen.wgsl"
struct Params {
  level: f32,  // @0
}
@group(0) @binding(0) var<uniform> params: Params;
@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  return vec4f(${r.toFixed(1)} * params.level, 0.0, 0.0, 1.0);
}
`;
    save("tint.wgsl", wgsl(1));
    const withTint = `import { Noise, ShaderOperator, defineOperator, float } from "vivid";
import { join } from "node:path";
class Tint extends ShaderOperator {
  static shader = join(import.meta.dir, "tint.wgsl");
  static params = { level: float(1, 0, 1) };
}
defineOperator(Tint);
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(32, 32).speed = 0;
  ctx.chain.add(Tint, "tint").resolution(16, 16);
  ctx.chain.output("tint");
}
`;
    const first = await engine.reload(save("chain.ts", withTint));
    expect(first.entry.ok).toBe(true);
    const red = await pixels();
    expect(red[0]).toBe(255);

    const edited = await engine.reload(save("tint.wgsl", wgsl(0.5)));
    expect(edited.entry.ok).toBe(true);
    expect((await pixels())[0]).toBe(128);
    for (let i = 0; i < 3; i++) engine.frame();
    const counts = await edited.done;
    expect(counts.created.shaderModules).toBe(1);
    expect(counts.created.pipelines).toBe(1);
    expect(counts.released.pipelines).toBe(1);
    expect(counts.released.shaderModules).toBe(1);
    expect(counts.created.textures).toBe(0);

    const broken = await engine.reload(save("tint.wgsl", wgsl(0.5).replace("return vec4f", "return vec5f")));
    expect(broken.entry.ok).toBe(false);
    expect(broken.entry.error!.file).toBe(join(dir, "tint.wgsl"));
    expect(broken.entry.error!.line).toBe(8);
    expect(broken.entry.error!.message).toMatch(/Tint "tint": WGSL: .*vec5f/);
    expect((await pixels())[0]).toBe(128);
  });
});
