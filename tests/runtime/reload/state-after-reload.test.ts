import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { native } from "../../helpers/native.ts";
import { REPO, diffImages } from "../../helpers/render.ts";
import { encodePng, rgbaFloatToBytes } from "../../../runtime/snapshot.ts";
import type { Engine as EngineType } from "../../../runtime/engine.ts";
import type { Gpu as GpuType, TextureHandle } from "../../../runtime/gpu/gpu.ts";

// A reload must not change what the user sees: for each operator that carries state over a reload,
// and for the examples that promise it, the pixels after "N frames, save, M frames" are compared with
// "N + M frames, no save" at the same fixed frame rate. Each test also checks that the reference run
// shows what the chain is meant to show (a trail, cached frames, flying particles…), so two equally
// wrong runs (both black) do not pass. The chain files are real files, saved the way editors save,
// loaded and reloaded by the real Engine on the real device.
const { Engine } = native.engine;
const { Gpu } = native.gpu;

const FPS = 60;
let gpu: GpuType;

beforeAll(async () => {
  gpu = await Gpu.open();
});

afterAll(() => {
  expect(gpu.census.live()).toBe(0);
  gpu.destroy();
});

/** Writes `text` to `file` through a temporary file and a rename, as editors save. */
function save(file: string, text: string): void {
  writeFileSync(`${file}.tmp-save`, text);
  renameSync(`${file}.tmp-save`, file);
}

interface RunResult<P> {
  width: number;
  height: number;
  /** The output, RGBA floats. */
  pixels: Float32Array;
  /** The output as 8-bit RGBA. */
  rgba: Uint8Array;
  /** Whatever `probe` read from the engine after the last frame. */
  probe: P;
}

interface RunOptions<P> {
  /** A folder to copy as the project (an example); otherwise a fresh folder holding `text` as chain.ts. */
  from?: string;
  text?: string;
  width?: number;
  height?: number;
  frames: number;
  /** Saves chain.ts again (with a comment added) before this frame. */
  reloadBefore?: number;
  /** What that save writes instead: a broken edit, whose reload must fail. */
  failingEdit?: string;
  probe?: (engine: EngineType) => P | Promise<P>;
}

/** One run of a chain at FPS fixed frames per second; the engine is disposed before it returns. */
async function run<P = undefined>(options: RunOptions<P>): Promise<RunResult<P>> {
  const dir = mkdtempSync(join(tmpdir(), "vivid-state-after-reload-"));
  const file = join(dir, "chain.ts");
  if (options.from) cpSync(options.from, dir, { recursive: true });
  else save(file, options.text!);
  const text = readFileSync(file, "utf8");
  const engine = new Engine(gpu, { projectDir: dir, chainFile: file, width: options.width ?? 64, height: options.height ?? 64, fixedFps: FPS });
  try {
    const loaded = await engine.load();
    if (!loaded.ok) throw new Error(loaded.error.message);
    for (let i = 0; i < options.frames; i++) {
      if (i === options.reloadBefore) {
        save(file, options.failingEdit ?? `${text}\n// saved again\n`);
        const { entry } = await engine.reload(file);
        expect(entry.ok, entry.error?.message).toBe(options.failingEdit === undefined);
      }
      engine.frame();
    }
    const { width, height, pixels } = await engine.readOutput();
    const probe = (await options.probe?.(engine)) as P;
    return { width, height, pixels, rgba: rgbaFloatToBytes(pixels), probe };
  } finally {
    engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same chain run N + M frames twice: saved again after N frames, and not saved at all. */
async function bothWays<P = undefined>(options: Omit<RunOptions<P>, "frames" | "reloadBefore"> & { before: number; after: number }) {
  const frames = options.before + options.after;
  const reloaded = await run({ ...options, frames, reloadBefore: options.before });
  const reference = await run({ ...options, frames });
  const diff = diffImages(reloaded.rgba, reference.rgba);
  return { reloaded, reference, diff };
}

/**
 * The chain `text` run both ways (20 frames, save, 10 frames; and 30 frames), reading the number
 * `count` of operator `name` after the last frame. The reference run's number must pass `reference`
 * and more than `minLit` of its pixels must be lit; the reloaded run must end with the same number
 * and the same pixels.
 */
async function expectCountKept(text: string, check: { name: string; count: string; reference: (value: number) => void; minLit: number }): Promise<void> {
  const probe = (engine: EngineType) => (engine.chain!.get(check.name) as unknown as Record<string, number>)[check.count];
  const { reloaded, reference, diff } = await bothWays({ text, before: 20, after: 10, probe });
  check.reference(reference.probe);
  expect(litPixels(reference.pixels)).toBeGreaterThan(check.minLit);
  expect(reloaded.probe).toBe(reference.probe);
  expect(diff.maxAbs).toBe(0);
}

/** The texture of operator `name`, read back as RGBA floats. */
async function readOperator(engine: EngineType, name: string): Promise<Float32Array> {
  const op = engine.chain!.get(name) as unknown as { outputTexture: TextureHandle };
  return engine.gpu.readTexture(op.outputTexture);
}

/** The red of pixel (x, y). */
function redAt(image: { width: number; pixels: Float32Array }, x: number, y: number): number {
  return image.pixels[(y * image.width + x) * 4]!;
}

/** Pixels whose red, green or blue is above `level` (0..1). */
function litPixels(pixels: Float32Array, level = 0.02): number {
  let count = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! > level || pixels[i + 1]! > level || pixels[i + 2]! > level) count++;
  return count;
}

/**
 * The trail of a Feedback: the pixels lit in its output where its input is dark (the shape has
 * moved on, its decayed copies remain), and the brightest of them.
 */
function trail(output: Float32Array, input: Float32Array): { pixels: number; brightest: number } {
  let pixels = 0;
  let brightest = 0;
  for (let i = 0; i < output.length; i += 4) {
    if (input[i]! > 0.01 || output[i]! <= 0.02) continue;
    pixels++;
    brightest = Math.max(brightest, output[i]!);
  }
  return { pixels, brightest };
}

describe("operator state after a reload equals the state had there been no reload", () => {
  test("Feedback: the trail behind a moving dot", async () => {
    const text = `import { Feedback, Shape } from "vivid";
export function setup(ctx) {
  const dot = ctx.chain.add(Shape, "dot").resolution(64, 64);
  dot.size = [0.12, 0.12];
  dot.color = [1, 1, 1, 1];
  dot.bindDirect("position", () => [0.5 + 0.3 * Math.cos(ctx.time * 8), 0.5 + 0.3 * Math.sin(ctx.time * 8)]);
  const trail = ctx.chain.add(Feedback, "trail").input("dot");
  trail.decay = 0.9;
  trail.mix = 0.4;
  trail.zoom = 1.01;
  ctx.chain.output("trail");
}
`;
    const { reloaded, reference, diff } = await bothWays({ text, before: 20, after: 10, probe: (engine) => readOperator(engine, "dot") });
    // What the user expects: the dot is drawn, and behind it a trail that fades (lit, but dimmer than the dot).
    const dot = litPixels(reference.probe);
    const behind = trail(reference.pixels, reference.probe);
    expect(dot).toBeGreaterThan(20);
    expect(behind.pixels).toBeGreaterThan(dot);
    expect(behind.brightest).toBeGreaterThan(0.2);
    expect(behind.brightest).toBeLessThan(0.95);
    expect(diff.maxAbs).toBe(0);
  });

  test("FrameCache and TimeMachine: the cached frames and the write position", async () => {
    // The input's red is 1.5 × time; TimeMachine without a map shows the newest frame in the top row
    // and, in row y, the frame (y + 0.5) / 32 × 15 frames older (16 cached frames, blended between two).
    const text = `import { FrameCache, SolidColor, TimeMachine } from "vivid";
export function setup(ctx) {
  ctx.chain.add(SolidColor, "src").resolution(32, 32).bindDirect("color", () => [1.5 * ctx.time, 0, 0, 1]);
  ctx.chain.add(FrameCache, "cache").input("src").frameCount = 16;
  ctx.chain.add(TimeMachine, "tm").cache("cache");
  ctx.chain.output("tm");
}
`;
    const before = 20;
    const after = 10;
    const { reloaded, reference, diff } = await bothWays({ text, before, after });
    const last = (before + after - 1) / FPS;
    for (const image of [reference, reloaded]) {
      for (const y of [0, 10, 31]) {
        const age = ((y + 0.5) / 32) * 15;
        expect(redAt(image, 5, y), `row ${y}`).toBeCloseTo(1.5 * (last - age / FPS), 2);
      }
    }
    expect(diff.maxAbs).toBe(0);
  });

  test("Particles: the simulation, its random stream and the emitter moved by update()", async () => {
    const text = `import { Particles } from "vivid";
export function setup(ctx) {
  const p = ctx.chain.add(Particles, "p").resolution(64, 64);
  p.emitter = "disc";
  p.emitterSize = 0.05;
  p.emitRate = 120;
  p.velocity = [0, -0.3];
  p.spread = 60;
  p.velocityVariation = 0.3;
  p.turbulence = 0.5;
  p.life = 2;
  p.size = 0.03;
  p.color = [1, 0.6, 0.2, 1];
  p.fadeOut = false;
  p.seed = 7;
  ctx.chain.output("p");
}
export function update(ctx) {
  ctx.chain.get("p").position = [0.5 + 0.3 * Math.cos(ctx.time * 3), 0.8];
}
`;
    // 120 a second over the 29 / 60 s from the first frame to the last; none is old enough to die.
    await expectCountKept(text, { name: "p", count: "particleCount", reference: (particles) => expect(particles).toBe(58), minLit: 100 });
  });

  test("Plexus (3D): the drifting nodes and the camera's rotation", async () => {
    const text = `import { Plexus } from "vivid";
export function setup(ctx) {
  const plexus = ctx.chain.add(Plexus, "plexus").resolution(64, 64);
  plexus.nodeCount = 60;
  plexus.connectionDistance = 0.3;
  plexus.nodeSize = 0.03;
  plexus.turbulence = 0.5;
  plexus.enable3D = true;
  plexus.autoRotate = 1;
  ctx.chain.output("plexus");
}
`;
    await expectCountKept(text, { name: "plexus", count: "connectionCount", reference: (connections) => expect(connections).toBeGreaterThan(20), minLit: 200 });
  });

  test("PointSprites (animated): the phase of its wobble", async () => {
    // Big dots wobbling fast, so a phase one frame off moves their edges by pixels.
    const text = `import { PointSprites } from "vivid";
export function setup(ctx) {
  const dots = ctx.chain.add(PointSprites, "dots").resolution(64, 64);
  dots.count = 9;
  dots.size = 0.08;
  dots.color = [0.3, 0.9, 0.5, 1];
  dots.animate = true;
  dots.animateSpeed = 20;
  ctx.chain.output("dots");
}
`;
    const { reloaded, reference, diff } = await bothWays({ text, before: 20, after: 10 });
    // Nine dots of radius ~5 px: some hundreds of lit pixels, in their colour.
    expect(litPixels(reference.pixels, 0.5)).toBeGreaterThan(300);
    expect(Math.max(...reference.pixels.filter((_, i) => i % 4 === 1))).toBeCloseTo(0.9, 2);
    expect(litPixels(reloaded.pixels, 0.5)).toBe(litPixels(reference.pixels, 0.5));
    expect(diff.maxAbs).toBe(0);
  });

  test("Flash: a fade triggered before the reload goes on fading", async () => {
    // Triggered at t = 0.25 s over black; at 60 fps it fades by decay per frame: 0.9^(frames since).
    const text = `import { Flash, SolidColor } from "vivid";
export function setup(ctx) {
  ctx.chain.add(SolidColor, "black").resolution(8, 8).color = [0, 0, 0, 1];
  const flash = ctx.chain.add(Flash, "flash").input("black");
  flash.decay = 0.9;
  ctx.chain.output("flash");
}
export function update(ctx) {
  if (ctx.frame === 15) ctx.chain.get("flash").trigger();
}
`;
    const before = 20;
    const after = 10;
    const { reloaded, reference, diff } = await bothWays({ text, before, after });
    const expected = 0.9 ** (before + after - 1 - 15);
    expect(redAt(reference, 4, 4)).toBeCloseTo(expected, 2);
    expect(redAt(reloaded, 4, 4)).toBeCloseTo(expected, 2);
    expect(diff.maxAbs).toBe(0);
  });

  test("LFO: its phase, read through a binding", async () => {
    const text = `import { LFO, SolidColor } from "vivid";
export function setup(ctx) {
  const lfo = ctx.chain.add(LFO, "lfo");
  lfo.frequency = 1.3;
  ctx.chain.add(SolidColor, "out").resolution(8, 8).bindDirect("color", () => [lfo.value, 0, 0, 1]);
  ctx.chain.output("out");
}
`;
    const before = 20;
    const after = 10;
    const { reloaded, reference, diff } = await bothWays({ text, before, after });
    const last = (before + after - 1) / FPS;
    const expected = 0.5 + 0.5 * Math.sin(2 * Math.PI * 1.3 * last);
    expect(redAt(reference, 4, 4)).toBeCloseTo(expected, 2);
    expect(redAt(reloaded, 4, 4)).toBeCloseTo(expected, 2);
    expect(diff.maxAbs).toBe(0);
  });

  test("Noise with speed: the time it is animated by", async () => {
    const noise = (speed: number, z: number) => `import { Noise } from "vivid";
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(32, 32);
  noise.scale = 3;
  noise.speed = ${speed};
  noise.offset = [0, 0, ${z}];
  ctx.chain.output("noise");
}
`;
    const before = 20;
    const after = 10;
    const { reloaded, reference, diff } = await bothWays({ text: noise(2, 0), before, after });
    // Moving through z at `speed` is the still noise at offset z = speed × time.
    const still = await run({ text: noise(0, 2 * ((before + after - 1) / FPS)), frames: 1 });
    expect(diffImages(reference.rgba, still.rgba).maxAbs).toBeLessThanOrEqual(2);
    expect(diff.maxAbs).toBe(0);
  });
});

describe("a reload that fails", () => {
  test("leaves the running chain's params in force, though the failed build wrote their (shared) uniform buffers", async () => {
    // The edit sets b.brightness, which b's first cook uploads into the buffer the pool shares with
    // the running b; then "late" throws in the same first cook, so the build fails and the old chain
    // carries on. Its b cooks every frame (after the moving noise) and must still add 0, not 0.5.
    const chain = (brightness: number, broken: string) => `import { Brightness, Noise } from "vivid";
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(32, 32);
  noise.speed = 2;
  ctx.chain.add(Brightness, "b").input("noise").brightness = ${brightness};
  ${broken}
}
`;
    const text = chain(0, `ctx.chain.output("b");`);
    const failingEdit = chain(0.5, `ctx.chain.add(Brightness, "late").input("b").bindDirect("brightness", () => { throw new Error("a typo in a binding"); });
  ctx.chain.output("late");`);
    const probe = (engine: EngineType) => readOperator(engine, "noise");
    const { reloaded, reference, diff } = await bothWays({ text, failingEdit, before: 10, after: 5, probe });
    // Brightness 0 passes its input through: the output is the noise (to a rounding).
    expect(diffImages(rgbaFloatToBytes(reference.probe), reference.rgba).maxAbs).toBeLessThanOrEqual(1);
    expect(diffImages(rgbaFloatToBytes(reloaded.probe), reloaded.rgba).maxAbs).toBeLessThanOrEqual(1);
    expect(diff.maxAbs).toBe(0);
  });

  test("leaves the running chain's meshes as they were, though the failed build uploaded its own into the pooled buffers", async () => {
    // A new radius keeps the vertex count, so the failed build's Sphere got the running one's buffers
    // from the pool and wrote its bigger mesh into them; the running Render3D redraws every frame
    // (the camera orbits) and must still show the small ball.
    const chain = (radius: number, broken: string) => `import { Brightness, CameraOperator, Render3D, Sphere } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Sphere, "ball").radius = ${radius};
  ctx.chain.add(CameraOperator, "camera").distance = 4;
  const render = ctx.chain.add(Render3D, "render").resolution(64, 64);
  render.input("ball").camera("camera");
  render.color = [1, 0, 0, 1];
  render.shadingMode = "unlit";
  ${broken}
}
export function update(ctx) {
  ctx.chain.get("camera").azimuth = ctx.time;
}
`;
    const text = chain(0.5, `ctx.chain.output("render");`);
    const failingEdit = chain(0.9, `ctx.chain.add(Brightness, "late").input("render").bindDirect("brightness", () => { throw new Error("a typo in a binding"); });\n  ctx.chain.output("late");`);
    const { reloaded, reference, diff } = await bothWays({ text, failingEdit, before: 10, after: 5 });
    // A ball of radius 0.5 at distance 4 under the camera's default 45° field of view: a red disc of
    // radius 64 / 2 × 0.5 / (4 × tan 22.5°) ≈ 9.7 px, ~290 px in all (radius 0.9: ~950).
    const red = (p: Float32Array) => litPixels(p, 0.5);
    expect(red(reference.pixels)).toBeGreaterThan(250);
    expect(red(reference.pixels)).toBeLessThan(330);
    expect(red(reloaded.pixels)).toBe(red(reference.pixels));
    expect(diff.maxAbs).toBe(0);
  });

  test("leaves the running chain's image as it was, though the failed build uploaded another into the pooled texture", async () => {
    const assets = mkdtempSync(join(tmpdir(), "vivid-state-after-reload-assets-"));
    try {
      const a = join(assets, "a.png");
      const b = join(assets, "b.png");
      const ramp = new Uint8Array(16 * 8 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 7) & 255));
      writeFileSync(a, encodePng(16, 8, ramp));
      writeFileSync(b, encodePng(16, 8, ramp.map((v, i) => (i % 4 === 3 ? 255 : 255 - v))));
      const chain = (file: string, broken: string) => `import { Brightness, Image } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Image, "image").file = ${JSON.stringify(file)};
  ${broken}
}
`;
      const text = chain(a, `ctx.chain.output("image");`);
      const failingEdit = chain(b, `ctx.chain.add(Brightness, "late").input("image").bindDirect("brightness", () => { throw new Error("a typo in a binding"); });\n  ctx.chain.output("late");`);
      const { reloaded, reference, diff } = await bothWays({ text, failingEdit, before: 3, after: 3 });
      expect(diffImages(reference.rgba, ramp).maxAbs).toBe(0);
      expect(diffImages(reloaded.rgba, ramp).maxAbs).toBe(0);
      expect(diff.maxAbs).toBe(0);
    } finally {
      rmSync(assets, { recursive: true, force: true });
    }
  });
});

describe("the examples look the same a second after a reload as without one", () => {
  const example = (name: string) => resolve(REPO, "examples", name);
  // Their declared size; a reload after 10 frames, then one second.
  const sized = { width: 1280, height: 720, before: 10, after: FPS };

  test("feedback: the star's trail", async () => {
    const { reloaded, reference, diff } = await bothWays({ ...sized, from: example("feedback"), probe: (engine) => readOperator(engine, "star") });
    const star = litPixels(reference.probe);
    const behind = trail(reference.pixels, reference.probe);
    expect(star).toBeGreaterThan(1000);
    expect(behind.pixels).toBeGreaterThan(star);
    expect(behind.brightest).toBeGreaterThan(0.2);
    expect(behind.brightest).toBeLessThan(0.95);
    expect(diff.maxAbs).toBe(0);
    expect(reloaded.width).toBe(1280);
  }, 120_000);

  test("particles: fire, fountain and ring keep flying", async () => {
    const probe = (engine: EngineType) => ["fire", "fountain", "ring"].map((name) => (engine.chain!.get(name) as unknown as { particleCount: number }).particleCount);
    const { reloaded, reference, diff } = await bothWays({ ...sized, from: example("particles"), probe });
    // The fire emits 100 a second, each living 1.5 s ± 30 %: after 70 frames (1.15 s) over 100 are alive.
    expect(reference.probe[0]).toBeGreaterThan(100);
    expect(litPixels(reference.pixels, 0.1)).toBeGreaterThan(2000);
    expect(reloaded.probe).toEqual(reference.probe);
    expect(diff.maxAbs).toBe(0);
  }, 120_000);

  test("lighting-test: the lit scene with the orbiting camera and spot light", async () => {
    const { reloaded, reference, diff } = await bothWays({ ...sized, from: example("lighting-test") });
    // The scene is drawn over the background colour, and the red and blue point lights each tint some of it.
    const background = [0.1, 0.1, 0.15];
    let scene = 0;
    let reddish = 0;
    let bluish = 0;
    const p = reference.pixels;
    for (let i = 0; i < p.length; i += 4) {
      if (Math.abs(p[i]! - background[0]!) + Math.abs(p[i + 1]! - background[1]!) + Math.abs(p[i + 2]! - background[2]!) > 0.05) scene++;
      if (p[i]! > 2 * p[i + 2]! && p[i]! > 0.3) reddish++;
      if (p[i + 2]! > 2 * p[i]! && p[i + 2]! > 0.3) bluish++;
    }
    expect(scene).toBeGreaterThan(0.2 * 1280 * 720);
    expect(reddish).toBeGreaterThan(10_000);
    expect(bluish).toBeGreaterThan(10_000);
    expect(diff.maxAbs).toBe(0);
    expect(reloaded.width).toBe(1280);
  }, 120_000);
});
