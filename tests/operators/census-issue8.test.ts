import { describe, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Feedback, FrameCache, Image, LFO, Logic, MathOp, Ramp, Shape, TimeMachine } from "../../operators/index.ts";
import { GPU_KINDS, PER_FRAME_KINDS, createdSince } from "../../runtime/gpu/census.ts";
import { encodePng } from "../../runtime/snapshot.ts";
import { engineFor, sharedGpu } from "../helpers/render.ts";

describe("Ramp, Shape, Image, Feedback, FrameCache, TimeMachine, LFO, MathOp, Logic over 100 frames", () => {
  test("create no GPU objects per frame after warm-up (bindings changing params every frame) and release everything", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vivid-census-"));
    const file = join(dir, "card.png");
    writeFileSync(file, encodePng(8, 8, new Uint8Array(8 * 8 * 4).map((_, i) => (i * 37) & 255)));
    const gpu = await sharedGpu();
    const engine = await engineFor((ctx) => {
      const lfo = ctx.chain.add(LFO, "lfo");
      lfo.frequency = 3;
      const math = ctx.chain.add(MathOp, "math");
      math.operation = "remap";
      math.outMin = 0.1;
      math.outMax = 0.6;
      math.bindDirect("inputA", () => lfo.value);
      const logic = ctx.chain.add(Logic, "logic");
      logic.bindDirect("inputA", () => lfo.value);
      logic.inputB = 0.5;
      ctx.chain.add(Ramp, "ramp").resolution(32, 32);
      const shape = ctx.chain.add(Shape, "shape").resolution(32, 32);
      shape.bindDirect("size", () => [math.value, math.value]);
      shape.bind("rotation", () => lfo.value);
      shape.bindDirect("type", () => (logic.result ? "star" : "polygon"));
      ctx.chain.add(Image, "image").file = file;
      const feedback = ctx.chain.add(Feedback, "feedback").input("shape");
      feedback.zoom = 1.02;
      ctx.chain.add(FrameCache, "cache").input("feedback").frameCount = 8;
      ctx.chain.add(TimeMachine, "tm").cache("cache").displacementMap("ramp");
      ctx.chain.output("tm");
    });

    const WARM_UP = 5;
    for (let i = 0; i < WARM_UP; i++) engine.frame();
    await gpu.idle();
    const afterWarmUp = gpu.census.snapshot();
    for (let i = WARM_UP; i < 100; i++) engine.frame();
    await gpu.idle();
    const created = createdSince(afterWarmUp, gpu.census.snapshot());
    for (const kind of GPU_KINDS) {
      if (PER_FRAME_KINDS.has(kind)) continue;
      expect({ kind, created: created[kind] }).toEqual({ kind, created: 0 });
    }
    expect(created.commandEncoder).toBe(95);
    // Value operators hold nothing; Image holds one texture (and its view).
    for (const name of ["lfo", "math", "logic"]) expect(engine.chain!.get(name).scope.size).toBe(0);
    expect(gpu.census.snapshot().owners.image?.live).toBe(2);

    engine.dispose();
    for (const kind of PER_FRAME_KINDS) expect(gpu.census.live(kind)).toBe(0);
    expect(gpu.census.live()).toBe(0);
    expect(gpu.census.gpuBytes).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});
