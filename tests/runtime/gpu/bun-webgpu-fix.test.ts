import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { applyPatch, BUN_WEBGPU_PATCH, parseHunks } from "../../../runtime/gpu/bun-webgpu-fix.ts";

// A small file and a git-style diff of it, in the shape of patches/bun-webgpu@0.1.7.patch: a hunk that
// adds lines, one that swaps an import for a local binding (with a blank context line).
const ORIGINAL = ["// @bun", 'import { dlopen, ptr } from "bun:ffi";', "const a = 1;", "", "// src/GPU.ts", 'import { ptr as ptr2 } from "bun:ffi";', "use(ptr2);", ""].join("\n");
const PATCH = `diff --git a/index.js b/index.js
index 1111111..2222222 100644
--- a/index.js
+++ b/index.js
@@ -1,3 +1,4 @@
 // @bun
 import { dlopen, ptr } from "bun:ffi";
+const keptPtr = ptr;
 const a = 1;
@@ -4,4 +5,4 @@ const a = 1;
 
 // src/GPU.ts
-import { ptr as ptr2 } from "bun:ffi";
+const ptr2 = keptPtr;
 use(ptr2);
`;
const PATCHED = ["// @bun", 'import { dlopen, ptr } from "bun:ffi";', "const keptPtr = ptr;", "const a = 1;", "", "// src/GPU.ts", "const ptr2 = keptPtr;", "use(ptr2);", ""].join("\n");

describe("applying the bun-webgpu patch at load time", () => {
  test("a unified diff applies hunk by hunk", () => {
    expect(parseHunks(PATCH).map((hunk) => hunk.oldStart)).toEqual([1, 4]);
    expect(applyPatch(ORIGINAL, PATCH, "index.js")).toBe(PATCHED);
  });

  test("a file already patched on disk (bun install in the clone) is left as it is", () => {
    expect(applyPatch(PATCHED, PATCH, "index.js")).toBe(PATCHED);
  });

  test("a file that matches neither way (another bun-webgpu) fails, naming the hunk's line", () => {
    const drifted = ORIGINAL.replace("ptr as ptr2", "ptr as ptr7");
    expect(() => applyPatch(drifted, PATCH, "bun-webgpu 0.1.8 (index.js)")).toThrow("bun-webgpu 0.1.8 (index.js): the bun-webgpu fix");
    expect(() => applyPatch(drifted, PATCH, "x")).toThrow("at line 4; Vivid needs bun-webgpu 0.1.7");
  });

  test("the repository's patch parses into the hunks it has, each removing a line", () => {
    const patch = readFileSync(BUN_WEBGPU_PATCH, "utf8");
    const hunks = parseHunks(patch);
    expect(hunks.length).toBe(patch.split("\n").filter((line) => line.startsWith("@@ ")).length);
    for (const hunk of hunks) expect(hunk.oldText).not.toBe(hunk.newText);
  });
});
