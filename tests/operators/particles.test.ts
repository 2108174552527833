import { afterAll, describe, expect, test } from "vitest";
import { EMITTER_SHAPES, Particles } from "../../operators/index.ts";
import type { Context } from "../../runtime/chain/context.ts";
import { createdSince } from "../../runtime/gpu/census.ts";
import { changedPixels, expectSteadyState } from "../helpers/draw.ts";
import { compareGolden, engineFor, render, sharedGpu, spread } from "../helpers/render.ts";

// Tolerances as generators.test.ts: lavapipe and hardware GPUs differ in the last bits.
const MEAN_TOLERANCE = 1.5;
const MAX_TOLERANCE = 24;

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
});

function fountain(ctx: Context, configure?: (p: Particles) => void): void {
  const particles = ctx.chain.add(Particles, "particles").resolution(64, 64);
  particles.emitter = "disc";
  particles.emitterSize = 0.05;
  particles.emitRate = 200;
  particles.velocity = [0, -0.4];
  particles.spread = 50;
  particles.size = 0.04;
  particles.sizeEnd = 0.01;
  particles.colorMode = "rainbow";
  configure?.(particles);
  ctx.chain.output("particles");
}

describe("Particles", () => {
  test("a fountain at frame 30 matches its golden image", async () => {
    const engine = await engineFor((ctx) => fountain(ctx));
    const image = await render(engine, 30);
    const particles = engine.chain!.get("particles", Particles);
    // 200/s for 29 simulated frames of 1/60 s (the build's first cook has dt 0).
    expect(particles.particleCount).toBe(Math.floor((200 * 29) / 60));
    engine.dispose();
    expect(spread(image.rgba)).toBeGreaterThan(10);
    const diff = compareGolden("particles-fountain", image);
    expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
    expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
  });

  test("the same seed gives the same frames; another seed, others", async () => {
    const run = async (seed: number) => {
      const engine = await engineFor((ctx) => fountain(ctx, (p) => (p.seed = seed)));
      const image = await render(engine, 20);
      engine.dispose();
      return image.rgba;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(changedPixels(a, await run(8))).toBeGreaterThan(20);
  });

  test("setters change the pixels: colour, gravity, emitter shape", async () => {
    const engine = await engineFor((ctx) => fountain(ctx, (p) => (p.colorMode = "solid")));
    const base = await render(engine, 20);
    const particles = engine.chain!.get("particles", Particles);
    particles.color = [0.1, 1, 0.2, 1];
    const recoloured = await render(engine, 1);
    expect(changedPixels(base.rgba, recoloured.rgba)).toBeGreaterThan(30);
    engine.dispose();

    const shapes: Uint8Array[] = [];
    for (const shape of EMITTER_SHAPES) {
      const e = await engineFor((ctx) =>
        fountain(ctx, (p) => {
          p.emitter = shape;
          p.emitterSize = 0.3;
          p.velocity = [0, 0];
          p.gravity = 0;
          p.colorMode = "solid";
          p.size = p.sizeEnd = 0.02;
        }),
      );
      shapes.push((await render(e, 15)).rgba);
      e.dispose();
    }
    // point vs line vs ring vs disc vs rectangle: each looks different from the next.
    for (let i = 1; i < shapes.length; i++) expect(changedPixels(shapes[i - 1]!, shapes[i]!)).toBeGreaterThan(10);
  });

  test("burst(n) releases n particles at once; maxParticles caps them", async () => {
    const engine = await engineFor((ctx) => {
      fountain(ctx, (p) => {
        p.emitRate = 0;
        p.maxParticles = 50;
      });
      ctx.chain.get("particles", Particles).burst(80);
    });
    const particles = engine.chain!.get("particles", Particles);
    expect(particles.particleCount).toBe(50);
    await render(engine, 1);
    expect(particles.particleCount).toBe(50);
    engine.dispose();
  });

  test("particles keep flying across a reload: same frames as without one, nothing created", async () => {
    const gpu = await sharedGpu();
    const setup = (ctx: Context) => fountain(ctx);
    const reloaded = await engineFor(setup);
    await render(reloaded, 20);
    const before = gpu.census.snapshot();
    const count = reloaded.chain!.get("particles", Particles).particleCount;
    const built = await reloaded.build({ setup });
    if (!built.ok) throw new Error(built.error.message);
    reloaded.swap(built.chain, { setup });
    const created = createdSince(before, gpu.census.snapshot());
    expect(created.buffer).toBe(0);
    expect(created.texture).toBe(0);
    expect(created.renderPipeline).toBe(0);
    expect(reloaded.chain!.get("particles", Particles).particleCount).toBeGreaterThanOrEqual(count);
    const afterReload = await render(reloaded, 10);
    reloaded.dispose();

    const straight = await engineFor(setup);
    const expected = await render(straight, 30);
    straight.dispose();
    expect(afterReload.rgba).toEqual(expected.rgba);
  });

  test("100 frames create no GPU objects after warm-up; dispose releases everything", async () => {
    const gpu = await sharedGpu();
    const engine = await engineFor((ctx) => fountain(ctx, (p) => (p.turbulence = 0.5)));
    await expectSteadyState(engine);
    engine.dispose();
    expect(gpu.census.live()).toBe(0);
  });
});
