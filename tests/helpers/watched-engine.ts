/**
 * The whole path a save takes in `bun vivid`, without a window: a temp project loaded by the real
 * Engine on the real device, and the real Reloader (watcher and queue) on it. Shared by
 * tests/runtime/reload/reloader.test.ts and save-styles.test.ts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Engine } from "../../runtime/engine.ts";
import type { Gpu } from "../../runtime/gpu/gpu.ts";
import type { Reloader, ReloaderOptions } from "../../runtime/reload/reloader.ts";
import { native } from "./native.ts";

// Loaded with Bun's own require, as native.ts explains: the reloads it runs import chain files natively.
const reloaderModule = createRequire(import.meta.url)("../../runtime/reload/reloader.ts") as typeof import("../../runtime/reload/reloader.ts");

export interface WatchedEngine {
  gpu: Gpu;
  /** The project folder; the caller removes it. */
  dir: string;
  chainFile: string;
  engine: Engine;
  reloader: Reloader;
}

/**
 * Opens a GPU, writes `text` as chain.ts of a fresh temp folder (`prefix` + random), loads it in an
 * Engine (16×16, 60 fixed fps) and starts a Reloader with `options` on it. `beforeWatch` gets the
 * loaded engine before the Reloader does (to wrap its reload, say).
 */
export async function openWatchedEngine(prefix: string, text: string, options: ReloaderOptions, beforeWatch?: (engine: Engine) => void): Promise<WatchedEngine> {
  const gpu = await native.gpu.Gpu.open();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const chainFile = join(dir, "chain.ts");
  writeFileSync(chainFile, text);
  const engine = new native.engine.Engine(gpu, { projectDir: dir, chainFile, width: 16, height: 16, fixedFps: 60 });
  const built = await engine.load();
  if (!built.ok) throw new Error(built.error.message);
  beforeWatch?.(engine);
  const reloader = new reloaderModule.Reloader(engine, options);
  await reloader.start();
  return { gpu, dir, chainFile, engine, reloader };
}
