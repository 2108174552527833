import { afterAll, beforeAll, expect } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Vitest runs test files through Vite's module runner, which resolves `import()` itself: it knows
// neither Bun.plugin modules ("vivid") nor Bun's require.cache. Tests that load real chain files
// take the runtime through Bun's own require, so loading works exactly as in `bun vivid`.
const nativeRequire = createRequire(import.meta.url);

// bun-webgpu uses top-level await, which require() refuses until the module has been evaluated;
// Vite hands node_modules imports to Bun, so this import evaluates it natively first (with the
// runtime's buffer-lifetime fix in force, as requestDevice would load it).
const { installBunWebgpuFix } = nativeRequire("../../runtime/gpu/bun-webgpu-fix.ts") as typeof import("../../runtime/gpu/bun-webgpu-fix.ts");
installBunWebgpuFix();
await import("bun-webgpu");

export const native = {
  engine: nativeRequire("../../runtime/engine.ts") as typeof import("../../runtime/engine.ts"),
  gpu: nativeRequire("../../runtime/gpu/gpu.ts") as typeof import("../../runtime/gpu/gpu.ts"),
  workDone: nativeRequire("../../runtime/gpu/work-done.ts") as typeof import("../../runtime/gpu/work-done.ts"),
};

/**
 * A GPU of the test file's own and a temp folder (named `prefix` + random), opened before its tests.
 * After them every GPU object must have been released (the census back at 0); then both are closed.
 */
export function ownGpuAndFolder(prefix: string): { readonly gpu: import("../../runtime/gpu/gpu.ts").Gpu; readonly dir: string } {
  let gpu: import("../../runtime/gpu/gpu.ts").Gpu | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    gpu = await native.gpu.Gpu.open();
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    expect(gpu!.census.live()).toBe(0);
    gpu!.destroy();
    rmSync(dir!, { recursive: true, force: true });
  });
  return {
    get gpu() {
      return gpu!;
    },
    get dir() {
      return dir!;
    },
  };
}
