import { describe, expect, test } from "vitest";
import { jsonSyntaxError } from "../../../runtime/reload/json-errors.ts";

// JSON.parse is the oracle for whether a text is JSON; the scanner adds where it first fails.
const docs = [
  '{"a": [1, -2.5e3, 0, true, false, null, "x\\n\\u00e9\\"\\\\"], "b": {}}',
  "[]",
  ' \n "just a string" \n',
  "-0.5",
  '{"a": 1,}',
  "[1, 2,,]",
  "{a: 1}",
  '{"a" 1}',
  "01",
  "1.",
  '"unterminated',
  '"bad \\x escape"',
  "[1] 2",
  "",
  "tru",
  '{"a": "tab\there"}',
];

describe("jsonSyntaxError", () => {
  test.each(docs)("agrees with JSON.parse on %j", (doc) => {
    let parses = true;
    try {
      JSON.parse(doc);
    } catch {
      parses = false;
    }
    expect(jsonSyntaxError(doc) === undefined).toBe(parses);
  });

  test("the offset is where the text stops being JSON", () => {
    expect(jsonSyntaxError('{"a": 1,}')).toEqual({ offset: 8, expected: "a property name in double quotes" });
    expect(jsonSyntaxError("[1, 2,,]")).toEqual({ offset: 6, expected: "a value" });
    expect(jsonSyntaxError('{"a" 1}')).toEqual({ offset: 5, expected: '":"' });
    expect(jsonSyntaxError("[1] 2")).toEqual({ offset: 4, expected: "the end of the file" });
  });
});
