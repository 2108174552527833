import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { ErrorLocation } from "../stats/events.ts";
import { formatSourceExcerpt } from "../stats/format.ts";

/**
 * An error in the user's project: the stats protocol's ErrorLocation, the one record the ledger, the
 * dashboard, the terminal and the window overlay show. `file` is an absolute path; `line` and
 * `column` are 1-based, as editors count them.
 */
export type ChainError = ErrorLocation;

/** A position in a source file; `line` and `column` are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * Thrown by runtime code that already knows which line of the user's project is at fault
 * (usually from `callerLocation`), e.g. `chain.add(Unknown, "x")` or `blur.input("nosuch")`.
 * `toChainError` uses `location` instead of the stack, whose first frames lie in the runtime.
 */
export class LocatedError extends Error {
  readonly location: SourceLocation | undefined;

  constructor(message: string, location: SourceLocation | undefined) {
    super(message);
    this.name = "LocatedError";
    this.location = location;
  }
}

// The runtime's own folder: callerLocation skips its frames even when the project folder
// contains the runtime (a project rooted at the repository).
const runtimeDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Whether `file` lies inside `dir` and outside any node_modules folder under it. */
export function isProjectFile(file: string, projectDir: string): boolean {
  if (!isAbsolute(file)) return false;
  const rel = relative(projectDir, file);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return false;
  return !rel.split(sep).includes("node_modules");
}

/**
 * Parses one line of a V8/JavaScriptCore style stack ("    at fn (/a/b.ts:3:7)" or
 * "    at /a/b.ts:3:7") into a location. Frames without a file (native, eval) give undefined.
 */
export function parseStackFrame(frame: string): SourceLocation | undefined {
  const trimmed = frame.trim();
  if (!trimmed.startsWith("at ")) return undefined;
  let place = trimmed.slice(3);
  const open = place.indexOf(" (");
  if (place.endsWith(")") && open !== -1) place = place.slice(open + 2, -1);
  const match = /^(.*):(\d+):(\d+)$/.exec(place);
  if (!match) return undefined;
  let file = match[1]!;
  if (file.startsWith("file://")) file = fileURLToPath(file);
  if (!isAbsolute(file)) return undefined;
  return { file, line: Number(match[2]), column: Number(match[3]) };
}

/** The first frame of `stack` that lies in the project (outside node_modules and the runtime). */
export function firstProjectFrame(stack: string | undefined, projectDir: string): SourceLocation | undefined {
  if (!stack) return undefined;
  const dir = resolve(projectDir);
  for (const line of stack.split("\n")) {
    const location = parseStackFrame(line);
    if (!location || !isProjectFile(location.file, dir)) continue;
    if (isProjectFile(location.file, runtimeDir)) continue;
    return location;
  }
  return undefined;
}

/**
 * Where the user's code called into the runtime: the first frame of the current stack inside
 * the project. Runtime functions call this when they find a mistake (unknown operator, unknown
 * input) so the error points at the user's line in chain.ts rather than at the runtime.
 */
export function callerLocation(projectDir: string): SourceLocation | undefined {
  const previousLimit = Error.stackTraceLimit;
  // The user's frame can sit under several runtime frames; 10 (the default) is sometimes short.
  Error.stackTraceLimit = 50;
  const stack = new Error().stack;
  Error.stackTraceLimit = previousLimit;
  return firstProjectFrame(stack, projectDir);
}

/** Line `line` (1-based) of `file`, or undefined when the file can't be read. */
function readSourceLine(file: string, line: number): string | undefined {
  try {
    return readFileSync(file, "utf8").split(/\r?\n/)[line - 1];
  } catch {
    return undefined;
  }
}

/** `error` with `sourceLine` read from its file, when it has a line and no source line yet. */
export function withSourceLine(error: ChainError): ChainError {
  if (!error.file || !error.line || error.sourceLine !== undefined) return error;
  const sourceLine = readSourceLine(error.file, error.line);
  return sourceLine === undefined ? error : { ...error, sourceLine };
}

function withLocation(message: string, location: SourceLocation | undefined): ChainError {
  const error: ChainError = { message };
  if (location) {
    error.file = location.file;
    error.line = location.line;
    error.column = location.column;
    const sourceLine = readSourceLine(location.file, location.line);
    if (sourceLine !== undefined) error.sourceLine = sourceLine;
  }
  return error;
}

// Bun's parse errors (BuildMessage) keep their fields as prototype getters, not own properties.
interface BunBuildPosition {
  file: string;
  line: number;
  column: number;
  lineText?: string;
}

function buildPosition(err: object): BunBuildPosition | undefined {
  const position = (err as { position?: unknown }).position;
  if (!position || typeof position !== "object") return undefined;
  const { file, line, column } = position as Partial<BunBuildPosition>;
  if (typeof file !== "string" || typeof line !== "number" || typeof column !== "number") return undefined;
  return position as BunBuildPosition;
}

// A resolve error has no position, only the importer and the specifier; find the import line.
function locateSpecifier(referrer: string, specifier: string): SourceLocation | undefined {
  let text: string;
  try {
    text = readFileSync(referrer, "utf8");
  } catch {
    return undefined;
  }
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    for (const quote of ['"', "'", "`"]) {
      const at = lines[index]!.indexOf(quote + specifier + quote);
      if (at !== -1) return { file: referrer, line: index + 1, column: at + 1 };
    }
  }
  return { file: referrer, line: 1, column: 1 };
}

function errorMessage(err: unknown): string {
  if (err instanceof Error || (err && typeof err === "object" && "message" in err)) {
    const message = String((err as { message: unknown }).message);
    const name = (err as { name?: unknown }).name;
    // Bun's own names (BuildMessage, ResolveMessage) say nothing to the user; real error classes do.
    if (typeof name === "string" && name !== "Error" && name !== "BuildMessage" && name !== "ResolveMessage" && name !== "LocatedError") {
      return `${name}: ${message}`;
    }
    return message;
  }
  return String(err);
}

/**
 * Reduces anything a load or a setup call can throw to a ChainError:
 * - Bun parse errors (BuildMessage): their `.position` gives file, line, column and the line text;
 * - resolve errors (ResolveMessage): the importing file and the line holding the specifier;
 * - LocatedError (or any error with a `location`): that location;
 * - everything else: the first stack frame inside `projectDir`.
 */
export function toChainError(err: unknown, projectDir: string): ChainError {
  if (err instanceof AggregateError && err.errors.length > 0) {
    const first = toChainError(err.errors[0], projectDir);
    if (err.errors.length > 1) first.message += ` (and ${err.errors.length - 1} more)`;
    return first;
  }
  const message = errorMessage(err);
  if (!err || typeof err !== "object") return { message };

  const position = buildPosition(err);
  if (position) {
    const error: ChainError = { message, file: position.file, line: position.line, column: position.column };
    error.sourceLine = position.lineText ?? readSourceLine(position.file, position.line);
    return error;
  }

  const { referrer, specifier } = err as { referrer?: unknown; specifier?: unknown };
  if (typeof referrer === "string" && typeof specifier === "string" && isAbsolute(referrer)) {
    return withLocation(message, locateSpecifier(referrer, specifier));
  }

  const stack = typeof (err as { stack?: unknown }).stack === "string" ? (err as { stack: string }).stack : undefined;
  const location = (err as { location?: unknown }).location;
  if (location && typeof location === "object") {
    const { file, line, column } = location as Partial<SourceLocation>;
    if (typeof file === "string" && typeof line === "number") {
      return withLocation(message, { file, line, column: column ?? 1 });
    }
  }
  return withLocation(message, firstProjectFrame(stack, projectDir));
}

/**
 * One error as a compiler would print it, with the path relative to `relativeTo`:
 *
 *     examples/x/chain.ts:12:5: error: boom
 *       12 |   blur.input("nosuch")
 *          |     ^
 */
export function formatChainError(error: ChainError, relativeTo: string = process.cwd()): string {
  if (!error.file) return `error: ${error.message}`;
  const rel = relative(relativeTo, error.file);
  const shown = rel.startsWith("..") ? error.file : rel;
  const place = error.line ? `${shown}:${error.line}${error.column ? `:${error.column}` : ""}` : shown;
  const excerpt = error.line ? formatSourceExcerpt(error).map((line) => `  ${line}`) : [];
  return [`${place}: error: ${error.message}`, ...excerpt].join("\n");
}
