/**
 * The recording's readback ring on the real GPU: a width whose rows need padding (100 px = 400 bytes,
 * copied at 512), pixels equal to what a snapshot reads, the ring's objects made once and counted
 * (nothing more over 30 frames), a full ring refusing a capture, and everything given back.
 */
import { describe, expect, test } from "vitest";
import { FrameReadback, READBACK_SLOTS } from "../../../runtime/gpu/frame-readback.ts";
import { PER_FRAME_KINDS } from "../../../runtime/gpu/census.ts";
import { rgbaFloatToBytes } from "../../../runtime/snapshot.ts";
import { Gradient } from "../../../operators/2d/gradient.ts";
import { engineWithUpdate } from "../../helpers/draw.ts";

describe("FrameReadback", () => {
  test("100×30 frames read back as the snapshot's bytes; made once, flat over 30 frames, released to nothing", async () => {
    const engine = await engineWithUpdate(
      (ctx) => {
        ctx.chain.add(Gradient, "g").resolution(100, 30);
        ctx.chain.output("g");
      },
      (ctx) => {
        ctx.chain.get<Gradient>("g").angle = ctx.frame * 0.2;
      },
    );
    const gpu = engine.gpu;
    const lasting = () => {
      const snapshot = gpu.census.snapshot();
      return Object.entries(snapshot.kinds).reduce((sum, [kind, count]) => sum + (PER_FRAME_KINDS.has(kind as never) ? 0 : count.live), 0);
    };
    engine.frame();
    await gpu.idle();
    const before = lasting();
    const readback = new FrameReadback(gpu, 100, 30);
    expect(readback.bytesPerRow).toBe(512);
    const made = lasting() - before;
    // The conversion's pipeline, layouts, module, sampler, uniform buffer and bind group come from
    // caches; the ring's own objects are one texture + view and one buffer per slot at least.
    expect(made).toBeGreaterThanOrEqual(2 + READBACK_SLOTS);
    expect(gpu.census.snapshot().owners.record?.live).toBeGreaterThanOrEqual(2 + READBACK_SLOTS);

    for (let i = 0; i < 30; i++) {
      let slot: number | undefined;
      engine.frame(performance.now(), (frame, output) => {
        slot = readback.capture(frame, output!);
      });
      expect(slot).toBeDefined();
      readback.submitted(slot!);
      const pixels = await readback.map(slot!);
      if (i % 10 === 9) {
        const expected = rgbaFloatToBytes(await engine.gpu.readTexture(engine.chain!.outputTexture!), true);
        expect(pixels.length).toBe(100 * 30 * 4);
        expect(Buffer.from(pixels).equals(Buffer.from(expected)), `frame ${i}`).toBe(true);
      }
      readback.release(slot!);
    }
    await gpu.idle();
    // The bind group for the output (made at the first capture) is the only object added by frames.
    expect(lasting() - before).toBeLessThanOrEqual(made + 1);

    // Every slot captured and not yet mapped: the next capture is refused (a live recording drops it).
    const taken: number[] = [];
    for (let i = 0; i <= READBACK_SLOTS; i++) {
      engine.frame(performance.now(), (frame, output) => {
        const slot = readback.capture(frame, output!);
        if (slot !== undefined) taken.push(slot);
      });
    }
    expect(taken).toHaveLength(READBACK_SLOTS);
    expect(readback.freeSlots).toBe(0);
    let woke = false;
    const free = readback.whenFree().then(() => (woke = true));
    for (const slot of taken) readback.submitted(slot);
    await Promise.resolve();
    expect(woke).toBe(false);
    readback.release(taken[0]!);
    await free;
    expect(woke).toBe(true);

    readback.dispose();
    await gpu.idle();
    expect(lasting()).toBe(before);
    expect(gpu.census.snapshot().owners.record?.live ?? 0).toBe(0);
    engine.dispose();
  });
});
