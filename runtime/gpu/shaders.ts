/**
 * WGSL sources: read from shaders/ with `#import "common/x.wgsl"` lines expanded (each file once), hashed
 * by their final text. The hash is the shader module cache key, so an edit that leaves the text alone
 * compiles nothing, and the files a source was built from tell the reloader which pipelines a `.wgsl`
 * save touches.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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
}

const IMPORT_LINE = /^[ \t]*#import[ \t]+"([^"]+)"[ \t]*;?[ \t]*$/gm;

export function hashText(text: string): string {
  return Bun.hash(text).toString(36);
}

/** Loads `name` (relative to shaders/) and expands its #import lines. */
export function loadShader(name: string, root = SHADERS_DIR): ShaderSource {
  const files: string[] = [];
  const seen = new Set<string>();
  const expand = (path: string, importedFrom?: string): string => {
    if (seen.has(path)) return "";
    seen.add(path);
    files.push(path);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new Error(`shader file not found: ${path}${importedFrom ? ` (imported from ${importedFrom})` : ""}`);
    }
    return text.replace(IMPORT_LINE, (_line, target: string) => {
      const targetPath = target.startsWith(".") ? resolve(dirname(path), target) : join(root, target);
      return expand(targetPath, path);
    });
  };
  const code = expand(join(root, name));
  return { name, code, hash: hashText(code), files };
}

/** A shader given inline (tests, user code): no files behind it. */
export function inlineShader(name: string, code: string): ShaderSource {
  return { name, code, hash: hashText(code), files: [] };
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
