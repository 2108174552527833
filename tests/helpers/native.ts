import { createRequire } from "node:module";

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
