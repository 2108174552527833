import { afterAll, describe, expect, test } from "vitest";
import { Canvas } from "../../operators/index.ts";
import { defaultFont } from "../../operators/2d/canvas-text.ts";
import type { Context } from "../../runtime/chain/context.ts";
import { createdSince } from "../../runtime/gpu/census.ts";
import { changedPixels, engineWithUpdate, expectSteadyState, pixelsDiffering } from "../helpers/draw.ts";
import { compareGolden, engineFor, render, sharedGpu } from "../helpers/render.ts";

const MEAN_TOLERANCE = 1.5;
const MAX_TOLERANCE = 24;

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
});

const canvasOf = (ctx: Context) => ctx.chain.get("canvas", Canvas);

function addCanvas(ctx: Context, draw?: (c: Canvas) => void): void {
  const canvas = ctx.chain.add(Canvas, "canvas").resolution(64, 64);
  ctx.chain.output("canvas");
  draw?.(canvas);
}

/** A bit of everything: shapes, paths, a gradient, transforms, text and a cleared hole. */
function scene(c: Canvas): void {
  c.clear([0.1, 0.1, 0.2, 1]);
  c.fillStyle = "#ff0000";
  c.fillRect(4, 4, 20, 12);
  c.strokeStyle = "white";
  c.lineWidth = 2;
  c.strokeRect(30, 4, 14, 12);
  c.beginPath();
  c.moveTo(48, 16);
  c.lineTo(55, 4);
  c.lineTo(62, 16);
  c.closePath();
  c.fillStyle = [0, 1, 0.4, 1];
  c.fill();
  const gradient = c.createLinearGradient(4, 0, 28, 0);
  gradient.addColorStop(0, "yellow");
  gradient.addColorStop(1, "blue");
  c.fillStyle = gradient;
  c.fillCircle(16, 30, 10);
  c.beginPath();
  c.arc(42, 30, 8, 0, Math.PI * 1.5);
  c.strokeStyle = "orange";
  c.lineWidth = 3;
  c.lineCap = "round";
  c.stroke();
  c.save();
  c.translate(56, 30);
  c.rotate(0.6);
  c.fillStyle = "magenta";
  c.fillRect(-4, -4, 8, 8);
  c.restore();
  c.fillStyle = "white";
  c.font = "14px Roboto Mono";
  c.fillText("Hi%8", 4, 58);
  c.clearRect(50, 46, 8, 8);
}

describe("Canvas", () => {
  test("a scene of shapes, gradient, transforms and text matches its golden image", async () => {
    const engine = await engineFor((ctx) => addCanvas(ctx, scene));
    const image = await render(engine, 1);
    engine.dispose();
    const diff = compareGolden("canvas-scene", image);
    expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
    expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
  });

  test("fillRect: inside is exactly the fill colour, outside exactly the clear colour", async () => {
    const fill = [1, 0.5, 0.25, 1];
    const clear = [0, 0.25, 0.5, 1];
    const engine = await engineFor((ctx) =>
      addCanvas(ctx, (c) => {
        c.clearColor = clear;
        c.fillStyle = fill;
        c.fillRect(10, 20, 30, 12);
      }),
    );
    const image = await render(engine, 1);
    engine.dispose();
    const bytes = (rgba: number[]) => rgba.map((v) => Math.round(v * 255));
    let wrong = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const inside = x >= 10 && x < 40 && y >= 20 && y < 32;
        const expected = bytes(inside ? fill : clear);
        const o = (y * 64 + x) * 4;
        if (expected.some((v, c) => image.rgba[o + c] !== v)) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  test("fillText renders pixels inside its measured box and none outside", async () => {
    let box = { left: 0, top: 0, right: 0, bottom: 0 };
    const engine = await engineFor((ctx) =>
      addCanvas(ctx, (c) => {
        c.clearColor = "black";
        c.fillStyle = "white";
        c.font = "20px Roboto Mono";
        const m = c.measureText("Ag");
        expect(m.width).toBeCloseTo(2 * 0.6 * 20, 0); // Roboto Mono advances are 0.6 em
        box = { left: 8 - m.actualBoundingBoxLeft, right: 8 + m.actualBoundingBoxRight, top: 40 - m.actualBoundingBoxAscent, bottom: 40 + m.actualBoundingBoxDescent };
        c.fillText("Ag", 8, 40);
      }),
    );
    const image = await render(engine, 1);
    engine.dispose();
    const x0 = Math.floor(box.left);
    const y0 = Math.floor(box.top);
    const x1 = Math.ceil(box.right);
    const y1 = Math.ceil(box.bottom);
    const inside = pixelsDiffering(image, [0, 0, 0], x0, y0, x1 - x0, y1 - y0);
    expect(inside).toBeGreaterThan(30);
    expect(pixelsDiffering(image, [0, 0, 0])).toBe(inside);
    // The descender of "g" goes below the baseline, the cap of "A" well above it.
    expect(pixelsDiffering(image, [0, 0, 0], 0, 41, 64, 23)).toBeGreaterThan(0);
    expect(pixelsDiffering(image, [0, 0, 0], 0, 0, 64, 30)).toBeGreaterThan(0);
  });

  test("textAlign center and textBaseline middle centre the text on its anchor", async () => {
    const engine = await engineFor((ctx) =>
      addCanvas(ctx, (c) => {
        c.clearColor = "black";
        c.fillStyle = "white";
        c.font = "16px Roboto Mono";
        c.textAlign = "center";
        c.textBaseline = "middle";
        c.fillText("HH", 32, 32);
      }),
    );
    const image = await render(engine, 1);
    engine.dispose();
    // The lit pixels' box is centred on (32, 32) within a pixel (edges are not anti-aliased).
    let [minX, minY, maxX, maxY] = [64, 64, -1, -1];
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        if (image.rgba[(y * 64 + x) * 4]! < 128) continue;
        [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x + 1), Math.max(maxY, y + 1)];
      }
    }
    expect(maxX - minX).toBeGreaterThan(12);
    expect(Math.abs((minX + maxX) / 2 - 32)).toBeLessThanOrEqual(1);
    // "middle" is the middle of the em box: for capitals a little below their own centre.
    expect(Math.abs((minY + maxY) / 2 - 32)).toBeLessThanOrEqual(1.5);
  });

  test("a style change changes the pixels; transforms move shapes; save/restore restores", async () => {
    const draw = (width: number) => (c: Canvas) => {
      c.clearColor = "black";
      c.strokeStyle = "white";
      c.lineWidth = width;
      c.beginPath();
      c.moveTo(8, 32);
      c.lineTo(56, 32);
      c.stroke();
    };
    const thin = await engineFor((ctx) => addCanvas(ctx, draw(1)));
    const a = await render(thin, 1);
    thin.dispose();
    const thick = await engineFor((ctx) => addCanvas(ctx, draw(8)));
    const b = await render(thick, 1);
    thick.dispose();
    expect(pixelsDiffering(a, [0, 0, 0])).toBe(48);
    expect(pixelsDiffering(b, [0, 0, 0])).toBe(48 * 8);
    expect(changedPixels(a.rgba, b.rgba)).toBe(48 * 7);

    const moved = await engineFor((ctx) =>
      addCanvas(ctx, (c) => {
        c.clearColor = "black";
        c.fillStyle = "white";
        c.save();
        c.translate(32, 0);
        c.scale(2, 1);
        c.fillRect(0, 0, 4, 4); // lands on x 32..40
        c.restore();
        c.fillRect(0, 60, 4, 4); // back to identity
      }),
    );
    const m = await render(moved, 1);
    moved.dispose();
    expect(pixelsDiffering(m, [0, 0, 0], 32, 0, 8, 4)).toBe(32);
    expect(pixelsDiffering(m, [0, 0, 0], 0, 60, 4, 4)).toBe(16);
    expect(pixelsDiffering(m, [0, 0, 0])).toBe(48);
  });

  test("clearRect makes transparent pixels; fill() with a subpath inside another leaves a hole", async () => {
    const engine = await engineFor((ctx) =>
      addCanvas(ctx, (c) => {
        c.clearColor = "white";
        c.fillStyle = "red";
        c.beginPath();
        c.rect(8, 8, 48, 48);
        c.rect(24, 24, 16, 16);
        c.fill();
        c.clearRect(0, 0, 4, 4);
      }),
    );
    const image = await render(engine, 1);
    engine.dispose();
    expect(Array.from(image.rgba.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(pixelsDiffering(image, [255, 255, 255], 24, 24, 16, 16)).toBe(0); // the hole
    expect(pixelsDiffering(image, [255, 0, 0], 8, 8, 48, 16)).toBe(0); // the ring
  });

  test("cooks only in frames it is drawn to and keeps its image otherwise", async () => {
    let drawThisFrame = false;
    const engine = await engineWithUpdate(
      (ctx) => addCanvas(ctx, (c) => c.clear("blue")),
      (ctx) => {
        if (!drawThisFrame) return;
        const c = canvasOf(ctx);
        c.fillStyle = "yellow";
        c.fillRect(0, 0, 32, 32);
      },
    );
    const first = await render(engine, 1);
    expect(engine.frame()).toBe(0);
    const kept = await render(engine, 1);
    expect(kept.rgba).toEqual(first.rgba);
    drawThisFrame = true;
    expect(engine.frame()).toBe(1);
    drawThisFrame = false;
    const drawn = await render(engine, 3);
    engine.dispose();
    expect(pixelsDiffering(drawn, [255, 255, 0], 0, 0, 32, 32)).toBe(0);
    // Around it, the clear colour that setup's clear("blue") set.
    expect(pixelsDiffering(drawn, [0, 0, 255], 32, 32, 32, 32)).toBe(0);
  });

  test("a reload keeps the image until the new code draws, and creates no GPU objects", async () => {
    const gpu = await sharedGpu();
    let draw = true;
    const update = (ctx: Context) => {
      if (!draw) return;
      const c = canvasOf(ctx);
      c.fillStyle = "lime";
      c.fillRect(8, 8, 16, 16);
      c.fillText("ok", 30, 40);
    };
    const setup = (ctx: Context) => addCanvas(ctx, (c) => (c.clearColor = "black"));
    const engine = await engineWithUpdate(setup, update);
    const before = await render(engine, 3);
    draw = false;
    const census = gpu.census.snapshot();
    const built = await engine.build({ setup, update });
    if (!built.ok) throw new Error(built.error.message);
    engine.swap(built.chain, { setup, update });
    const created = createdSince(census, gpu.census.snapshot());
    expect([created.buffer, created.texture, created.renderPipeline, created.bindGroup]).toEqual([0, 0, 0, 0]);
    const after = await render(engine, 2);
    engine.dispose();
    expect(after.rgba).toEqual(before.rgba);
  });

  test("glyphs are tessellated once and then reused", async () => {
    const engine = await engineWithUpdate(
      (ctx) => addCanvas(ctx),
      (ctx) => {
        const c = canvasOf(ctx);
        c.fillStyle = "white";
        c.fillText(`t=${(ctx.frame % 10).toString()}`, 2, 30);
      },
    );
    await render(engine, 12);
    const cached = defaultFont().cachedGlyphs;
    await render(engine, 12);
    engine.dispose();
    expect(defaultFont().cachedGlyphs).toBe(cached);
  });

  test("the vertex buffer grows by doubling only when a frame outgrows it", async () => {
    const gpu = await sharedGpu();
    let circles = 10;
    const engine = await engineWithUpdate(
      (ctx) => addCanvas(ctx),
      (ctx) => {
        const c = canvasOf(ctx);
        c.fillStyle = "white";
        for (let i = 0; i < circles; i++) c.fillCircle((i * 7) % 64, (i * 3) % 64, 6);
      },
    );
    // Frames only: a readback would count its own staging buffer.
    const frames = (n: number) => {
      for (let i = 0; i < n; i++) engine.frame();
    };
    frames(2);
    const before = gpu.census.snapshot();
    circles = 400; // ~19 000 vertices: from 4096 to 32768, at most three doublings
    frames(2);
    const grown = createdSince(before, gpu.census.snapshot()).buffer;
    expect(grown).toBeGreaterThan(0);
    expect(grown).toBeLessThanOrEqual(3);
    const after = gpu.census.snapshot();
    circles = 10;
    frames(2);
    circles = 400;
    frames(2);
    expect(createdSince(after, gpu.census.snapshot()).buffer).toBe(0);
    await gpu.idle();
    engine.dispose();
  });

  test("100 frames of shapes, gradients and text create no GPU objects after warm-up; dispose releases everything", async () => {
    const gpu = await sharedGpu();
    const engine = await engineWithUpdate(
      (ctx) => addCanvas(ctx),
      (ctx) => {
        const c = canvasOf(ctx);
        scene(c);
        c.save();
        c.translate(32, 32);
        c.rotate(ctx.time);
        c.strokeStyle = "cyan";
        c.strokeRect(-10, -10, 20, 20);
        c.restore();
        c.fillText(String(ctx.frame), 40, 50);
      },
    );
    await expectSteadyState(engine);
    engine.dispose();
    expect(gpu.census.live()).toBe(0);
  });
});
