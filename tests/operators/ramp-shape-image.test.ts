import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { Image, Ramp, RAMP_TYPES, Shape, SHAPE_TYPES } from "../../operators/index.ts";
import { encodePng } from "../../runtime/snapshot.ts";
import { DISPATCHES } from "../../runtime/gpu/dispatch.ts";
import { compareGolden, diffImages, engineFor, regionMean, render, sharedGpu, spread } from "../helpers/render.ts";
import { expectParamTable, expectOffsetComments } from "./param-table.ts";

// Goldens: 64×64 at frame 10 of 60 fps fixed time, tolerances as generators.test.ts.
const MEAN_TOLERANCE = 1.5;
const MAX_TOLERANCE = 24;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vivid-image-"));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const dispatch of DISPATCHES) expect((await sharedGpu(dispatch)).census.live()).toBe(0);
});

describe("Ramp", () => {
  test("params match the original's table; struct offsets match the packing", () => {
    expectParamTable(Ramp, [
      ["angle", "float", 0, 0, 6.283],
      ["scale", "float", 1, 0.1, 10],
      ["repeat", "float", 1, 1, 10],
      ["offset", "vec2", [0, 0], -1, 1],
      ["hueOffset", "float", 0, 0, 1],
      ["hueSpeed", "float", 0.5, 0, 2],
      ["hueRange", "float", 1, 0, 1],
      ["saturation", "float", 1, 0, 1],
      ["brightness", "float", 1, 0, 1],
      ["type", "enum", "linear"],
    ]);
    expectOffsetComments(Ramp);
  });

  for (const [type, dispatch] of RAMP_TYPES.flatMap((t) => DISPATCHES.map((d) => [t, d] as const))) {
    test(`${type} matches its golden image and is not uniform (${dispatch})`, async () => {
      const engine = await engineFor(
        (ctx) => {
          const ramp = ctx.chain.add(Ramp, "ramp").resolution(64, 64);
          ramp.type = type;
          ctx.chain.output("ramp");
        },
        { gpu: await sharedGpu(dispatch) },
      );
      const image = await render(engine, 10);
      engine.dispose();
      expect(spread(image.rgba)).toBeGreaterThan(30);
      const diff = compareGolden(`ramp-${type}`, image);
      expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
      expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
    });
  }

  test("hue moves with time while hueSpeed > 0; saturation 0 is grey; hueSpeed 0 stops cooking", async () => {
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Ramp, "ramp").resolution(32, 32);
      ctx.chain.output("ramp");
    });
    const a = await render(engine, 1);
    const b = await render(engine, 20);
    expect(diffImages(a.rgba, b.rgba).meanAbs).toBeGreaterThan(10);
    const ramp = engine.chain!.get("ramp", Ramp);
    ramp.saturation = 0;
    const grey = await render(engine, 1);
    for (let i = 0; i < grey.rgba.length; i += 4) expect(Math.max(grey.rgba[i]!, grey.rgba[i + 1]!, grey.rgba[i + 2]!) - Math.min(grey.rgba[i]!, grey.rgba[i + 1]!, grey.rgba[i + 2]!)).toBeLessThanOrEqual(1);
    ramp.hueSpeed = 0;
    engine.frame();
    expect(engine.frame()).toBe(0);
    engine.dispose();
  });
});

describe("Shape", () => {
  test("params match the original's table; struct offsets match the packing", () => {
    expectParamTable(Shape, [
      ["size", "vec2", [0.5, 0.5], 0, 2],
      ["position", "vec2", [0.5, 0.5], 0, 1],
      ["rotation", "float", 0, -6.28, 6.28],
      ["sides", "int", 5, 3, 32],
      ["cornerRadius", "float", 0, 0, 0.5],
      ["thickness", "float", 0.1, 0, 0.5],
      ["softness", "float", 0.01, 0, 0.2],
      ["color", "color", [1, 1, 1, 1], 0, 1],
      ["type", "enum", "circle"],
    ]);
    expectOffsetComments(Shape);
  });

  for (const [type, dispatch] of SHAPE_TYPES.flatMap((t) => DISPATCHES.map((d) => [t, d] as const))) {
    test(`${type} matches its golden image (${dispatch})`, async () => {
      const engine = await engineFor(
        (ctx) => {
          const shape = ctx.chain.add(Shape, "shape").resolution(64, 64);
          shape.type = type;
          shape.size = [0.7, 0.7];
          shape.cornerRadius = 0.15;
          shape.thickness = 0.12;
          shape.color = [1, 0.6, 0.2, 1];
          ctx.chain.output("shape");
        },
        { gpu: await sharedGpu(dispatch) },
      );
      const image = await render(engine);
      engine.dispose();
      // Filled in the middle (the ring is hollow there), empty in the corners.
      expect(regionMean(image, 0, 0, 4, 4)).toEqual([0, 0, 0, 0]);
      expect(regionMean(image, 30, 30, 4, 4)[0]).toBe(type === "ring" ? 0 : 255);
      const diff = compareGolden(`shape-${type}`, image);
      expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
      expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
    });
  }

  test("size, position and sides change the pixels; a circle stays round on a wide output", async () => {
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Shape, "shape").resolution(128, 64);
      ctx.chain.output("shape");
    });
    const circle = await render(engine);
    // Diameter 0.5 of the height = 32 px, both ways.
    const row = Array.from({ length: 128 }, (_, x) => circle.rgba[(32 * 128 + x) * 4]!).filter((v) => v > 127).length;
    const column = Array.from({ length: 64 }, (_, y) => circle.rgba[(y * 128 + 64) * 4]!).filter((v) => v > 127).length;
    expect(Math.abs(row - 32)).toBeLessThanOrEqual(1);
    expect(Math.abs(column - 32)).toBeLessThanOrEqual(1);
    const shape = engine.chain!.get("shape", Shape);
    shape.position = [0.25, 0.5];
    const moved = await render(engine);
    expect(regionMean(moved, 30, 30, 4, 4)[0]).toBe(255);
    expect(regionMean(moved, 62, 30, 4, 4)[0]).toBe(0);
    shape.type = "polygon";
    shape.sides = 3;
    const triangle = await render(engine);
    shape.sides = 8;
    const octagon = await render(engine);
    expect(diffImages(triangle.rgba, octagon.rgba).meanAbs).toBeGreaterThan(2);
    engine.dispose();
  });
});

describe("Image", () => {
  /** A 16×8 test card: red/green ramps, blue halves, alpha 255. */
  function card(): { width: number; height: number; rgba: Uint8Array } {
    const width = 16;
    const height = 8;
    const rgba = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        rgba.set([x * 17, y * 36, x < 8 ? 255 : 0, 255], i);
      }
    }
    return { width, height, rgba };
  }

  test("params match the original's table", () => {
    expectParamTable(Image, [
      ["file", "path", ""],
      ["keepCpuData", "bool", false],
    ]);
  });

  test("a PNG shows at its native size, byte for byte, and matches its golden", async () => {
    const source = card();
    const file = join(dir, "card.png");
    writeFileSync(file, encodePng(source.width, source.height, source.rgba));
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Image, "image").file = file;
      ctx.chain.output("image");
    });
    const image = await render(engine);
    expect([image.width, image.height]).toEqual([16, 8]);
    expect(diffImages(image.rgba, source.rgba).maxAbs).toBe(0);
    expect(compareGolden("image-png", image).maxAbs).toBe(0);
    // Uploaded once: later frames do not cook it.
    expect(engine.frame()).toBe(0);
    engine.dispose();
  });

  test("a JPEG decodes (within JPEG's loss) and keepCpuData reads pixels on the CPU", async () => {
    const width = 16;
    const height = 16;
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba.set([200, 100, 50, 255], i * 4);
    const file = join(dir, "flat.jpg");
    writeFileSync(file, jpeg.encode({ width, height, data: Buffer.from(rgba) }, 95).data);
    const engine = await engineFor((ctx) => {
      const img = ctx.chain.add(Image, "image");
      img.file = file;
      img.keepCpuData = true;
      ctx.chain.output("image");
    });
    const image = await render(engine);
    expect(diffImages(image.rgba, rgba).maxAbs).toBeLessThanOrEqual(4);
    const img = engine.chain!.get("image", Image);
    const [r, g, b, a] = img.getAverageColor(0, 0, 16, 16);
    expect(r * 255).toBeCloseTo(200, -1);
    expect(g * 255).toBeCloseTo(100, -1);
    expect(b * 255).toBeCloseTo(50, -1);
    expect(a).toBe(1);
    expect(img.getPixel(3, 3)[0] * 255).toBeCloseTo(200, -1);
    engine.dispose();
  });

  test("a relative or missing path is an error that says what to do; changing file re-uploads", async () => {
    const relative = await (async () => {
      try {
        await engineFor((ctx) => {
          ctx.chain.add(Image, "image").file = "assets/photo.png";
          ctx.chain.output("image");
        });
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(relative).toMatch(/relative; pass an absolute path, e.g. join\(import.meta.dir, "assets\/photo.png"\)/);

    const a = join(dir, "a.png");
    const b = join(dir, "b.png");
    const source = card();
    writeFileSync(a, encodePng(16, 8, source.rgba));
    writeFileSync(b, encodePng(16, 8, source.rgba.map((v, i) => (i % 4 === 3 ? 255 : 255 - v))));
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Image, "image").file = a;
      ctx.chain.output("image");
    });
    const first = await render(engine);
    engine.chain!.get("image", Image).file = b;
    const second = await render(engine);
    expect(diffImages(first.rgba, second.rgba).meanAbs).toBeGreaterThan(50);
    engine.dispose();
  });

  test("a reload keeping the name and file neither decodes nor uploads; a newer file does", async () => {
    const file = join(dir, "reload.png");
    const source = card();
    writeFileSync(file, encodePng(16, 8, source.rgba));
    const setup = (ctx: Parameters<Parameters<typeof engineFor>[0]>[0]) => {
      ctx.chain.add(Image, "image").file = file;
      ctx.chain.output("image");
    };
    const engine = await engineFor(setup);
    await render(engine);
    const texture = engine.chain!.outputTexture;
    const gpu = await sharedGpu();
    const queue = gpu.queue as GPUQueue & { writeTexture: GPUQueue["writeTexture"] };
    let uploads = 0;
    const original = queue.writeTexture.bind(queue);
    queue.writeTexture = ((...args: Parameters<GPUQueue["writeTexture"]>) => {
      uploads++;
      return original(...args);
    }) as GPUQueue["writeTexture"];
    try {
      const module = { setup };
      const built = await engine.build(module);
      if (!built.ok) throw new Error(built.error.message);
      engine.swap(built.chain, module);
      expect(engine.chain!.outputTexture).toBe(texture);
      expect(uploads).toBe(0);
      expect(diffImages((await render(engine)).rgba, source.rgba).maxAbs).toBe(0);

      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      const again = await engine.build(module);
      if (!again.ok) throw new Error(again.error.message);
      engine.swap(again.chain, module);
      expect(uploads).toBe(1);
    } finally {
      queue.writeTexture = original;
      engine.dispose();
    }
  });
});
