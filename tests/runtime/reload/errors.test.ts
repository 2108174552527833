import { describe, expect, test } from "vitest";
import { errors } from "./native.ts";

const { firstProjectFrame, formatChainError, parseStackFrame, toChainError, LocatedError } = errors;

describe("parseStackFrame", () => {
  test.each([
    ["    at setup (/p/chain.ts:3:7)", { file: "/p/chain.ts", line: 3, column: 7 }],
    ["    at /p/chain.ts:12:1", { file: "/p/chain.ts", line: 12, column: 1 }],
    ["    at async setup (/p/my dir/chain.ts:4:5)", { file: "/p/my dir/chain.ts", line: 4, column: 5 }],
    ["    at new Blur (/p/ops (old)/blur.ts:9:2)", { file: "/p/ops (old)/blur.ts", line: 9, column: 2 }],
    ["    at <anonymous> (file:///p/chain.ts:2:3)", { file: "/p/chain.ts", line: 2, column: 3 }],
  ])("%s", (frame, expected) => {
    expect(parseStackFrame(frame)).toEqual(expected);
  });

  test.each(["    at map (native:1:11)", "    at <anonymous>", "Error: boom", "    at eval (eval at x:1:2)"])("no file in %s", (frame) => {
    expect(parseStackFrame(frame)).toBeUndefined();
  });
});

describe("firstProjectFrame", () => {
  const stack = [
    "Error: boom",
    "    at check (/repo/runtime/chain/chain.ts:40:11)",
    "    at helper (/proj/node_modules/lib/index.js:1:1)",
    "    at setup (/proj/chain.ts:7:3)",
    "    at load (/repo/runtime/reload/loader.ts:1:1)",
  ].join("\n");

  test("skips frames outside the project and in its node_modules", () => {
    expect(firstProjectFrame(stack, "/proj")).toEqual({ file: "/proj/chain.ts", line: 7, column: 3 });
  });

  test("a project folder that is a prefix of another folder's name does not contain it", () => {
    expect(firstProjectFrame("Error\n    at f (/projects/x.ts:1:1)", "/proj")).toBeUndefined();
  });
});

describe("toChainError", () => {
  test("a thrown string", () => {
    expect(toChainError("nope", "/proj")).toEqual({ message: "nope" });
  });

  test("a Bun parse error (position getters)", () => {
    const parseError = Object.create({
      name: "BuildMessage",
      message: "Unexpected =",
      position: { file: "/proj/chain.ts", line: 3, column: 11, lineText: "  let y = = 2;" },
    });
    expect(toChainError(parseError, "/proj")).toEqual({
      message: "Unexpected =",
      file: "/proj/chain.ts",
      line: 3,
      column: 11,
      sourceLine: "  let y = = 2;",
    });
  });

  test("an AggregateError reports its first error and how many more", () => {
    const error = toChainError(new AggregateError([new LocatedError("first", { file: "/proj/a.ts", line: 1, column: 2 }), new Error("second")]), "/proj");
    expect(error).toMatchObject({ message: "first (and 1 more)", file: "/proj/a.ts", line: 1, column: 2 });
  });

  test("a LocatedError without a location still gives a message", () => {
    expect(toChainError(new LocatedError("no place", undefined), "/nowhere").message).toBe("no place");
  });

  test("a named error class keeps its name in the message", () => {
    expect(toChainError(new RangeError("too big"), "/proj").message).toBe("RangeError: too big");
  });
});

describe("formatChainError", () => {
  test("file, line, column, source line and caret", () => {
    const text = formatChainError(
      { message: "boom", file: "/repo/examples/x/chain.ts", line: 12, column: 5, sourceLine: "  a.b(c);" },
      "/repo",
    );
    expect(text).toBe("examples/x/chain.ts:12:5: error: boom\n  12 |   a.b(c);\n     |     ^");
  });

  test("tabs are expanded to 4-cell stops in the line and under it, so the caret lines up in any terminal", () => {
    const text = formatChainError({ message: "m", file: "/p/c.ts", line: 1, column: 5, sourceLine: "\t\ta\tx" }, "/p");
    // "\t\ta\t" → 8 spaces, "a", 3 spaces: x is in cell 12 (0-based) after "  1 | ".
    expect(text.split("\n").slice(1)).toEqual(["  1 |         a   x", "    |             ^"]);
  });

  test("a wide character before the column takes two cells", () => {
    const text = formatChainError({ message: "m", file: "/p/c.ts", line: 2, column: 4, sourceLine: "日本 x" }, "/p");
    expect(text.split("\n").slice(1)).toEqual(["  2 | 日本 x", "    |      ^"]);
  });

  test("without a location", () => {
    expect(formatChainError({ message: "lost" })).toBe("error: lost");
  });

  test("a file outside the base folder is shown absolute", () => {
    expect(formatChainError({ message: "m", file: "/elsewhere/c.ts", line: 2 }, "/repo")).toBe("/elsewhere/c.ts:2: error: m");
  });
});
