import { expect, test } from "vitest";
import { ErrorOverlay, overlayLines, wrapLine } from "../../runtime/overlay.ts";
import { sharedGpu } from "../helpers/render.ts";
import { rgbaFloatToBytes } from "../../runtime/snapshot.ts";

test("overlay text: location, message, the source line and a caret under the column", () => {
  const lines = overlayLines({ message: "Unexpected ;", file: "/p/chain.ts", line: 11, column: 17, sourceLine: "  noise.scale = ;" }, "/p");
  expect(lines[0]).toBe("chain.ts:11:17: error");
  expect(lines[1]).toBe("Unexpected ;");
  const source = lines.indexOf("11 |   noise.scale = ;");
  expect(source).toBeGreaterThan(1);
  expect(lines[source + 1]!.indexOf("^")).toBe("11 | ".length + 16);
});

test("a line wider than the window is wrapped, not clipped: no line is wider than the columns, nothing is lost", () => {
  const message = "unresolved call target 'gaussianBlurr' in the fragment shader of this blur pass";
  const lines = overlayLines({ message, file: "/p/shaders/2d/blur.wgsl", line: 17, column: 10, sourceLine: "  return gaussianBlurr(src, linearSampler, in.uv, params.stepUv, params.radius);" }, "/p", 24);
  for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(24);
  // Broken at the last space that fits; a run without spaces (the path) is cut at the width.
  expect(lines.slice(0, lines.indexOf(""))).toEqual([
    "shaders/2d/blur.wgsl:17:",
    "10: error",
    "unresolved call target",
    "'gaussianBlurr' in the",
    "fragment shader of this",
    "blur pass",
  ]);
  expect(wrapLine("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]); // no space: cut at the width
});

test("a wrapped source line keeps its caret under the right column, on the piece that holds it", () => {
  const sourceLine = "  return gaussianBlurr(src, linearSampler, in.uv, params.stepUv, params.radius);";
  const column = sourceLine.indexOf("params.radius") + 1; // 1-based, from the fixture
  const lines = overlayLines({ message: "m", file: "/p/a.wgsl", line: 17, column, sourceLine }, "/p", 30);
  const first = lines.findIndex((line) => line.startsWith("17 | "));
  const caret = lines.findIndex((line) => line.includes("^"));
  // The pieces before the caret line, joined without their gutters, give the source line back.
  const gutter = "17 | ".length;
  const pieces = lines.slice(first, caret).map((line) => line.slice(gutter));
  expect(pieces.length).toBeGreaterThan(1);
  expect(pieces.join("")).toBe(sourceLine.slice(0, pieces.join("").length));
  for (const line of lines.slice(first + 1, caret + 1)) expect(line.startsWith("   | ")).toBe(true);
  // The caret's cell in its line is the cell of "p" of "params.radius" in the piece above it.
  const above = lines[caret - 1]!;
  const at = lines[caret]!.indexOf("^");
  expect(above.slice(at, at + "params.radius".length)).toBe("params.radius".slice(0, above.length - at));
  expect(above[at]).toBe("p");
  expect(lines[caret]!.length).toBeLessThanOrEqual(30);
  // The rest of the source line follows the caret.
  expect(lines.slice(first, lines.indexOf("", first)).filter((line) => !line.includes("^")).map((line) => line.slice(gutter)).join("")).toBe(sourceLine);
});

test("the overlay draws text only while there is an error, with no GPU objects per redraw after the first", async () => {
  const gpu = await sharedGpu();
  const overlay = new ErrorOverlay(gpu, 200, 100);
  const ctx = (frame: ReturnType<typeof gpu.beginFrame>) => ({ gpu, frame, time: 0, dt: 0, frameIndex: 0 });
  let frame = gpu.beginFrame();
  expect(overlay.update(ctx(frame))).toBeUndefined();
  frame.submit();
  overlay.set({ message: "boom", file: "/p/chain.ts", line: 3, column: 5, sourceLine: "x" });
  frame = gpu.beginFrame();
  const texture = overlay.update(ctx(frame))!;
  frame.submit();
  const pixels = rgbaFloatToBytes(await gpu.readTexture(texture));
  let opaque = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 200) opaque++;
  expect(opaque).toBeGreaterThan(200 * 40); // the dark panel behind the text
  const before = gpu.census.snapshot();
  overlay.set({ message: "other", file: "/p/chain.ts", line: 4, column: 1 });
  frame = gpu.beginFrame();
  overlay.update(ctx(frame));
  frame.submit();
  expect(gpu.census.snapshot().kinds.buffer.created).toBe(before.kinds.buffer.created);
  overlay.set(undefined);
  expect(overlay.visible).toBe(false);
  overlay.dispose();
});
