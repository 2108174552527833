/**
 * The 2D effect operators (filters, retro, compositing) as test cases: how to build each one on small
 * sources, which param change must change its pixels, and its row of the original's operator table
 * (the Param declarations of its operator headers, https://github.com/seethroughlab/vivid at
 * 58ba6cf), pasted as text and parsed, so the declaration is checked against the original's names,
 * defaults and ranges rather than against itself.
 */
import { expect, test } from "vitest";
import type { Chain } from "../../runtime/chain/chain.ts";
import { wgslFieldName, type Operator, type OperatorClass } from "../../runtime/chain/operator.ts";
import { isPixelShader } from "../../runtime/gpu/dispatch.ts";
import type { Gpu } from "../../runtime/gpu/gpu.ts";
import { uniformLayout, type ParamDecls } from "../../runtime/chain/params.ts";
import { loadShader, wgslStructFields } from "../../runtime/gpu/shaders.ts";
import { Gradient, Noise } from "../../operators/index.ts";
import type { TextureOperator } from "../../runtime/chain/operator.ts";
import { rgbaFloatToBytes } from "../../runtime/snapshot.ts";
import { compareGolden, diffImages, engineFor, render, sharedGpu } from "../helpers/render.ts";

/** Effect goldens are SIZE×SIZE, rendered FRAMES frames at 60 fps fixed time. */
export const SIZE = 48;
export const FRAMES = 3;
// Same tolerance as the generator goldens (tests/operators/generators.test.ts): lavapipe and hardware
// GPUs differ in the last bits of transcendental functions; a param change moves the mean by far more.
export const MEAN_TOLERANCE = 1.5;
export const MAX_TOLERANCE = 24;

export type Image = Awaited<ReturnType<typeof render>>;

/** Grey fBm, still (speed 0): structure for filters to act on. */
export function noiseSource(chain: Chain, name = "noise"): string {
  const noise = chain.add(Noise, name).resolution(SIZE, SIZE);
  noise.speed = 0;
  noise.scale = 5;
  return name;
}

/** Orange → blue diagonal ramp: colour for hue, dither and fringe effects. */
export function colorSource(chain: Chain, name = "ramp", mode: "linear" | "radial" = "linear"): string {
  const gradient = chain.add(Gradient, name).resolution(SIZE, SIZE);
  gradient.mode = mode;
  gradient.angle = 0.6;
  gradient.colorA = [1, 0.45, 0.05, 1];
  gradient.colorB = [0.05, 0.3, 1, 1];
  return name;
}

/** A small white dot on black in the middle (a radial gradient squeezed to a radius of ~5 px). */
export function dotSource(chain: Chain, name = "dot"): string {
  const gradient = chain.add(Gradient, name).resolution(SIZE, SIZE);
  gradient.mode = "radial";
  gradient.scale = 5;
  gradient.colorA = [1, 1, 1, 1];
  gradient.colorB = [0, 0, 0, 1];
  return name;
}

export interface EffectCase {
  /** Golden file name (tests/golden/<golden>.png). */
  golden: string;
  Type: OperatorClass;
  /** The original's Params cell for this operator, verbatim. */
  original: string;
  /** The original's mode enum (a method there, a choice param here): its values and default. */
  modes?: { param: string; values: string[]; default: string };
  /** Params whose declaration differs from the original's on purpose (the doc comment says why). */
  deviations?: Record<string, (info: { type: string; default: unknown; options?: readonly string[] }) => void>;
  /** Adds the sources and returns input names (input 0 first). */
  inputs: (chain: Chain) => string[];
  /** Params for the golden image. */
  configure?: (op: any) => void;
  /** A param change that must change the pixels. */
  change: (op: any) => void;
}

/** Whether `Type`'s shader (a ShaderOperator's, or Blur's) is written as `fn pixel(uv, coord)`. */
export function isPixelOperator(Type: OperatorClass): boolean {
  const shader = (Type as unknown as { shader?: string }).shader;
  return shader !== undefined && isPixelShader(loadShader(shader).code);
}

/** Builds sources → op "fx" → output, with `configure` applied. */
export function buildCase(c: EffectCase, extra?: (op: any) => void, gpu?: Gpu) {
  return engineFor(
    (ctx) => {
      const inputs = c.inputs(ctx.chain);
      const op = ctx.chain.add(c.Type, "fx");
      inputs.forEach((name, i) => op.input(name, i));
      c.configure?.(op);
      extra?.(op);
      ctx.chain.output("fx");
    },
    { gpu },
  );
}

interface OriginalParam {
  name: string;
  type: string;
  default: unknown;
  min?: number;
  max?: number;
}

/** Parses "`radius` float=5 [0–50]; `passes` int=1 [1–10]" (the notation of the pasted rows). */
export function parseOriginal(cell: string): OriginalParam[] {
  return cell.split(";").map((part) => {
    const match = /`(\w+)` (\w+)=(\([^)]*\)|\S+)(?: \[(-?[\d.]+)–(-?[\d.]+)\])?/.exec(part.trim());
    if (!match) throw new Error(`cannot parse "${part}"`);
    const [, name, type, raw, min, max] = match;
    const value = raw!.startsWith("(") ? raw!.slice(1, -1).split(",").map(Number) : raw === "true" ? true : raw === "false" ? false : Number(raw);
    return { name: name!, type: type!, default: value, min: min === undefined ? undefined : Number(min), max: max === undefined ? undefined : Number(max) };
  });
}

/** "Bayer4x4" → "bayer4x4", "Over" → "over": the original's enum names as our choice values. */
const choiceName = (value: string) => value[0]!.toLowerCase() + value.slice(1);

/** params() against the original's table: names, types, defaults, ranges; modes as choices. */
export function checkDeclaration(c: EffectCase): void {
  const ours = new Map(new c.Type("probe").params().map((p) => [p.name, p]));
  const expectedNames: string[] = [];
  for (const param of parseOriginal(c.original)) {
    expectedNames.push(param.name);
    const info = ours.get(param.name);
    expect(info, `${c.Type.name}.${param.name} is declared`).toBeDefined();
    const deviation = c.deviations?.[param.name];
    if (deviation) {
      deviation(info!);
      continue;
    }
    // The original's colour defaults are rgb; ours carry alpha 1.
    const expectedDefault = param.type === "color" && Array.isArray(param.default) && param.default.length === 3 ? [...param.default, 1] : param.default;
    expect({ name: param.name, type: info!.type, default: info!.default }).toEqual({ name: param.name, type: param.type, default: expectedDefault });
    if (param.min !== undefined) expect({ name: param.name, min: info!.min, max: info!.max }).toEqual({ name: param.name, min: param.min, max: param.max });
  }
  if (c.modes) {
    expectedNames.push(c.modes.param);
    const info = ours.get(c.modes.param)!;
    expect(info.type).toBe("enum");
    expect(info.options).toEqual(c.modes.values.map(choiceName));
    expect(info.default).toBe(choiceName(c.modes.default));
  }
  expect([...ours.keys()].sort()).toEqual(expectedNames.sort());
}

/** The shader's `struct Params` matches params + internals, and its `// @N` comments match the packing. */
export function checkStruct(Type: OperatorClass & { shader: string; internals?: ParamDecls }, structName = "Params", decls?: ParamDecls): void {
  const shader = loadShader(Type.shader);
  const fields = wgslStructFields(shader.code, structName)!;
  expect(fields, `struct ${structName} in ${Type.shader}`).toBeDefined();
  const entries = Object.entries(decls ?? { ...Type.params, ...(Type.internals ?? {}) });
  expect(fields.map((f) => f.name)).toEqual(entries.map(([name]) => wgslFieldName(name)));
  const layout = uniformLayout(entries);
  const body = new RegExp(`struct\\s+${structName}\\s*\\{([^}]*)\\}`).exec(shader.code)![1]!;
  const commented = [...body.matchAll(/^\s*(\w+):\s*[\w<>]+,\s*\/\/\s*@(\d+)/gm)].map((m) => [m[1], Number(m[2])]);
  expect(commented).toEqual(layout.fields.map((f) => [wgslFieldName(f.name), f.offset]));
}

/** Pixels that differ by more than 8/255 in any channel, as a fraction of all pixels. */
export function changedFraction(a: Image, b: Image): number {
  let changed = 0;
  for (let i = 0; i < a.rgba.length; i += 4) {
    if (Math.abs(a.rgba[i]! - b.rgba[i]!) > 8 || Math.abs(a.rgba[i + 1]! - b.rgba[i + 1]!) > 8 || Math.abs(a.rgba[i + 2]! - b.rgba[i + 2]!) > 8) changed++;
  }
  return changed / (a.rgba.length / 4);
}

/** The standard tests every effect gets: golden, declaration, struct, param change, bypass. */
export function effectTests(c: EffectCase): void {
  test(`${c.golden}: matches its golden image`, async () => {
    const engine = await buildCase(c);
    const image = await render(engine, FRAMES);
    engine.dispose();
    const diff = compareGolden(c.golden, image);
    expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
    expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
  });

  test(`${c.golden}: matches the same golden image through compute passes`, async () => {
    const gpu = await sharedGpu("compute");
    const before = gpu.census.snapshot().kinds;
    const engine = await buildCase(c, undefined, gpu);
    const image = await render(engine, FRAMES);
    engine.dispose();
    const after = gpu.census.snapshot().kinds;
    // The sources (Noise, Gradient) and a per-pixel operator ran as compute passes (a still chain cooks
    // once), and not one render pass.
    expect(after.computePass.created - before.computePass.created).toBeGreaterThanOrEqual(isPixelOperator(c.Type) ? 2 : 1);
    if (isPixelOperator(c.Type)) expect(after.renderPass.created - before.renderPass.created).toBe(0);
    const diff = compareGolden(c.golden, image);
    expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
    expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
    expect(gpu.census.live()).toBe(0);
  });

  test(`${c.golden}: a param change changes the pixels`, async () => {
    const engine = await buildCase(c);
    const before = await render(engine, FRAMES);
    c.change(engine.chain!.get("fx"));
    const after = await render(engine, 1);
    engine.dispose();
    expect(changedFraction(before, after)).toBeGreaterThan(0.02);
  });

  test(`${c.golden}: bypass shows input 0's pixels; un-bypassing shows the effect again`, async () => {
    const engine = await buildCase(c, (op: Operator) => (op.bypass = true));
    const bypassed = await render(engine, FRAMES);
    const gpu = await sharedGpu();
    const source = engine.chain!.get("fx").inputs[0] as TextureOperator;
    const input = rgbaFloatToBytes(await gpu.readTexture(source.outputTexture!));
    expect(diffImages(bypassed.rgba, input).maxAbs).toBe(0);
    engine.chain!.get("fx").bypass = false;
    const active = await render(engine, 1);
    engine.dispose();
    expect(changedFraction(bypassed, active)).toBeGreaterThan(0.02);
  });
}
