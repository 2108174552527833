/**
 * Errors thrown from runtime code or without a stack are still located in the user's project:
 * an operator's missing input or unloadable image at its `chain.add`, and `throw null` (or any
 * value that is not an Error) at the `throw` that threw it. Real chain files, the real device.
 */
import { describe, expect, test } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { native, ownGpuAndFolder } from "../helpers/native.ts";
import type { ChainError } from "../../runtime/reload/errors.ts";
import type { ErrorPhase } from "../../runtime/engine.ts";

const { Engine } = native.engine;
// This file's own device, and a folder for its chain files.
const own = ownGpuAndFolder("vivid-located-");

/** 1-based line, column and text of the line holding the first `needle` in `text` (from the fixture). */
function positionOf(text: string, needle: string): { line: number; column: number; sourceLine: string } {
  const index = text.indexOf(needle);
  if (index === -1) throw new Error(`"${needle}" not in text`);
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1, sourceLine: text.split("\n")[before.length - 1]! };
}

/** Loads `text` as a chain; returns the build error, or runs frames and returns the first frame error. */
async function errorOf(name: string, text: string): Promise<{ error: ChainError; phase?: ErrorPhase; file: string }> {
  const file = join(own.dir, `${name}.ts`);
  writeFileSync(file, text);
  const engine = new Engine(own.gpu, { projectDir: own.dir, chainFile: file, width: 16, height: 16, fixedFps: 60 });
  const reported: Array<{ error: ChainError; phase: ErrorPhase }> = [];
  engine.onError = (error, phase) => reported.push({ error, phase });
  try {
    const built = await engine.load();
    if (!built.ok) return { error: built.error, file };
    for (let i = 0; i < 3 && reported.length === 0; i++) engine.frame();
    await own.gpu.idle();
    if (!reported[0]) throw new Error(`${name}: no error`);
    return { ...reported[0], file };
  } finally {
    engine.dispose();
  }
}

describe("located at the operator's chain.add", () => {
  test("a missing input", async () => {
    const text = `import { Noise, Blur } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise");
  const blur = ctx.chain.add(Blur, "blur");
  blur.radius = 2;
  ctx.chain.output("blur");
}
`;
    const { error, file } = await errorOf("missing-input", text);
    const at = positionOf(text, 'add(Blur, "blur")');
    expect(error).toEqual({ file, ...at, message: 'Blur "blur" needs a texture on input 0: call blur.input("<name>")' });
  });

  test("an image that does not load (its first cook)", async () => {
    const missing = join(own.dir, "nowhere.png");
    const text = `import { Image } from "vivid";
export function setup(ctx) {
  // the photo
  ctx.chain.add(Image, "photo").file = ${JSON.stringify(missing)};
  ctx.chain.output("photo");
}
`;
    const { error, file } = await errorOf("image", text);
    const at = positionOf(text, 'add(Image, "photo")');
    expect(error).toEqual({ file, ...at, message: `Image "photo": file not found: ${missing}` });
  });
});

describe("a thrown value that is not an Error is located at its throw", () => {
  test("throw null in setup", async () => {
    const text = `import { Noise } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise");
  if (ctx.width > 0) throw null;
  ctx.chain.output("noise");
}
`;
    const { error, file } = await errorOf("throw-null", text);
    expect(error).toEqual({ file, ...positionOf(text, "throw null"), message: 'threw null, not an Error (throw new Error("…") gives a message and a stack)' });
  });

  test("throw of an object literal in setup", async () => {
    const text = `export function setup(ctx) {
  const code = 3;
  throw { code };
}
`;
    const { error, file } = await errorOf("throw-object", text);
    expect(error).toEqual({ file, ...positionOf(text, "throw {"), message: 'threw {"code":3}, not an Error (throw new Error("…") gives a message and a stack)' });
  });

  test("throw of a string in update(), in a helper the chain imports", async () => {
    const helper = `// helper
export function check(frame) {
  if (frame >= 1) throw 'too late';
}
`;
    writeFileSync(join(own.dir, "helper.ts"), helper);
    const text = `import { Noise } from "vivid";
import { check } from "./helper.ts";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(8, 8);
  ctx.chain.output("noise");
}
export function update(ctx) {
  check(ctx.frame);
}
`;
    const { error, phase } = await errorOf("throw-string", text);
    expect(phase).toBe("update");
    expect(error).toEqual({ file: join(own.dir, "helper.ts"), ...positionOf(helper, "throw 'too late'"), message: "too late" });
  });
});
