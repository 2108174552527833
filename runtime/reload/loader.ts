import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type ChainError, isProjectFile, suggest, toChainError, withSourceLine } from "./errors.ts";
import { locateJsonError } from "./json-errors.ts";
import { settleAfterError, snapshotFiles } from "./half-written.ts";
import { chainImportGraph, findImportOfMissingExport, isScriptFile, projectImportGraph } from "./module-graph.ts";
import { guardProjectModules } from "../guard/loop-guard.ts";

/**
 * What a chain file exports: `setup` builds the chain, `update` (optional) runs every frame,
 * `dispose` (optional) runs once this version is replaced or the run ends.
 */
export interface ChainModule {
  setup: (...args: any[]) => unknown;
  update?: (...args: any[]) => unknown;
  dispose?: (...args: any[]) => unknown;
}

/**
 * The outcome of one load. `files` are the files the chain imported: on success the project's
 * modules now in Bun's cache and the ones imported from outside the project folder, on failure the
 * project's imports read statically from disk.
 * `pending: true` means a file involved changed while the load ran (an editor still writing):
 * keep the old chain, show nothing, and wait for the watcher's next event. `ms` covers the whole
 * call, including the short wait that decides `pending`.
 */
export type LoadResult =
  | { ok: true; module: ChainModule; files: string[]; ms: number }
  | { ok: false; error: ChainError; pending: boolean; files: string[]; ms: number };

export interface LoadOptions {
  /** A load error on a file modified less than this long ago waits this long to see whether the file is still being written. 0 turns it off. */
  settleMs?: number;
}

const hostModules = new Map<string, object>();

/**
 * Makes `import { ... } from name` resolve to `api` in every chain file, also in project folders
 * without node_modules. Registered once per process: every reload then gets the same objects, so
 * classes stay identical and `instanceof` holds across reloads. Registering the same name again
 * with the same api does nothing; with another api it throws, since chains loaded before and
 * after would see different classes.
 */
export function registerHostModule(name: string, api: object): void {
  const registered = hostModules.get(name);
  if (registered === api) return;
  if (registered) {
    throw new Error(`host module "${name}" is already registered with another api; classes would differ between reloads`);
  }
  hostModules.set(name, api);
  Bun.plugin({
    name: `host module ${name}`,
    setup(build) {
      build.module(name, () => ({ exports: api as Record<string, unknown>, loader: "object" }));
    },
  });
}

// Bun keys its module cache by real path; a project reached through a symlink must match them.
function realPath(path: string): string {
  try {
    return realpathSync(resolve(path));
  } catch {
    return resolve(path);
  }
}

/** The project's own modules in Bun's module cache (never node_modules, never files outside). */
export function projectModulesInCache(projectDir: string): string[] {
  const dir = realPath(projectDir);
  return Object.keys(require.cache).filter((key) => isProjectFile(key, dir)).sort();
}

/**
 * Removes the project's own modules from Bun's module cache so the next import reads them again.
 * `alsoFiles` are deleted by name too: a module whose load failed is kept by Bun under its path
 * but not listed in require.cache, and `delete` still removes it. Returns how many were listed.
 */
export function evictProjectModules(projectDir: string, alsoFiles: Iterable<string> = []): number {
  const modules = projectModulesInCache(projectDir);
  for (const key of modules) delete require.cache[key];
  for (const file of alsoFiles) delete require.cache[file];
  return modules.length;
}

/**
 * Clears what a failed import leaves behind in Bun 1.4.5. When a graph fails (parse error,
 * missing export, missing file, top-level throw), the modules Bun fetched but never evaluated
 * stay in its registry: require.cache does not list them and `delete require.cache[path]`
 * ignores them, so the next load silently reuses their old text (an edit to them seems lost).
 * Importing such a module settles it (evaluated or failed), and a settled module can be deleted.
 * Dependencies are imported before their importers so no import leaves new unsettled modules.
 * The cost: the top level of the failed graph's modules runs once more, on the failure path only.
 */
async function releaseFailedGraph(chainFile: string, projectDir: string): Promise<void> {
  const graph = chainImportGraph(chainFile, projectDir);
  for (const file of graph) {
    if (!isScriptFile(file) || file in require.cache) continue;
    try {
      await import(pathToFileURL(file).href);
    } catch {
      // Failing is settling too: the entry now holds its error and can be deleted.
    }
  }
  evictProjectModules(projectDir, graph);
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

function checkExports(exports: Record<string, unknown>, chainFile: string): ChainError | undefined {
  const shown = displayPath(chainFile);
  if (typeof exports.setup !== "function") {
    const found = "setup" in exports ? `"setup" is a ${typeof exports.setup}` : `exports: ${Object.keys(exports).join(", ") || "none"}`;
    return { message: `${shown} must export a function named "setup" (${found})`, file: chainFile };
  }
  for (const name of ["update", "dispose"]) {
    if (exports[name] !== undefined && typeof exports[name] !== "function") {
      return { message: `${shown}: "${name}" must be a function (it is a ${typeof exports[name]})`, file: chainFile };
    }
  }
  return undefined;
}

// The dependency set of each chain's last successful load: a half-written helper is noticed too.
const lastFilesByChain = new Map<string, string[]>();

async function loadOnce(chainFile: string, projectDir: string, options: LoadOptions): Promise<LoadResult> {
  const startedAt = performance.now();
  const dir = realPath(projectDir);
  const file = realPath(chainFile);
  const settleMs = options.settleMs ?? 50;
  // The project's modules load instrumented: an endless loop in them ends with a located error.
  guardProjectModules(dir);

  const lastFiles = lastFilesByChain.get(file) ?? [];
  // Files the chain imports from outside the project folder are the chain's code too: read afresh.
  const outsideFiles = chainImportGraph(file, dir).filter((graphFile) => !isProjectFile(graphFile, dir));
  evictProjectModules(dir, [file, ...lastFiles, ...outsideFiles]);
  const before = snapshotFiles([file, ...lastFiles]);

  const fail = async (error: ChainError): Promise<LoadResult> => {
    const involved = error.file && isProjectFile(error.file, dir) ? [error.file] : [];
    const verdict = await settleAfterError(before, involved, settleMs);
    // Nothing of a failed graph stays loaded; what it imports on disk is what to watch.
    const files = projectImportGraph(file, dir).sort();
    return { ok: false, error, pending: verdict === "changed", files, ms: performance.now() - startedAt };
  };

  let exports: Record<string, unknown>;
  try {
    exports = await import(pathToFileURL(file).href);
  } catch (err) {
    const error = locateLinkError(toChainError(err, dir, { files: projectImportGraph(file, dir) }), file, dir);
    await releaseFailedGraph(file, dir);
    return fail(error);
  }
  const exportError = checkExports(exports, file);
  if (exportError) return fail(exportError);

  const files = [...projectModulesInCache(dir), ...outsideFiles.filter((outside) => outside in require.cache)];
  lastFilesByChain.set(file, files);
  return { ok: true, module: exports as unknown as ChainModule, files, ms: performance.now() - startedAt };
}

// Bun's "missing export" link errors carry no position: point them at the import asking for it.
// A name missing from a host module ("vivid") gets the closest name it does export, too.
// A JSON parse error names neither the file nor the place: the project's broken .json is found.
function locateLinkError(error: ChainError, chainFile: string, projectDir: string): ChainError {
  if (error.file) return error;
  const graph = projectImportGraph(chainFile, projectDir);
  if (/JSON Parse error/.test(error.message)) return locateJsonError(error, graph) ?? error;
  const byPath = /Export named '([^']+)' not found in module '([^']+)'/.exec(error.message);
  const bySpecifier = /export '([^']+)' not found in '([^']+)'/.exec(error.message);
  const [, name, module] = byPath ?? bySpecifier ?? [];
  if (!name || !module) return error;
  const location = findImportOfMissingExport(name, byPath && isAbsolute(module) ? { path: module } : { specifier: module }, graph);
  const host = hostModules.get(module);
  const message = host ? `"${name}" is not exported by "${module}"${suggest(name, Object.keys(host))}` : error.message;
  return location ? withSourceLine({ ...error, ...location, message }) : { ...error, message };
}

// Loads run one at a time: two interleaved loads would evict each other's modules mid-import.
let loadQueue: Promise<unknown> = Promise.resolve();

/**
 * Loads `chainFile` afresh: evicts the project's modules from Bun's cache, imports the chain
 * (which imports its helpers again) and checks that it exports `setup`. Never throws; errors
 * come back as ChainError with file:line:col. Calls are queued and run one at a time.
 */
export function loadChainModule(chainFile: string, projectDir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const result = loadQueue.then(() => loadOnce(chainFile, projectDir, options));
  loadQueue = result.catch(() => undefined);
  return result;
}
