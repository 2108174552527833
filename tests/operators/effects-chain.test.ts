import { describe, expect, test } from "vitest";
import * as operators from "../../operators/index.ts";
import {
  BarrelDistortion,
  Bloom,
  Blur,
  Brightness,
  ChromaticAberration,
  Composite,
  CRTEffect,
  Displace,
  Dither,
  Downsample,
  Edge,
  FilmGrain,
  Flash,
  HSV,
  Mirror,
  Pixelate,
  Quantize,
  Scanlines,
  Switch,
  Tile,
  Transform,
  Vignette,
} from "../../operators/index.ts";
import type { TextureOperator } from "../../runtime/chain/operator.ts";
import { createdSince, GPU_KINDS, PER_FRAME_KINDS } from "../../runtime/gpu/census.ts";
import { Gpu } from "../../runtime/gpu/gpu.ts";
import { rgbaFloatToBytes } from "../../runtime/snapshot.ts";
import { diffImages, engineFor, render } from "../helpers/render.ts";
import { colorSource, noiseSource, SIZE } from "./effect-cases.ts";

const EFFECTS = [Blur, HSV, Brightness, Transform, Mirror, Displace, Edge, Pixelate, Tile, ChromaticAberration, Bloom, Vignette, BarrelDistortion];
const RETRO = [Dither, Quantize, Scanlines, CRTEffect, Downsample, FilmGrain, Flash];

describe("every effect in one chain, 100 frames (real device)", () => {
  test("creates no GPU objects after warm-up and releases everything at dispose", async () => {
    // Its own device, so the counts are this chain's alone.
    const gpu = await Gpu.open();
    let flash: Flash | undefined;
    const engine = await engineFor(
      (ctx) => {
        const chain = ctx.chain;
        // An animated source, so every operator downstream cooks every frame.
        const noise = chain.add(operators.Noise, "noise").resolution(SIZE, SIZE);
        noise.speed = 2;
        colorSource(chain);
        let previous = "noise";
        for (const Type of [...EFFECTS, ...RETRO]) {
          const name = Type.name.toLowerCase();
          const op = chain.add(Type as typeof HSV, name).input(previous);
          if (Type === Displace) op.input("ramp", 1);
          previous = name;
        }
        flash = chain.get("flash", Flash);
        const comp = chain.add(Composite, "composite").input(previous).input("ramp", 1).input("noise", 2);
        comp.mode = "screen";
        chain.add(Switch, "switch").input("composite").input("ramp", 1).input("noise", 2).blend = 0.5;
        ctx.chain.output("switch");
      },
      { gpu },
    );
    // Every operator class this issue adds is in the chain.
    const inChain = new Set(engine.chain!.all().map((op) => op.typeName));
    for (const Type of [...EFFECTS, ...RETRO, Composite, Switch]) expect(inChain.has(Type.name)).toBe(true);

    const WARM_UP = 5;
    for (let i = 0; i < WARM_UP; i++) engine.frame();
    await gpu.idle();
    const afterWarmUp = gpu.census.snapshot();
    let cooked = 0;
    for (let i = WARM_UP; i < 100; i++) {
      if (i % 20 === 0) flash!.trigger();
      // Param edits are uniform writes, never new objects.
      engine.chain!.get("hsv", HSV).hueShift = (i % 10) / 10;
      engine.chain!.get("composite", Composite).mode = i % 2 ? "add" : "overlay";
      cooked += engine.frame();
    }
    await gpu.idle();
    const created = createdSince(afterWarmUp, gpu.census.snapshot());
    for (const kind of GPU_KINDS) {
      if (PER_FRAME_KINDS.has(kind)) continue;
      expect({ kind, created: created[kind] }).toEqual({ kind, created: 0 });
    }
    // Everything cooks every frame except the still gradient "ramp".
    const operatorCount = engine.chain!.all().length;
    expect(cooked).toBe(95 * (operatorCount - 1));
    // One pass per operator, except Blur (2: horizontal, vertical) and Bloom (6 at passes = 2:
    // threshold, 2 × horizontal + vertical, combine).
    const passesPerFrame = operatorCount - 1 - 2 + 2 + 6;
    expect(created.renderPass).toBe(95 * passesPerFrame);
    for (const kind of PER_FRAME_KINDS) expect(gpu.census.live(kind)).toBe(0);

    engine.dispose();
    expect(gpu.census.live()).toBe(0);
    expect(gpu.census.gpuBytes).toBe(0);
    gpu.destroy();
  });
});

describe("bypass in the middle of a chain", () => {
  test("toggling it reaches the operators downstream, even when nothing upstream moves", async () => {
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Blur, "blur").input(noiseSource(ctx.chain)).radius = 6;
      ctx.chain.add(Brightness, "out").input("blur");
      ctx.chain.output("out");
    });
    const noise = engine.chain!.get("noise") as TextureOperator;
    const gpu = engine.gpu;
    const source = rgbaFloatToBytes(await gpu.readTexture(noise.outputTexture!));
    const blurred = await render(engine, 2);
    expect(diffImages(blurred.rgba, source).maxAbs).toBeGreaterThan(8);

    engine.chain!.get("blur").bypass = true;
    // Brightness at its defaults is the identity up to 1/255 of rounding; a stale frame is the blurred one.
    const bypassed = await render(engine, 1);
    expect(diffImages(bypassed.rgba, source).maxAbs).toBeLessThanOrEqual(1);

    engine.chain!.get("blur").bypass = false;
    expect(diffImages((await render(engine, 1)).rgba, blurred.rgba).maxAbs).toBe(0);
    engine.dispose();
  });
});
