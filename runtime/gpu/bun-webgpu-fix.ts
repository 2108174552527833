/**
 * bun-webgpu 0.1.7 hands Dawn raw addresses of JS buffers that nothing else references; a garbage
 * collection between packing a descriptor and the native call can free one (README, "How it is
 * built"). patches/bun-webgpu@0.1.7.patch keeps each such buffer referenced until the event loop
 * turns. Bun applies `patchedDependencies` only for the project at the root of an install, so in
 * this repository `bun install` patches the file on disk, but a project that installs Vivid as a
 * package gets the library unpatched. This applies the same patch file when bun-webgpu is loaded,
 * through a Bun loader plugin: one fix, one file, in force wherever Vivid runs.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BUN_WEBGPU_PATCH = resolve(dirname(fileURLToPath(import.meta.url)), "../../patches/bun-webgpu@0.1.7.patch");

interface Hunk {
  /** 1-based line in the original file, from the hunk header. */
  oldStart: number;
  oldText: string;
  newText: string;
}

/** The hunks of a unified diff of one file (as `git diff` writes them). */
export function parseHunks(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let current: { oldStart: number; oldLines: string[]; newLines: string[] } | undefined;
  const finish = () => {
    if (current) hunks.push({ oldStart: current.oldStart, oldText: current.oldLines.join("\n"), newText: current.newLines.join("\n") });
  };
  for (const line of patch.split("\n")) {
    const header = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/.exec(line);
    if (header) {
      finish();
      current = { oldStart: Number(header[1]), oldLines: [], newLines: [] };
      continue;
    }
    if (!current || line.startsWith("\\")) continue; // file headers; "\ No newline at end of file"
    if (line.startsWith("diff ") || line.startsWith("--- ") || line.startsWith("+++ ") || line.startsWith("index ")) {
      finish();
      current = undefined;
    } else if (line.startsWith("-")) current.oldLines.push(line.slice(1));
    else if (line.startsWith("+")) current.newLines.push(line.slice(1));
    else {
      // Context; a blank context line may have lost its leading space.
      current.oldLines.push(line.slice(1));
      current.newLines.push(line.slice(1));
    }
  }
  finish();
  // A trailing blank line of the patch file is not context.
  for (const hunk of hunks) {
    while (hunk.oldText.endsWith("\n") && hunk.newText.endsWith("\n")) {
      hunk.oldText = hunk.oldText.slice(0, -1);
      hunk.newText = hunk.newText.slice(0, -1);
    }
  }
  return hunks;
}

/**
 * `source` with every hunk applied, in order. A hunk whose result is already there (the file was
 * patched on disk by `bun install`) is left as it is; a hunk found neither way throws, naming its
 * line, so a different bun-webgpu version fails loudly instead of running unfixed.
 */
export function applyPatch(source: string, patch: string, fileName: string): string {
  let out = "";
  let cursor = 0;
  for (const hunk of parseHunks(patch)) {
    const at = source.indexOf(hunk.oldText, cursor);
    if (at >= 0) {
      out += source.slice(cursor, at) + hunk.newText;
      cursor = at + hunk.oldText.length;
      continue;
    }
    const applied = source.indexOf(hunk.newText, cursor);
    if (applied < 0) throw new Error(`${fileName}: the bun-webgpu fix (${BUN_WEBGPU_PATCH}) does not apply at line ${hunk.oldStart}; Vivid needs bun-webgpu 0.1.7`);
    out += source.slice(cursor, applied + hunk.newText.length);
    cursor = applied + hunk.newText.length;
  }
  return out + source.slice(cursor);
}

let installed = false;

/** Registers the loader plugin (once per process). Call before bun-webgpu is first imported. */
export function installBunWebgpuFix(): void {
  if (installed) return;
  installed = true;
  const patch = readFileSync(BUN_WEBGPU_PATCH, "utf8");
  Bun.plugin({
    name: "vivid: bun-webgpu buffer lifetimes",
    setup(build) {
      build.onLoad({ filter: /[\\/]bun-webgpu[\\/]index\.js$/ }, (args) => {
        const version = (JSON.parse(readFileSync(join(dirname(args.path), "package.json"), "utf8")) as { version: string }).version;
        const source = readFileSync(args.path, "utf8");
        return { contents: applyPatch(source, patch, `bun-webgpu ${version} (${args.path})`), loader: "js" };
      });
    },
  });
}
