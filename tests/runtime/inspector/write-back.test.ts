// Write-back of inspector edits into the chain file (runtime/inspector/write-back.ts): parsed with
// oxc-parser, edited in place with magic-string, saved through a temp file and a rename.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitToFile, formatValue, rewriteSource } from "../../../runtime/inspector/write-back.ts";

const CHAIN = `// A chain with comments, odd spacing and a string in 'single quotes'.
import { Mirror, Noise, Transform, type Context } from "vivid";

export function setup(ctx: Context) {
  const chain = ctx.chain;
  const noise = chain.add(Noise, "noise").resolution(320, 180);
  noise.type = 'simplex';
  noise.scale   =   2.5; // keep this comment
  noise.offset = [0, 0, 0];
  chain.add(Transform, "transform").input("noise");
  const mirror = chain.add(Mirror, "mirror").input("transform");
  mirror.segments = 8;
  mirror.angle = Math.PI / 4;
  chain.output("mirror");
}

export function update(ctx: Context) {
  ctx.chain.get("mirror", Mirror).segments = 3; // update's assignments are not setup's
}
`;

/** The lines of `after` that differ from `before` (same line count assumed), as [line, text]. */
function changedLines(before: string, after: string): Array<[number, string]> {
  const a = before.split("\n");
  const b = after.split("\n");
  expect(b.length).toBe(a.length);
  return b.flatMap((line, i) => (line === a[i] ? [] : [[i + 1, line] as [number, string]]));
}

describe("write-back", () => {
  it("rewrites the literal of setup's assignment on its own line and nothing else", () => {
    const result = rewriteSource("chain.ts", CHAIN, [{ operator: "mirror", param: "segments", value: 5 }]);
    if (!result.ok) throw new Error(result.message);
    expect(changedLines(CHAIN, result.source)).toEqual([[12, "  mirror.segments = 5;"]]);
    expect(result.edits).toEqual([{ operator: "mirror", param: "segments", value: 5, kind: "replace", line: 12, text: "  mirror.segments = 5;" }]);
  });

  it("keeps spacing, trailing comments and the string's quote style", () => {
    const result = rewriteSource("chain.ts", CHAIN, [
      { operator: "noise", param: "scale", value: 13.300000190734863 },
      { operator: "noise", param: "type", value: "worley" },
      { operator: "noise", param: "offset", value: [0.25, -1, 2] },
    ]);
    if (!result.ok) throw new Error(result.message);
    expect(changedLines(CHAIN, result.source)).toEqual([
      [7, "  noise.type = 'worley';"],
      [8, "  noise.scale   =   13.3; // keep this comment"],
      [9, "  noise.offset = [0.25, -1, 2];"],
    ]);
  });

  it("offers a new line where setup assigns an expression or nothing, below the operator's last statement", () => {
    const result = rewriteSource("chain.ts", CHAIN, [
      { operator: "mirror", param: "angle", value: 1.5 },
      { operator: "transform", param: "rotation", value: 0.5 },
    ]);
    if (!result.ok) throw new Error(result.message);
    const lines = result.source.split("\n");
    // transform has no variable: it is reached with chain.get, after its own statement (line 10).
    expect(lines[10]).toBe('  chain.get("transform", Transform).rotation = 0.5;');
    // mirror.angle = Math.PI / 4 stays (it is not a literal); the new line after it wins when setup runs.
    expect(lines[13]).toBe("  mirror.angle = Math.PI / 4;");
    expect(lines[14]).toBe("  mirror.angle = 1.5;");
    expect(lines.length).toBe(CHAIN.split("\n").length + 2);
    expect(result.edits.map((e) => [e.kind, e.line, e.text])).toEqual([
      ["insert", 15, "  mirror.angle = 1.5;"],
      ["insert", 11, '  chain.get("transform", Transform).rotation = 0.5;'],
    ]);
  });

  it("refuses a file that does not parse, naming file:line:col, and changes nothing", () => {
    const broken = CHAIN.replace("mirror.segments = 8;", "mirror.segments = ;");
    const result = rewriteSource("/p/chain.ts", broken, [{ operator: "mirror", param: "segments", value: 5 }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^\/p\/chain\.ts:12:\d+: /);
  });

  it("refuses an operator setup does not add", () => {
    const result = rewriteSource("chain.ts", CHAIN, [{ operator: "blur", param: "radius", value: 5 }]);
    expect(result).toEqual({ ok: false, message: 'chain.ts: setup() has no chain.add(…, "blur") to write blur.radius next to' });
  });

  it("formats values as a user would type them", () => {
    expect(formatValue(0.30000001192092896)).toBe("0.3");
    expect(formatValue(6)).toBe("6");
    expect(formatValue(true)).toBe("true");
    expect(formatValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(formatValue([1, 0.5, 0, 1])).toBe("[1, 0.5, 0, 1]");
  });

  it("saves like an editor: a new file renamed over the old one (new inode), mode kept, no temp file left", () => {
    const dir = mkdtempSync(join(tmpdir(), "vivid-writeback-"));
    try {
      const file = join(dir, "chain.ts");
      writeFileSync(file, CHAIN);
      chmodSync(file, 0o640);
      const before = statSync(file);
      const result = commitToFile(file, [{ operator: "mirror", param: "segments", value: 12 }]);
      expect(result.ok).toBe(true);
      const after = statSync(file);
      expect(after.ino).not.toBe(before.ino);
      expect(after.mode & 0o777).toBe(0o640);
      expect(changedLines(CHAIN, readFileSync(file, "utf8"))).toEqual([[12, "  mirror.segments = 12;"]]);
      expect(readdirSync(dir)).toEqual(["chain.ts"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
