import { describe, expect, test } from "vitest";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { native, ownGpuAndFolder } from "../helpers/native.ts";
import { readPng, readTextureRgba8, saveSnapshot } from "../../runtime/snapshot.ts";

// Readback in strips and snapshots on the real device (issue #17): a texture is read back in strips
// of rows that land where they belong, and an 8192×8192 output (512 MiB of RGBA16F, over Dawn's
// 256 MiB buffer limit) is written as a PNG instead of ending the process.
const { Engine } = native.engine;
// This file's own device, and a folder for its chain file and the picture it saves.
const own = ownGpuAndFolder("vivid-snapshot-");

describe("readback in strips", () => {
  test("a 300×200 texture read in strips of 7 rows gives back every texel where it was written, through one staging buffer", async () => {
    const [width, height] = [300, 200];
    // Every texel says where it is: (x mod 256, y, x div 256 × 100 + 7, 255).
    const written = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) written.set([x % 256, y, Math.floor(x / 256) * 100 + 7, 255], (y * width + x) * 4);
    }
    const texture = own.gpu.createTexture("strips-test", { width, height, format: "rgba8unorm", usage: GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC, slot: "out" });
    own.gpu.queue.writeTexture({ texture: texture.texture }, written, { bytesPerRow: width * 4, rowsPerImage: height }, [width, height]);

    const before = own.gpu.census.snapshot();
    const strips: Array<[number, number]> = [];
    const stripBytes = 1280 * 7; // rows are padded to 256 bytes: 300 × 4 = 1200 → 1280
    await own.gpu.readTextureStrips(texture, (_pixels, firstRow, rows) => strips.push([firstRow, rows]), stripBytes);
    expect(strips).toHaveLength(Math.ceil(height / 7));
    expect(strips[0]).toEqual([0, 7]);
    expect(strips.at(-1)).toEqual([196, 4]);
    expect(own.gpu.census.snapshot().kinds.buffer.created - before.kinds.buffer.created).toBe(1);

    const bytes = await readTextureRgba8(own.gpu, texture, false, stripBytes);
    expect(bytes.length).toBe(written.length);
    let wrong = 0;
    for (let i = 0; i < written.length; i++) if (bytes[i] !== written[i]) wrong++;
    expect(wrong).toBe(0);
    const floats = await own.gpu.readTexture(texture, stripBytes);
    expect(floats[(199 * width + 299) * 4 + 1]).toBeCloseTo(199 / 255, 6);
    own.gpu.destroyTexture(texture);
  });
});

describe("snapshots", () => {
  test("an 8192×8192 output is written as a PNG of the right size and colour; the process goes on", async () => {
    const chainFile = join(own.dir, "chain.ts");
    writeFileSync(`${chainFile}.tmp`, `import { SolidColor } from "vivid";
export function setup(ctx) {
  ctx.chain.add(SolidColor, "bg").resolution(8192, 8192).color = [1, 0.25, 0, 1];
  ctx.chain.output("bg");
}
`);
    renameSync(`${chainFile}.tmp`, chainFile);
    const engine = new Engine(own.gpu, { projectDir: own.dir, chainFile, width: 64, height: 64, fixedFps: 60 });
    const built = await engine.load();
    expect(built.ok, built.ok ? "" : built.error.message).toBe(true);
    engine.frame();
    const path = join(own.dir, "huge.png");
    const started = performance.now();
    const saved = await saveSnapshot(own.gpu, engine.chain!.outputTexture!, path);
    console.log(`8192×8192 snapshot written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(saved).toEqual({ ok: true });
    engine.dispose();

    const png = readPng(readFileSync(path));
    expect([png.width, png.height]).toEqual([8192, 8192]);
    // 1 → 255, 0.25 → 63.75 → 64, 0 → 0, alpha written opaque.
    let wrong = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (png.data[i] !== 255 || png.data[i + 1] !== 64 || png.data[i + 2] !== 0 || png.data[i + 3] !== 255) wrong++;
    }
    expect(wrong).toBe(0);
  }, 180_000);
});
