import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Vitest runs test files through Vite's module runner, which rewrites `import()` and resolves it
// with Vite: it knows neither Bun.plugin modules ("vivid") nor Bun's require.cache. Loading the
// reload modules with Bun's own require keeps their `import()` native, exactly as in the runtime.
const nativeRequire = createRequire(import.meta.url);

export const loader = nativeRequire("../../../runtime/reload/loader.ts") as typeof import("../../../runtime/reload/loader.ts");
export const errors = nativeRequire("../../../runtime/reload/errors.ts") as typeof import("../../../runtime/reload/errors.ts");

/** A fresh project folder in the system temp dir, with no node_modules anywhere above it. */
export function makeProject(prefix: string): { dir: string; write(name: string, text: string, ageMs?: number): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `vivid-${prefix}-`));
  return {
    dir,
    // ageMs backdates the file so the loader's half-written check does not wait on it.
    write(name, text, ageMs = 0) {
      const file = join(dir, name);
      writeFileSync(file, text);
      if (ageMs > 0) {
        const then = new Date(Date.now() - ageMs);
        utimesSync(file, then, then);
      }
      return file;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** 1-based line and column of the first `needle` in `text`, as Bun and editors count them. */
export function positionOf(text: string, needle: string): { line: number; column: number } {
  const index = text.indexOf(needle);
  if (index === -1) throw new Error(`"${needle}" not in text`);
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
