/**
 * Where a project's .json file is broken. JavaScriptCore's JSON.parse, which Bun's import of a .json
 * file reports, says what went wrong ("JSON Parse error: Unexpected token '}'") but neither the file
 * nor the place; this finds the imported .json file that does not parse and the offset where a
 * strict JSON reading first fails.
 */
import { readFileSync } from "node:fs";
import type { ChainError } from "./errors.ts";

/** The offset in `text` where strict JSON (RFC 8259) first fails, and what was expected there; undefined when it parses. */
export function jsonSyntaxError(text: string): { offset: number; expected: string } | undefined {
  let at = 0;
  class Failure {
    constructor(readonly expected: string) {}
  }
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[at] !== char) throw new Failure(`"${word}"`);
      at++;
    }
  };
  const string = () => {
    at++; // the opening quote
    for (;;) {
      const char = text[at];
      if (char === undefined || char === "\n") throw new Failure('a closing "');
      if (char === '"') return void at++;
      if (char < " ") throw new Failure("no control character in a string");
      if (char === "\\") {
        at++;
        if (text[at] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) throw new Failure("four hex digits after \\u");
          at += 5;
        } else if (text[at] !== undefined && '"\\/bfnrt'.includes(text[at]!)) at++;
        else throw new Failure("an escape: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u");
      } else at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) throw new Failure("a value");
    at += match[0].length;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === "{") {
      at++;
      space();
      if (text[at] === "}") return void at++;
      for (;;) {
        space();
        if (text[at] !== '"') throw new Failure("a property name in double quotes");
        string();
        space();
        if (text[at] !== ":") throw new Failure('":"');
        at++;
        value();
        space();
        if (text[at] === ",") at++;
        else if (text[at] === "}") return void at++;
        else throw new Failure('"," or "}"');
      }
    }
    if (char === "[") {
      at++;
      space();
      if (text[at] === "]") return void at++;
      for (;;) {
        value();
        space();
        if (text[at] === ",") at++;
        else if (text[at] === "]") return void at++;
        else throw new Failure('"," or "]"');
      }
    }
    if (char === '"') return string();
    if (char === "t") return literal("true");
    if (char === "f") return literal("false");
    if (char === "n") return literal("null");
    return number();
  };
  try {
    value();
    space();
    if (at < text.length) throw new Failure("the end of the file");
    return undefined;
  } catch (err) {
    if (err instanceof Failure) return { offset: at, expected: err.expected };
    throw err;
  }
}

/** `error` (a JSON parse error of a load) located in the first of `files` that is .json and does not parse. */
export function locateJsonError(error: ChainError, files: Iterable<string>): ChainError | undefined {
  for (const file of files) {
    if (!file.endsWith(".json")) continue;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const failure = jsonSyntaxError(text);
    if (!failure) continue;
    const before = text.slice(0, failure.offset).split("\n");
    const line = before.length;
    const message = `${error.message.replace(/^SyntaxError: /, "")} (expected ${failure.expected})`;
    return { message, file, line, column: before[line - 1]!.length + 1, sourceLine: text.split(/\r?\n/)[line - 1] };
  }
  return undefined;
}
