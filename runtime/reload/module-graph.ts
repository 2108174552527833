import { readFileSync } from "node:fs";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { isProjectFile } from "./errors.ts";

// The host's own code: a chain that imports it by path gets the one copy the host runs, never a fresh one.
const repositoryDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const hostDirs = [join(repositoryDir, "runtime"), join(repositoryDir, "operators")];

type ScriptLoader = "ts" | "tsx" | "js" | "jsx";

const loaderByExtension: Record<string, ScriptLoader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
};

const transpilers = new Map<ScriptLoader, Bun.Transpiler>();

function transpilerFor(file: string): Bun.Transpiler | undefined {
  const loader = loaderByExtension[extname(file)];
  if (!loader) return undefined;
  let transpiler = transpilers.get(loader);
  if (!transpiler) {
    transpiler = new Bun.Transpiler({ loader });
    transpilers.set(loader, transpiler);
  }
  return transpiler;
}

/** Whether Bun can import `file` as a script (the graph also lists imported non-script files). */
export function isScriptFile(file: string): boolean {
  return extname(file) in loaderByExtension;
}

/**
 * The project files `entry` imports, directly or not, as they are on disk now, read statically
 * (Bun.Transpiler.scanImports; no code runs). Dependencies come before the files that import
 * them (post-order), and `entry` comes last. Only relative and absolute specifiers that resolve
 * inside `projectDir` are followed; packages and host modules ("vivid") are not project files.
 * A file that can't be read or parsed is listed but not followed.
 */
export function projectImportGraph(entry: string, projectDir: string): string[] {
  return importGraph(entry, (file) => isProjectFile(file, projectDir));
}

/**
 * Whether `file` is the chain's own code wherever it lies: not in a node_modules folder (packages
 * are loaded once, like any library) and not the host's runtime or operators.
 */
export function isChainSource(file: string): boolean {
  if (file.split(sep).includes("node_modules")) return false;
  return !hostDirs.some((dir) => file.startsWith(dir + sep));
}

/**
 * The chain's whole module graph as on disk now, in the same order as `projectImportGraph`: the
 * project's files and the files they import from outside the project folder (a shared helper in
 * `../lib/`), which are loaded afresh and watched like the project's own. Packages (node_modules)
 * and the host's own files are not followed.
 */
export function chainImportGraph(entry: string, projectDir: string): string[] {
  return importGraph(entry, (file) => isProjectFile(file, projectDir) || isChainSource(file));
}

function importGraph(entry: string, follow: (file: string) => boolean): string[] {
  const order: string[] = [];
  const visited = new Set<string>();
  const visit = (file: string) => {
    if (visited.has(file)) return;
    visited.add(file);
    for (const dependency of importsOf(file, follow)) visit(dependency);
    order.push(file);
  };
  visit(entry);
  return order;
}

function importsOf(file: string, follow: (file: string) => boolean): string[] {
  const transpiler = transpilerFor(file);
  if (!transpiler) return [];
  let imports: { path: string }[];
  try {
    imports = transpiler.scanImports(readFileSync(file, "utf8"));
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const { path } of imports) {
    if (!path.startsWith(".") && !path.startsWith("/")) continue;
    try {
      const resolved = Bun.resolveSync(path, dirname(file));
      if (follow(resolved)) found.push(resolved);
    } catch {
      // A missing file: the load reported it already.
    }
  }
  return found;
}

/** Where `text` has offset `index`, 1-based. */
function positionAt(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

const braceImportPattern = /\b(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s*from\s*(["'])([^"']+)\2/g;

/**
 * Finds the import that asks `module` for an export it lacks. Bun reports such link errors
 * without a position, naming either the module's absolute path ("Export named 'x' not found in
 * module '/p/b.ts'") or the specifier as written ("export 'x' not found in './b.ts'"); this
 * looks through `files` for an `import { x } from` / `export { x } from` of that module and
 * returns the position of `x`.
 */
export function findImportOfMissingExport(
  name: string,
  module: { path: string } | { specifier: string },
  files: Iterable<string>,
): { file: string; line: number; column: number } | undefined {
  for (const file of files) {
    if (!isScriptFile(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const match of text.matchAll(braceImportPattern)) {
      const specifier = match[3]!;
      if ("specifier" in module) {
        if (specifier !== module.specifier) continue;
      } else {
        try {
          if (Bun.resolveSync(specifier, dirname(file)) !== module.path) continue;
        } catch {
          continue;
        }
      }
      const bindings = match[1]!;
      const inBraces = new RegExp(`(^|[\\s,])${name.replace(/[$]/g, "\\$")}(?=$|[\\s,])`).exec(bindings);
      const bracesStart = match.index + match[0].indexOf("{") + 1;
      const index = inBraces ? bracesStart + inBraces.index + inBraces[1]!.length : match.index;
      return { file, ...positionAt(text, index) };
    }
  }
  return undefined;
}
