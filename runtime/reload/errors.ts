import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { ErrorLocation } from "../stats/events.ts";
import { formatSourceExcerpt } from "../stats/format.ts";
import { originalColumn } from "../guard/columns.ts";

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
  const line = Number(match[2]);
  // A project module runs instrumented (runtime/guard/): its columns are mapped back to the file on disk.
  return { file, line, column: originalColumn(file, line, Number(match[3])) };
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
  // A thrown string is the user's message; anything else is shown as written, with the fix.
  if (typeof err === "string") return err;
  return `threw ${shownValue(err)}, not an Error (throw new Error("…") gives a message and a stack)`;
}

function shownValue(value: unknown): string {
  if (value && typeof value === "object") {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

const SCRIPT_FILE = /\.[cm]?[jt]sx?$/;

/**
 * Where `throw <value>` is written in `files` (the project's scripts), for a thrown value that is not
 * an Error and so has no stack: null, undefined, a number, a boolean or a string literal is found as
 * written; an object or array literal as `throw {` / `throw [`. The first such throw, at `throw`.
 */
export function findThrowOf(value: unknown, files: Iterable<string>): SourceLocation | undefined {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  let written: RegExp;
  if (typeof value === "string") written = new RegExp(`\\bthrow\\s+(["'\`])${escape(value)}\\1`);
  else if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean") {
    written = new RegExp(`\\bthrow\\s+${escape(String(value))}(?![\\w.])`);
  } else if (typeof value === "object") written = Array.isArray(value) ? /\bthrow\s*\[/ : /\bthrow\s*\{/;
  else return undefined;
  for (const file of files) {
    if (!SCRIPT_FILE.test(file)) continue;
    let lines: string[];
    try {
      lines = readFileSync(file, "utf8").split(/\r?\n/);
    } catch {
      continue;
    }
    for (let index = 0; index < lines.length; index++) {
      const match = written.exec(lines[index]!);
      if (match) return { file, line: index + 1, column: match.index + 1 };
    }
  }
  return undefined;
}

/** What `toChainError` may use when the thrown value does not say where it came from. */
export interface ErrorContext {
  /** Where the user's code asked for what failed (an operator's `chain.add`): used when the error has no frame in the project. */
  site?: Error;
  /** The project's script files, searched for the `throw` of a value that is not an Error. */
  files?: Iterable<string>;
}

/**
 * Reduces anything a load or a setup call can throw to a ChainError:
 * - Bun parse errors (BuildMessage): their `.position` gives file, line, column and the line text;
 * - resolve errors (ResolveMessage): the importing file and the line holding the specifier;
 * - LocatedError (or any error with a `location`): that location;
 * - a value that is not an Error (`throw null`, `throw "x"`): its `throw` in `context.files`;
 * - everything else: the first stack frame inside `projectDir`;
 * and, for what none of these place, the first project frame of `context.site`.
 */
export function toChainError(err: unknown, projectDir: string, context: ErrorContext = {}): ChainError {
  if (err instanceof AggregateError && err.errors.length > 0) {
    const first = toChainError(err.errors[0], projectDir, context);
    if (err.errors.length > 1) first.message += ` (and ${err.errors.length - 1} more)`;
    return first;
  }
  const message = errorMessage(err);
  const site = () => firstProjectFrame(context.site?.stack, projectDir);
  // Bun's BuildMessage and ResolveMessage are no Errors, but they have a message and a place.
  if (!err || typeof err !== "object" || !("message" in err)) {
    const thrownAt = context.files ? findThrowOf(err, context.files) : undefined;
    return withLocation(message, thrownAt ?? site());
  }

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

  const stack = typeof (err as { stack?: unknown }).stack === "string" ? (err as unknown as { stack: string }).stack : undefined;
  const location = (err as { location?: unknown }).location;
  if (location && typeof location === "object") {
    const { file, line, column } = location as Partial<SourceLocation>;
    if (typeof file === "string" && typeof line === "number") {
      return withLocation(message, { file, line, column: column ?? 1 });
    }
  }
  return withLocation(message, firstProjectFrame(stack, projectDir) ?? site());
}

/**
 * One error as a compiler would print it, with the path relative to `relativeTo`:
 *
 *     examples/x/chain.ts:12:5: error: boom
 *       12 |   blur.input("nosuch")
 *          |     ^
 */
export function formatChainError(error: ChainError, relativeTo: string = process.cwd()): string {
  const kind = error.severity === "warning" ? "warning" : "error";
  if (!error.file) return `${kind}: ${error.message}`;
  const rel = relative(relativeTo, error.file);
  const shown = rel.startsWith("..") ? error.file : rel;
  const place = error.line ? `${shown}:${error.line}${error.column ? `:${error.column}` : ""}` : shown;
  const excerpt = error.line ? formatSourceExcerpt(error).map((line) => `  ${line}`) : [];
  return [`${place}: ${kind}: ${error.message}`, ...excerpt].join("\n");
}

/** ` — did you mean "x"?` for the known name closest to `name` within two edits, or "". */
export function suggest(name: string, known: string[]): string {
  let close: string | undefined;
  let closest = 3;
  for (const candidate of known) {
    const distance = editDistance(candidate.toLowerCase(), name.toLowerCase());
    if (distance < closest) [close, closest] = [candidate, distance];
  }
  return close ? ` — did you mean "${close}"?` : "";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
