import { expect, test } from "vitest";
import { join } from "node:path";
import { REPO } from "../../helpers/render.ts";

// bun-webgpu 0.1.7 hands Dawn the addresses of JS buffers (WGSL source, labels, nested structs,
// entry arrays) that nothing else references; a garbage collection between packing and the native
// call freed them. patches/bun-webgpu@0.1.7.patch keeps each one referenced until the event loop
// turns (here patched on disk by bun install; tests/package/package.test.ts runs this probe where
// runtime/gpu/bun-webgpu-fix.ts applies it at load time). With the collector running all the time, the unpatched library failed 5–11 of 2000
// shader-module builds in each of 6 runs ("null character found"); patched: 0 of 8000.
test("descriptors handed to Dawn survive a garbage collector that never stops", () => {
  for (let run = 0; run < 2; run++) {
    const probe = Bun.spawnSync(["bun", join(REPO, "tests/runtime/gpu/ffi-lifetime-probe.ts"), "2000"], {
      env: { ...process.env, BUN_JSC_collectContinuously: "1" },
    });
    const output = probe.stdout.toString();
    const line = output.trim().split("\n").at(-1) ?? "";
    expect(line, probe.stderr.toString()).toMatch(/^\{/);
    const result = JSON.parse(line) as { device: boolean; cycles: number; errors: number; first: string | null };
    expect(result.device, result.first ?? "").toBe(true);
    expect(result.cycles).toBe(2000);
    expect(result.errors, result.first ?? "").toBe(0);
  }
}, 120_000);
