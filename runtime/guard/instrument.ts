/**
 * Loop guards, the source half: a project module's text is parsed (oxc-parser) and every loop body
 * and function body gets a mark at its start (magic-string): `$vivid$guard.site = <id>`, the place
 * the module is running now. No newline is inserted, so line numbers stay those of the file on disk;
 * the columns an insertion shifts are recorded, and runtime/guard/columns.ts maps a stack trace's
 * column back (Bun ignores a source map in a plugin's output, measured with Bun 1.4.5).
 *
 * The mark is one store: what stops a loop is JavaScriptCore's watchdog, armed around every call the
 * runtime makes into the chain's code (loop-guard.ts), and the mark says where it stopped. Code that
 * runs outside such a call, a module's top level and the body of an async function or generator (what
 * follows an `await` runs from the event loop), gets a counted check as well: one increment and one
 * compare inline, and every CHECK_EVERY counts a look at the clock. A file that does not parse is
 * returned unchanged: Bun then reports the syntax error at its place.
 */
import MagicString from "magic-string";
import { parseSync } from "oxc-parser";
import type { LineInsertions } from "./columns.ts";

/** The global the instrumented code reads its guard from (one per process, see loop-guard.ts). */
export const GUARD_GLOBAL = "vivid.loopGuard";
/** The name the instrumented code declares at its top; a project's own code would not use it. */
const GUARD = "$vivid$guard";

/** One guarded place: a loop (its keyword) or a function (its entry), 1-based line and column. */
export interface GuardSite {
  kind: "while" | "do-while" | "for" | "for-in" | "for-of" | "function";
  line: number;
  column: number;
}

export interface Instrumented {
  code: string;
  /** Site `i` of `sites` is marked as `firstSite + i`. */
  sites: GuardSite[];
  /** Per line (1-based): where text was inserted (original 1-based column, in order) and how long it is. */
  insertions: Map<number, LineInsertions>;
}

type Node = { type: string; start: number; end: number; [key: string]: unknown };

const LOOPS: Record<string, GuardSite["kind"]> = {
  WhileStatement: "while",
  DoWhileStatement: "do-while",
  ForStatement: "for",
  ForInStatement: "for-in",
  ForOfStatement: "for-of",
};
const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as Node).type === "string" && typeof (value as Node).start === "number";
}

/**
 * Visits every node, outer first; `visit` returns the context for the node's children (whether a
 * site there is counted: outside functions, or in an async function or generator).
 */
function walk(node: Node, counted: boolean, visit: (node: Node, counted: boolean) => boolean): void {
  const inner = visit(node, counted);
  for (const key in node) {
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) walk(item, inner, visit);
    } else if (isNode(value)) walk(value, inner, visit);
  }
}

/** Line starts (UTF-16 offsets, as oxc-parser gives them) for offset → line:column. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - starts[low]! + 1 };
}

/**
 * `text` (the module at `file`) with a guard check at the start of every loop body and function
 * body, or undefined when it does not parse or holds neither.
 */
export function instrument(file: string, text: string, firstSite = 0): Instrumented | undefined {
  const lang = /\.tsx$/.test(file) ? "tsx" : /\.jsx$/.test(file) ? "jsx" : /\.m?js$/.test(file) ? "js" : "ts";
  const parsed = parseSync(file, text, { lang, sourceType: "module" });
  if (parsed.errors.length > 0) return undefined;
  const starts = lineStarts(text);
  const edit = new MagicString(text);
  const sites: GuardSite[] = [];
  const insertions = new Map<number, LineInsertions>();
  // Openers are appended (an outer one, visited first, stays first); closers are prepended (an
  // inner one, visited later, closes first): `while (c) x => x` becomes `{…(…, x)}`.
  const insert = (offset: number, inserted: string, closer = false) => {
    if (closer) edit.prependLeft(offset, inserted);
    else edit.appendLeft(offset, inserted);
    const { line, column } = position(starts, offset);
    const list = insertions.get(line) ?? [];
    list.push({ column, length: inserted.length });
    insertions.set(line, list);
  };
  // At a site outside every function, or in an async function or generator, the check is counted too.
  const mark = (site: number, counted: boolean) => `${GUARD}.site=${firstSite + site};` + (counted ? `if(++${GUARD}.n>=${GUARD}.at)${GUARD}.check();` : "");
  const markExpression = (site: number, counted: boolean) => `${GUARD}.site=${firstSite + site}` + (counted ? `,++${GUARD}.n>=${GUARD}.at&&${GUARD}.check()` : "");
  const addSite = (kind: GuardSite["kind"], at: number) => {
    sites.push({ kind, ...position(starts, at) });
    return sites.length - 1;
  };

  walk(parsed.program as unknown as Node, true, (node, counted) => {
    const loop = LOOPS[node.type];
    if (loop) {
      const body = node.body as Node;
      const site = addSite(loop, node.start);
      if (body.type === "BlockStatement") insert(body.start + 1, mark(site, counted));
      else {
        insert(body.start, `{${mark(site, counted)}`);
        insert(body.end, "}", true);
      }
      return counted;
    }
    if (!FUNCTIONS.has(node.type)) return counted;
    const inner = node.async === true || node.generator === true;
    if (!isNode(node.body)) return inner; // overloads and `declare` have no body
    const body = node.body;
    const site = addSite("function", node.start);
    if (body.type === "BlockStatement") {
      // After the directive prologue ("use strict" must stay first to count).
      const statements = body.body as Node[];
      let at = body.start + 1;
      for (const statement of statements) {
        if (statement.type !== "ExpressionStatement" || typeof statement.directive !== "string") break;
        at = statement.end;
      }
      insert(at, mark(site, inner));
    } else {
      // An arrow's expression body: (mark, expression).
      insert(body.start, `(${markExpression(site, inner)},`);
      insert(body.end, ")", true);
    }
    return inner;
  });
  if (sites.length === 0) return undefined;

  // The header goes on line 1 (after a #! line), so no line moves.
  // Its top level starts: counted checks there are measured from here.
  const header = `const ${GUARD}=globalThis[Symbol.for(${JSON.stringify(GUARD_GLOBAL)})];${GUARD}.evaluating();`;
  const headerAt = text.startsWith("#!") ? (text.indexOf("\n") + 1 || text.length) : 0;
  const headerText = headerAt === text.length ? `\n${header}` : header;
  edit.prependLeft(headerAt, headerText);
  const headerLine = position(starts, headerAt).line;
  insertions.set(headerLine, [{ column: 1, length: headerText.length }, ...(insertions.get(headerLine) ?? [])]);
  // Insertions were made in walk order; the column map reads them left to right (a stable sort
  // keeps the order of those made at one place, which is the order of their text).
  for (const list of insertions.values()) list.sort((a, b) => a.column - b.column);
  return { code: edit.toString(), sites, insertions };
}
