/**
 * WGSL sources: read from shaders/ with `#import "common/x.wgsl"` lines expanded (each file once), hashed
 * by their final text. The hash is the shader module cache key, so an edit that leaves the text alone
 * compiles nothing, and the files a source was built from tell the reloader which pipelines a `.wgsl`
 * save touches.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const SHADERS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../shaders");

export interface ShaderSource {
  /** Path relative to shaders/, e.g. "2d/noise.wgsl" (for messages). */
  name: string;
  code: string;
  /** Content hash of `code`: the shader module cache key. */
  hash: string;
  /** Absolute paths of every file the code was assembled from. */
  files: string[];
  /** For each line of `code` (0-based), the file and 1-based line it came from. */
  lines: Array<{ file: string; line: number }>;
}

const IMPORT_LINE = /^[ \t]*#import[ \t]+"([^"]+)"[ \t]*;?[ \t]*$/;

export function hashText(text: string): string {
  return Bun.hash(text).toString(36);
}

/**
 * Loads `name` — relative to shaders/, or an absolute path (a project's own .wgsl) — and expands its
 * #import lines ("common/x.wgsl" from shaders/, "./x.wgsl" beside the importing file); `append` names
 * files under `root` expanded after it, as if imported at its end.
 */
export function loadShader(name: string, root = SHADERS_DIR, append: readonly string[] = []): ShaderSource {
  const files: string[] = [];
  const out: string[] = [];
  const lines: ShaderSource["lines"] = [];
  const expand = (path: string, importedFrom?: string): void => {
    if (files.includes(path)) return;
    files.push(path);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new Error(`shader file not found: ${path}${importedFrom ? ` (imported from ${importedFrom})` : ""}`);
    }
    text.split("\n").forEach((line, index) => {
      const target = IMPORT_LINE.exec(line)?.[1];
      if (target) return expand(target.startsWith(".") ? resolve(dirname(path), target) : join(root, target), path);
      out.push(line);
      lines.push({ file: path, line: index + 1 });
    });
  };
  expand(isAbsolute(name) ? name : join(root, name));
  // Files appended after the shader itself (a per-pixel operator's fragment or compute entry).
  for (const extra of append) expand(join(root, extra), name);
  const code = out.join("\n");
  return { name, code, hash: hashText(code), files, lines };
}

export interface WgslErrorLocation {
  file: string;
  line: number;
  column: number;
  message: string;
  sourceLine: string;
}

/**
 * Maps Dawn's first WGSL error (":112:3 error: 'type' is a reserved keyword", positions in the
 * assembled code) back to the .wgsl file and line it came from. Dawn counts columns in UTF-8 bytes;
 * the column returned counts characters (UTF-16 units, as editors and JS stacks do), so a comment
 * with "é" or "日本" before the error does not push the caret off.
 */
export function locateWgslError(message: string, shader: ShaderSource): WgslErrorLocation | undefined {
  const match = /:(\d+):(\d+) error: ([^\n]*)/.exec(message);
  if (!match) return undefined;
  const origin = shader.lines[Number(match[1]) - 1];
  if (!origin) return undefined;
  const sourceLine = shader.code.split("\n")[Number(match[1]) - 1] ?? "";
  return {
    file: origin.file,
    line: origin.line,
    column: characterColumn(sourceLine, Number(match[2])),
    message: match[3]!,
    sourceLine,
  };
}

/** Where in a .wgsl file a pipeline error lies: the file always, the line when the error names a binding. */
export interface PipelineErrorLocation {
  file: string;
  line?: number;
  column?: number;
  sourceLine?: string;
}

/**
 * Places a pipeline validation error in the file of the shader it names (Dawn's
 * `[ShaderModule "2d/blur.wgsl"]`): at the `@group(g) @binding(b)` declaration the message names
 * ("the entry-point's declaration for @group(0) @binding(2)" against a layout without it), else at
 * the file alone (an entry point that does not exist).
 */
export function locatePipelineError(message: string, shader: ShaderSource): PipelineErrorLocation {
  const file = shader.files[0] ?? shader.name;
  const binding = /@group\((\d+)\) @binding\((\d+)\)/.exec(message);
  if (!binding) return { file };
  const declaration = new RegExp(`@group\\(\\s*${binding[1]}\\s*\\)\\s*@binding\\(\\s*${binding[2]}\\s*\\)`);
  const code = shader.code.split("\n");
  const index = code.findIndex((line) => declaration.test(line));
  const origin = shader.lines[index];
  if (index < 0 || !origin) return { file };
  return { file: origin.file, line: origin.line, column: code[index]!.search(declaration) + 1, sourceLine: code[index]! };
}

/** The 1-based character column of 1-based UTF-8 byte column `byteColumn` in `line`. */
function characterColumn(line: string, byteColumn: number): number {
  const encoder = new TextEncoder();
  let bytes = 0;
  let index = 0;
  for (const char of line) {
    if (bytes >= byteColumn - 1) break;
    bytes += encoder.encode(char).length;
    index += char.length;
  }
  return index + 1;
}

/** A shader given inline (tests, user code): no files behind it. */
export function inlineShader(name: string, code: string): ShaderSource {
  return { name, code, hash: hashText(code), files: [], lines: code.split("\n").map((_, i) => ({ file: name, line: i + 1 })) };
}

export interface WgslField {
  name: string;
  type: string;
}

/**
 * The fields of `struct <name> { … }` in WGSL source, in order. Used to check that an operator's
 * uniform struct matches its param declarations (a mismatch would silently write the wrong bytes).
 */
export function wgslStructFields(code: string, structName: string): WgslField[] | undefined {
  const match = new RegExp(`struct\\s+${structName}\\s*\\{([^}]*)\\}`).exec(code);
  if (!match) return undefined;
  const body = match[1]!.replace(/\/\/[^\n]*/g, "");
  const fields: WgslField[] = [];
  for (const part of body.split(",")) {
    const field = /^\s*(?:@\w+(?:\([^)]*\))?\s*)*(\w+)\s*:\s*([\w<>, ]+?)\s*$/.exec(part);
    if (field) fields.push({ name: field[1]!, type: field[2]!.replace(/\s+/g, "") });
  }
  return fields;
}
