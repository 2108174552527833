/**
 * OSC 1.0 address patterns: `?` one character, `*` any run of characters, `[abc]` / `[a-z]` / `[!abc]`
 * one character of (or not of) a set, `{foo,bar}` one of the strings. None of them matches across a
 * `/`: a pattern and an address match part by part. Compiled patterns are kept (one per distinct
 * pattern text, bounded), so matching on every message does not compile again.
 */

const compiled = new Map<string, RegExp>();
const COMPILED_KEPT = 256;

/** Whether `address` matches the OSC pattern `pattern` (a plain address matches itself only). */
export function matchAddress(pattern: string, address: string): boolean {
  if (pattern === address) return true;
  if (!/[*?[{]/.test(pattern)) return false;
  return compile(pattern).test(address);
}

function compile(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (regex) return regex;
  regex = new RegExp(`^${toRegexSource(pattern)}$`);
  if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
  compiled.set(pattern, regex);
  return regex;
}

const escape = (char: string) => char.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

function toRegexSource(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "*") out += "[^/]*";
    else if (char === "?") out += "[^/]";
    else if (char === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      // Inside a set only "-" between two characters is a range; everything else is literal.
      let set = "";
      for (let k = 0; k < body.length; k++) {
        const c = body[k]!;
        if (c === "-" && k > 0 && k < body.length - 1) set += "-";
        else set += c.replace(/[\\\]^-]/g, "\\$&");
      }
      out += negate ? `[^/${set}]` : `[${set}]`;
      i = end;
    } else if (char === "{") {
      const end = pattern.indexOf("}", i + 1);
      if (end < 0) {
        out += "\\{";
        continue;
      }
      out += `(?:${pattern.slice(i + 1, end).split(",").map((alt) => [...alt].map(escape).join("")).join("|")})`;
      i = end;
    } else out += escape(char);
  }
  return out;
}
