/**
 * Native memory of released GPU objects (issue 7). Dawn frees a released texture, buffer, sampler, bind
 * group or pipeline only after a submit made after the release completes; with no frames running they
 * piled up for ever (and ~65 000 pending bind groups crash lavapipe). Gpu now submits an empty command
 * buffer every FLUSH_RELEASES_EVERY releases without a submit, and in idle().
 *
 * Each RSS test runs leak-probe.ts in its own process (the test threads share this one's RSS): one
 * warm-up phase, then 3 phases of create/release cycles through a GpuScope with no frame in between.
 * Before the fix, growth per phase (2-core lavapipe box): texture+view 40 000 → ~62 MB, buffer 40 000 →
 * ~34 MB, sampler 40 000 → ~14 MB, bind group 10 000 → ~54 MB, render pipeline 500 → ~109 MB. Without
 * the handle release after destroy() a texture still leaked ~18 MB and a buffer ~16 MB per 40 000.
 * After: within ±3 MB (pipelines ±11 MB of allocator noise). Bounds are a third of the leak or less.
 */
import { describe, expect, test } from "vitest";
import { resolve } from "node:path";
import { FLUSH_RELEASES_EVERY } from "../../../runtime/gpu/gpu.ts";
import { REPO, sharedGpu } from "../../helpers/render.ts";

const PROBE = resolve(REPO, "tests/runtime/gpu/leak-probe.ts");

function probe(kind: string, cycles: number): { growthMB: number[]; meanMB: number } {
  const child = Bun.spawnSync([process.execPath, PROBE, kind, String(cycles), "3"], { cwd: REPO, stderr: "pipe" });
  if (child.exitCode !== 0) throw new Error(`leak-probe ${kind} exited ${child.exitCode}: ${child.stderr.toString().slice(-2000)}`);
  const { growthMB } = JSON.parse(child.stdout.toString().trim().split("\n").at(-1)!) as { growthMB: number[] };
  return { growthMB, meanMB: growthMB.reduce((a, b) => a + b, 0) / growthMB.length };
}

describe("released GPU objects are freed without frames (RSS of a probe process, MB per phase)", () => {
  const cases: Array<[kind: string, cycles: number, boundMB: number]> = [
    ["texture", 40_000, 6],
    ["buffer", 40_000, 5],
    ["sampler", 40_000, 4.5],
    ["bindGroup", 10_000, 18],
    ["renderPipeline", 500, 36],
  ];
  for (const [kind, cycles, boundMB] of cases) {
    test(`${kind}: ${cycles} create/release cycles grow RSS < ${boundMB} MB`, () => {
      const { growthMB, meanMB } = probe(kind, cycles);
      expect({ kind, growthMB, meanBelowBound: meanMB < boundMB }).toEqual({ kind, growthMB, meanBelowBound: true });
    }, 30_000);
  }
});

describe("release flush", () => {
  test("idle() submits one empty command buffer only when something was released since the last submit", async () => {
    const gpu = await sharedGpu();
    await gpu.idle();
    const encoders = () => gpu.census.snapshot().kinds.commandEncoder.created;
    const scope = gpu.scope("flush-test");
    scope.texture({ width: 4, height: 4, format: "rgba8unorm", usage: GPUTextureUsage.TEXTURE_BINDING, slot: "out" });
    scope.release();
    let before = encoders();
    await gpu.idle();
    expect(encoders() - before).toBe(1);
    before = encoders();
    await gpu.idle();
    expect(encoders() - before).toBe(0);
    // A frame's own submit counts as the flush.
    scope.buffer("u", 64, GPUBufferUsage.UNIFORM);
    scope.release();
    gpu.beginFrame("test").submit();
    before = encoders();
    await gpu.idle();
    expect(encoders() - before).toBe(0);
  });

  test(`every ${FLUSH_RELEASES_EVERY} releases without a submit flush on their own`, async () => {
    const gpu = await sharedGpu();
    await gpu.idle();
    const before = gpu.census.snapshot().kinds.commandEncoder.created;
    for (let i = 0; i < FLUSH_RELEASES_EVERY * 3; i++) {
      const scope = gpu.scope("flush-test");
      scope.buffer("u", 64, GPUBufferUsage.UNIFORM);
      scope.release();
    }
    expect(gpu.census.snapshot().kinds.commandEncoder.created - before).toBe(3);
    await gpu.idle();
  });
});
