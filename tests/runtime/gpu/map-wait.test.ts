/**
 * A buffer map waits without spinning (runtime/gpu/map-wait.ts). bun-webgpu's instance ticker polled
 * Dawn on every event-loop turn until a map's callback came: for a readback queued behind slow GPU
 * work, a JS thread at 100 % for the whole wait, on a machine whose other core the software GPU
 * needed (the inspector's thumbnails cost frames that way).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { native } from "../../helpers/native.ts";
import { inlineShader } from "../../../runtime/gpu/shaders.ts";
import type { Gpu as GpuT } from "../../../runtime/gpu/gpu.ts";

const { SLEEP_MS } = native.workDone;

/**
 * Counts the event-loop wake-ups scheduled while it is installed (setImmediate and setTimeout calls):
 * a spinning wait schedules one per turn, thousands a second; a sleeping one about one per SLEEP_MS.
 */
function countWakeUps(): { count: () => number; restore: () => void } {
  const immediate = globalThis.setImmediate;
  const timeout = globalThis.setTimeout;
  let calls = 0;
  globalThis.setImmediate = ((...args: Parameters<typeof setImmediate>) => {
    calls++;
    return immediate(...args);
  }) as typeof setImmediate;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    calls++;
    return timeout(...args);
  }) as typeof setTimeout;
  return {
    count: () => calls,
    restore: () => {
      globalThis.setImmediate = immediate;
      globalThis.setTimeout = timeout;
    },
  };
}

let gpu: GpuT;
beforeAll(async () => {
  gpu = await native.gpu.Gpu.open();
});
afterAll(() => gpu.destroy());

// Slow enough on a software GPU (hundreds of ms for 512²) that the readback behind it waits.
const SLOW = inlineShader(
  "map-wait slow",
  `@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let p = array(vec2f(-1.0, -3.0), vec2f(3.0, 1.0), vec2f(-1.0, 1.0));
  return vec4f(p[i], 0.0, 1.0);
}
@fragment fn fs(@builtin(position) p: vec4f) -> @location(0) vec4f {
  var x = p.x * 0.001 + p.y * 0.0007;
  for (var i = 0; i < 150; i++) { x = fract(sin(x * 12.9898 + f32(i)) * 43758.5453); }
  return vec4f(x, 0.0, 0.0, 1.0);
}`,
);

describe("a buffer map", () => {
  test("waiting behind slow GPU work wakes the event loop about once per SLEEP_MS, not on every turn", async () => {
    const scope = gpu.scope("map-wait");
    const target = scope.texture({ width: 512, height: 512, format: "rgba8unorm", usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC, slot: "out" });
    const pipeline = scope.renderPipeline({ shader: SLOW, targets: ["rgba8unorm"], layouts: [] });
    for (let i = 0; i < 2; i++) {
      const frame = gpu.beginFrame("slow");
      const pass = frame.renderPass("map-wait", { colorAttachments: [{ view: target.view, loadOp: "clear", storeOp: "store", clearValue: [0, 0, 0, 0] }] });
      pass.setPipeline(pipeline);
      pass.draw(3);
      pass.end();
      frame.submit();
    }
    const wakeUps = countWakeUps();
    const t0 = performance.now();
    const pixels = await gpu.readTexture(target).finally(wakeUps.restore); // copy, then mapAsync behind the two slow frames
    const waitedMs = performance.now() - t0;
    const made = wakeUps.count();
    scope.release();
    await gpu.idle();
    expect(pixels.length).toBe(512 * 512 * 4);
    expect(waitedMs).toBeGreaterThan(20); // measurable work, else the count below proves nothing
    expect(made).toBeGreaterThan(0);
    // Every turn for SPIN_MS (2 ms: a few hundred turns at most), then one poll per SLEEP_MS.
    expect(made, `${made} wake-ups in ${waitedMs.toFixed(0)} ms`).toBeLessThanOrEqual(Math.ceil(waitedMs / SLEEP_MS) + 400);
  });
});
