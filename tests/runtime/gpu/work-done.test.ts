/**
 * `queue.onSubmittedWorkDone()` / `gpu.idle()` wait for the work submitted before the call
 * (runtime/gpu/work-done.ts). bun-webgpu's own version resolved every pending wait as soon as the
 * OLDEST one's work was done, so after a reload (whose ledger waits for the first frame) `gpu.idle()`
 * came back with every later frame still queued, and the frame loop's "at most 2 frames in flight"
 * let one more frame through after each reload, for good. Each frame in flight keeps a Dawn command
 * pool (shadow-point on lavapipe: ~40 KB of recorded commands), and Dawn keeps the pools: the soak's
 * native memory grew ~0.6 MB per reload (reload + 30 frames + idle, shadow-point; glibc heap in use).
 *
 * Before the fix: "a newer wait" saw the second promise settled together with the first; the reload
 * test found ~30 frames still queued after idle() (drain 1.7 s against 57 ms for one frame).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { native } from "../../helpers/native.ts";
import { REPO } from "../../helpers/render.ts";
import { inlineShader } from "../../../runtime/gpu/shaders.ts";
import type { Gpu as GpuT } from "../../../runtime/gpu/gpu.ts";

const { Engine } = native.engine;
const { Gpu } = native.gpu;
const { SLEEP_MS, workDonePolls } = native.workDone;

let gpu: GpuT;
beforeAll(async () => {
  gpu = await Gpu.open();
});
afterAll(() => gpu.destroy());

// A fragment shader slow enough on a software GPU (hundreds of ms for 512²) that its frame is still
// running when the trivial work submitted before it is done.
const SLOW = inlineShader(
  "work-done slow",
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

function slowWork(name: string) {
  const scope = gpu.scope(name);
  const target = scope.texture({ width: 512, height: 512, format: "rgba8unorm", usage: GPUTextureUsage.RENDER_ATTACHMENT, slot: "out" });
  const pipeline = scope.renderPipeline({ shader: SLOW, targets: ["rgba8unorm"], layouts: [] });
  const slowFrame = (): void => {
    const frame = gpu.beginFrame("slow");
    const pass = frame.renderPass(name, { colorAttachments: [{ view: target.view, loadOp: "clear", storeOp: "store", clearValue: [0, 0, 0, 0] }] });
    pass.setPipeline(pipeline);
    pass.draw(3);
    pass.end();
    frame.submit();
  };
  return { scope, slowFrame };
}

describe("onSubmittedWorkDone waits for the work submitted before it", () => {
  test("a newer wait does not settle with an older one still pending", async () => {
    const { scope, slowFrame } = slowWork("work-done");
    await gpu.idle();

    gpu.beginFrame("trivial").submit();
    const older = gpu.queue.onSubmittedWorkDone();
    slowFrame();
    slowFrame();
    const newer = gpu.queue.onSubmittedWorkDone();
    let newerSettled = false;
    void newer.then(() => (newerSettled = true));

    const t0 = performance.now();
    await older;
    const olderMs = performance.now() - t0;
    for (let i = 0; i < 5; i++) await Promise.resolve();
    const settledWithOlder = newerSettled;
    await newer;
    const newerMs = performance.now() - t0;
    // gpu.idle() is the same wait: it must cover both slow frames too.
    slowFrame();
    const t1 = performance.now();
    await gpu.idle();
    const idleMs = performance.now() - t1;

    scope.release();
    await gpu.idle();
    expect({ settledWithOlder, newerAfterOlder: newerMs > olderMs }).toEqual({ settledWithOlder: false, newerAfterOlder: true });
    // One slow frame is measurable work, not a no-op (else the check above proves nothing).
    expect(idleMs).toBeGreaterThan(20);
  });
});

describe("waiting does not spin", () => {
  // bun-webgpu's ticker polled Dawn on every event-loop turn for the whole wait: ~700 polls per ms
  // here, a JS thread at 100 % and thousands of setImmediate callbacks per frame, on a machine whose
  // other core the software GPU needed. Once waits are known to be slow, a wait polls every SLEEP_MS.
  test("a wait for slow GPU work polls Dawn about once per SLEEP_MS, not on every event-loop turn", async () => {
    const { scope, slowFrame } = slowWork("work-done-poll");
    slowFrame();
    await gpu.idle(); // one slow wait first: the poller has seen that completions here take long
    slowFrame();
    slowFrame();
    const polls = workDonePolls(gpu.queue);
    const t0 = performance.now();
    await gpu.idle();
    const waitedMs = performance.now() - t0;
    const made = workDonePolls(gpu.queue) - polls;
    scope.release();
    await gpu.idle();
    expect(waitedMs).toBeGreaterThan(20); // measurable work, else the count below proves nothing
    expect(made).toBeGreaterThan(0);
    expect(made, `${made} polls in ${waitedMs.toFixed(0)} ms`).toBeLessThanOrEqual(Math.ceil(waitedMs / SLEEP_MS) + 5);
  });
});

describe("gpu.idle() after a reload", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "vivid-work-done-"));
    cpSync(resolve(REPO, "examples/shadow-point"), dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("returns with no frames left on the GPU (frames in flight do not pile up per reload)", async () => {
    const engine = new Engine(gpu, { projectDir: dir, chainFile: join(dir, "chain.ts"), width: 160, height: 90, fixedFps: 60 });
    const loaded = await engine.load();
    expect(loaded.ok).toBe(true);
    // What one frame costs the GPU: frame, then wait for it through a readback.
    engine.frame();
    await engine.readOutput();
    let t = performance.now();
    engine.frame();
    await engine.readOutput();
    const oneFrameMs = performance.now() - t;

    const drains: number[] = [];
    for (let reload = 0; reload < 3; reload++) {
      const { entry } = await engine.reload("chain.ts");
      expect(entry.ok).toBe(true);
      for (let i = 0; i < 20; i++) engine.frame();
      await gpu.idle();
      // Whatever idle() left queued, the readback waits for (a readback alone is far below a frame).
      t = performance.now();
      await engine.readOutput();
      drains.push(performance.now() - t);
    }
    engine.dispose();
    await gpu.idle();
    // Before the fix each drain was ~20 frames (idle() returned when the reload's first frame was done).
    expect({ oneFrameMs, drains, maxDrainFrames: Math.max(...drains) / oneFrameMs < 3 }).toEqual({ oneFrameMs, drains, maxDrainFrames: true });
  }, 120_000);
});
