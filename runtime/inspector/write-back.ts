/**
 * Write-back: a param edit made in the inspector becomes an edit of the chain file, the way the user
 * would have typed it. The file is parsed with oxc-parser (a real TypeScript parser, ESTree nodes with
 * offsets) and edited with magic-string, so only the characters of the value change: the assignment
 * `mirror.segments = 8` in `setup` becomes `mirror.segments = 6` on the same line, comments and
 * formatting untouched. A param that `setup` does not assign a literal to gets a new line after the
 * operator's last statement instead. The file is then saved as editors save (a temp file, a rename),
 * so the hot reload picks it up like any other save.
 */
import { renameSync, statSync, chmodSync, writeFileSync, readFileSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import MagicString from "magic-string";
import { parseSync } from "oxc-parser";
import type { ParamValue } from "../chain/params.ts";

/** A node of oxc-parser's ESTree output; only the fields read here are typed. */
interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** Where one param's value is set in the source, or where a new line for it would go. */
export type ParamSite =
  /** `setup` assigns a literal: its text is replaced (`line` is 1-based). */
  | { kind: "replace"; line: number; start: number; end: number; text: string }
  /** No literal assignment (none, or an expression): a new statement `text` goes after `line`. */
  | { kind: "insert"; line: number; at: number; indent: string; target: string; reason: string };

/** One edit to make: operator, param and the value to write. */
export interface WriteBackEdit {
  operator: string;
  param: string;
  value: ParamValue;
}

export interface AppliedEdit extends WriteBackEdit {
  kind: "replace" | "insert";
  /** The 1-based line that now holds the value. */
  line: number;
  /** That line's text after the edit. */
  text: string;
}

export type WriteBackResult = { ok: true; source: string; edits: AppliedEdit[] } | { ok: false; message: string };

/** What the source says about one operator: its `chain.add` line, the variable holding it, where to insert. */
export interface OperatorSite {
  name: string;
  /** 1-based line of its `chain.add`. */
  addLine: number;
  /** The variable the operator is kept in (`const mirror = chain.add(Mirror, "mirror")`), if any. */
  variable?: string;
  /** Source text of the class passed to `chain.add` (for `chain.get("x", Class)`). */
  typeText: string;
  /** Source text of the chain object `add` was called on (`chain`, `ctx.chain`). */
  chainText: string;
  /** Offset just after the last statement of `setup` that mentions the operator; a new line goes there. */
  insertAt: number;
  indent: string;
  /** Literal assignments in `setup` to `variable.param`, the last one per param. */
  assignments: Map<string, { start: number; end: number; literal: boolean; statementStart: number }>;
}

/** Parses `source` and finds every operator `setup` adds by a string name. Throws a located message on a syntax error. */
export function locateOperators(file: string, source: string): Map<string, OperatorSite> {
  const parsed = parseSync(basename(file), source);
  if (parsed.errors.length > 0) {
    const error = parsed.errors[0]!;
    const at = error.labels?.[0]?.start ?? 0;
    const { line, column } = lineColumn(source, at);
    throw new Error(`${file}:${line}:${column}: ${error.message} (the file does not parse; fix it before committing)`);
  }
  const setupBody = findSetupBody(parsed.program as unknown as Node);
  const sites = new Map<string, OperatorSite>();
  if (!setupBody) return sites;
  const statements = setupBody.body as Node[];
  const variableOf = new Map<string, string>();
  for (const statement of statements) {
    for (const call of findAddCalls(statement)) {
      const [typeArg, nameArg] = call.arguments as Node[];
      if (!typeArg || nameArg?.type !== "Literal" || typeof nameArg.value !== "string") continue;
      const name = nameArg.value;
      const callee = call.callee as Node;
      const variable = declaredVariable(statement, call);
      if (variable) variableOf.set(variable, name);
      sites.set(name, {
        name,
        addLine: lineColumn(source, call.start).line,
        variable,
        typeText: source.slice(typeArg.start, typeArg.end),
        chainText: source.slice((callee.object as Node).start, (callee.object as Node).end),
        insertAt: statement.end,
        indent: indentOf(source, statement.start),
        assignments: new Map(),
      });
    }
  }
  // Later statements that use an operator's variable move its insertion point below them, and its
  // assignments `variable.param = value` are recorded (the last one wins, as it does when setup runs).
  for (const statement of statements) {
    for (const [variable, name] of variableOf) {
      const site = sites.get(name)!;
      if (!mentions(statement, variable)) continue;
      if (statement.end > site.insertAt) {
        site.insertAt = statement.end;
        site.indent = indentOf(source, statement.start);
      }
      const assignment = paramAssignment(statement, variable);
      if (assignment) site.assignments.set(assignment.param, { start: assignment.value.start, end: assignment.value.end, literal: isLiteral(assignment.value), statementStart: statement.start });
    }
  }
  return sites;
}

/** Where `operator.param` is set in `setup`, or where a new line for it would go; undefined when setup does not add the operator by name. */
export function locateParam(sites: Map<string, OperatorSite>, source: string, operator: string, param: string): ParamSite | undefined {
  const site = sites.get(operator);
  if (!site) return undefined;
  const assigned = site.assignments.get(param);
  if (assigned?.literal) {
    const line = lineColumn(source, assigned.start).line;
    return { kind: "replace", line, start: assigned.start, end: assigned.end, text: source.slice(assigned.start, assigned.end) };
  }
  const target = site.variable ?? `${site.chainText}.get(${JSON.stringify(operator)}, ${site.typeText})`;
  const reason = assigned ? "setup assigns an expression, not a literal" : "setup does not assign it";
  return { kind: "insert", line: lineColumn(source, site.insertAt).line, at: site.insertAt, indent: site.indent, target, reason };
}

/** The value as TypeScript source, in the quote style of `previous` (a replaced literal) when it is a string. */
export function formatValue(value: ParamValue, previous?: string): string {
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "string") {
    const quote = previous?.startsWith("'") ? "'" : '"';
    const escaped = value.replaceAll("\\", "\\\\").replaceAll(quote, `\\${quote}`);
    return `${quote}${escaped}${quote}`;
  }
  return `[${value.map(formatNumber).join(", ")}]`;
}

/** Six significant digits, without trailing zeros: a slider's 0.30000001 is written 0.3. */
function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** Applies `edits` to `source`; every edit is located first, so one that cannot be placed changes nothing. */
export function rewriteSource(file: string, source: string, edits: readonly WriteBackEdit[]): WriteBackResult {
  let sites: Map<string, OperatorSite>;
  try {
    sites = locateOperators(file, source);
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  const magic = new MagicString(source);
  const planned: Array<{ edit: WriteBackEdit; site: ParamSite }> = [];
  for (const edit of edits) {
    const site = locateParam(sites, source, edit.operator, edit.param);
    if (!site) return { ok: false, message: `${file}: setup() has no chain.add(…, "${edit.operator}") to write ${edit.operator}.${edit.param} next to` };
    planned.push({ edit, site });
  }
  for (const { edit, site } of planned) {
    if (site.kind === "replace") magic.overwrite(site.start, site.end, formatValue(edit.value, site.text));
    else magic.appendLeft(site.at, `\n${site.indent}${site.target}.${edit.param} = ${formatValue(edit.value)};`);
  }
  const result = magic.toString();
  // Report each edit's line as it reads in the new text: each insert above it adds one line.
  const lines = result.split("\n");
  const applied: AppliedEdit[] = planned.map(({ edit, site }, index) => {
    const position = site.kind === "replace" ? site.start : site.at;
    const insertedAbove = planned.filter((other, otherIndex) => other.site.kind === "insert" && (other.site.at < position || (other.site.at === position && otherIndex < index))).length;
    const line = site.line + insertedAbove + (site.kind === "insert" ? 1 : 0);
    return { ...edit, kind: site.kind, line, text: lines[line - 1] ?? "" };
  });
  return { ok: true, source: result, edits: applied };
}

/**
 * Reads `file`, applies `edits` and saves the result as editors do: the new text into a temporary
 * file beside it (same folder, so the rename is atomic; a name the watcher ignores), then a rename
 * over the original, keeping its mode. Never throws: a failure comes back as a message naming the file.
 */
export function commitToFile(file: string, edits: readonly WriteBackEdit[]): WriteBackResult {
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (err) {
    return { ok: false, message: `${file}: cannot read (${err instanceof Error ? err.message : String(err)})` };
  }
  const result = rewriteSource(file, source, edits);
  if (!result.ok) return result;
  const temp = join(dirname(file), `.${basename(file)}.vivid-inspector.tmp`);
  try {
    writeFileSync(temp, result.source);
    chmodSync(temp, statSync(file).mode & 0o777);
    renameSync(temp, file);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // The temp file was never written.
    }
    return { ok: false, message: `${file}: not saved (${err instanceof Error ? err.message : String(err)})` };
  }
  return result;
}

/** 1-based line and column of an offset. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function indentOf(source: string, offset: number): string {
  const lineStart = source.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(source.slice(lineStart, offset))![0];
}

/** The body of `export function setup(…) {…}` or `export const setup = (…) => {…}`. */
function findSetupBody(program: Node): Node | undefined {
  for (const statement of program.body as Node[]) {
    const declaration = statement.type === "ExportNamedDeclaration" ? (statement.declaration as Node | null) : statement;
    if (!declaration) continue;
    if (declaration.type === "FunctionDeclaration" && (declaration.id as Node | null)?.name === "setup") return declaration.body as Node;
    if (declaration.type === "VariableDeclaration") {
      for (const declarator of declaration.declarations as Node[]) {
        const init = declarator.init as Node | null;
        if ((declarator.id as Node).name === "setup" && init && (init.type === "ArrowFunctionExpression" || init.type === "FunctionExpression") && (init.body as Node).type === "BlockStatement") {
          return init.body as Node;
        }
      }
    }
  }
  return undefined;
}

/** Every `<x>.add(Type, "name")` call inside `node` (the innermost of a fluent chain included). */
function findAddCalls(node: Node): Node[] {
  const calls: Node[] = [];
  walk(node, (child) => {
    if (child.type !== "CallExpression") return;
    const callee = child.callee as Node;
    if (callee.type === "MemberExpression" && !callee.computed && (callee.property as Node).name === "add" && (child.arguments as Node[]).length >= 2) calls.push(child);
  });
  return calls;
}

/** `const x = chain.add(…)…` → "x" when the declaration's initialiser contains `call`. */
function declaredVariable(statement: Node, call: Node): string | undefined {
  if (statement.type !== "VariableDeclaration") return undefined;
  for (const declarator of statement.declarations as Node[]) {
    const init = declarator.init as Node | null;
    const id = declarator.id as Node;
    if (init && id.type === "Identifier" && init.start <= call.start && call.end <= init.end) return id.name as string;
  }
  return undefined;
}

/** `variable.param = value;` as a statement of its own. */
function paramAssignment(statement: Node, variable: string): { param: string; value: Node } | undefined {
  if (statement.type !== "ExpressionStatement") return undefined;
  const expression = statement.expression as Node;
  if (expression.type !== "AssignmentExpression" || expression.operator !== "=") return undefined;
  const left = expression.left as Node;
  if (left.type !== "MemberExpression" || left.computed || (left.object as Node).type !== "Identifier" || (left.object as Node).name !== variable) return undefined;
  return { param: (left.property as Node).name as string, value: expression.right as Node };
}

/** A literal the inspector can overwrite: a number (signed), a string, a boolean, an array of numbers. */
function isLiteral(node: Node): boolean {
  if (node.type === "Literal") return typeof node.value === "number" || typeof node.value === "string" || typeof node.value === "boolean";
  if (node.type === "UnaryExpression" && node.operator === "-") return (node.argument as Node).type === "Literal" && typeof (node.argument as Node).value === "number";
  if (node.type === "ArrayExpression") return (node.elements as Array<Node | null>).every((element) => element !== null && isLiteral(element) && !(element.type === "Literal" && typeof element.value !== "number"));
  if (node.type === "TSAsExpression" || node.type === "TSSatisfiesExpression") return isLiteral(node.expression as Node);
  return false;
}

function mentions(node: Node, variable: string): boolean {
  let found = false;
  walk(node, (child) => {
    if (child.type === "Identifier" && child.name === variable) found = true;
  });
  return found;
}

function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  for (const key of Object.keys(node)) {
    if (key === "type" || key === "start" || key === "end") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item === "object" && typeof (item as Node).type === "string") walk(item as Node, visit);
    } else if (value && typeof value === "object" && typeof (value as Node).type === "string") {
      walk(value as Node, visit);
    }
  }
}
