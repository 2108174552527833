import { expect, test } from "vitest";
import { ErrorOverlay, overlayLines } from "../../runtime/overlay.ts";
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
