import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { errors, loader, makeProject, positionOf } from "./native.ts";

// The host module the chain files import. Defined here, i.e. outside every project folder, as the
// real runtime is.
class Noise {
  constructor(readonly name: string) {}
}
const api = {
  Noise,
  add(name: string, projectDir: string) {
    if (name !== "noise") throw new errors.LocatedError(`unknown operator "${name}"`, errors.callerLocation(projectDir));
    return new Noise(name);
  },
};

const project = makeProject("loader");
const old = 10_000; // ms: backdate files written outside a half-written scenario

beforeAll(() => loader.registerHostModule("vivid", api));
afterAll(() => project.remove());

function expectOk(result: Awaited<ReturnType<typeof loader.loadChainModule>>) {
  if (!result.ok) throw new Error(`load failed: ${errors.formatChainError(result.error)}`);
  return result;
}

describe("loadChainModule", () => {
  test("sees an edit to an imported helper after reload", async () => {
    const helper = project.write("helper.ts", "export const value = 1;\n", old);
    const chain = project.write("chain.ts", 'import { value } from "./helper.ts";\nexport function setup() { return value; }\n', old);

    const first = expectOk(await loader.loadChainModule(chain, project.dir, { settleMs: 0 }));
    expect(first.module.setup()).toBe(1);
    expect(first.files).toEqual([chain, helper].sort());

    project.write("helper.ts", "export const value = 2;\n", old);
    const second = expectOk(await loader.loadChainModule(chain, project.dir, { settleMs: 0 }));
    expect(second.module.setup()).toBe(2);
    expect(second.module).not.toBe(first.module);
  });

  test("a reloaded chain gets the same host classes (instanceof holds)", async () => {
    const chain = project.write(
      "chain.ts",
      'import { Noise } from "vivid";\nexport function setup() { return new Noise("a"); }\n',
      old,
    );
    const first = expectOk(await loader.loadChainModule(chain, project.dir, { settleMs: 0 }));
    project.write("chain.ts", 'import { Noise } from "vivid";\nexport function setup() { return new Noise("b"); }\n', old);
    const second = expectOk(await loader.loadChainModule(chain, project.dir, { settleMs: 0 }));

    const a = first.module.setup() as Noise;
    const b = second.module.setup() as Noise;
    expect(a).toBeInstanceOf(Noise);
    expect(b).toBeInstanceOf(Noise);
    expect(b.name).toBe("b");
    // "vivid" is a host module, not a project file: never evicted, never listed.
    expect(second.files).toEqual([chain]);
  });

  test("registering the host module again: same api is a no-op, another api throws", () => {
    expect(() => loader.registerHostModule("vivid", api)).not.toThrow();
    expect(() => loader.registerHostModule("vivid", { Noise: class {} })).toThrow(/already registered/);
  });

  test("a syntax error reports the file, line and column of the bad token", async () => {
    const text = 'import { Noise } from "vivid";\nexport function setup() {\n  const a = 1;\n  const b = = 2;\n}\n';
    const chain = project.write("chain.ts", text, old);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (result.ok) throw new Error("expected a syntax error");
    const at = positionOf(text, "= 2");
    expect(result.pending).toBe(false);
    expect(result.error).toMatchObject({ file: chain, line: 4, column: at.column, sourceLine: "  const b = = 2;" });
    expect(at.line).toBe(4);
    expect(errors.formatChainError(result.error, project.dir)).toBe(
      "chain.ts:4:13: error: Unexpected =\n  4 |   const b = = 2;\n    |             ^",
    );
  });

  test("a syntax error in a helper points at the helper", async () => {
    const helperText = "export const value =\n  (1 +;\n";
    const helper = project.write("helper.ts", helperText, old);
    const chain = project.write("chain.ts", 'import { value } from "./helper.ts";\nexport function setup() { return value; }\n', old);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (result.ok) throw new Error("expected a syntax error");
    expect(result.error).toMatchObject({ file: helper, line: 2, column: positionOf(helperText, ";").column });
  });

  test("a throw in setup is located at the throw in the project file", async () => {
    const helperText = "export function boom(): never {\n  const why = 'boom';\n  throw new Error(why);\n}\n";
    const helper = project.write("helper.ts", helperText, old);
    const chain = project.write("chain.ts", 'import { boom } from "./helper.ts";\nexport function setup() {\n  boom();\n}\n', old);
    const result = expectOk(await loader.loadChainModule(chain, project.dir, { settleMs: 0 }));
    let thrown: unknown;
    try {
      result.module.setup();
    } catch (err) {
      thrown = err;
    }
    const error = errors.toChainError(thrown, project.dir);
    expect(error).toMatchObject({ message: "boom", file: helper, line: 3 });
    // Bun points a `throw new Error()` at the constructor call.
    expect(error.column).toBe(positionOf(helperText, "Error(why)").column);
    expect(error.sourceLine).toBe("  throw new Error(why);");
  });

  test("a throw inside host code is located at the user's call into it", async () => {
    const text = 'import * as vivid from "vivid";\nexport function setup(dir: string) {\n  vivid.add("noise", dir);\n  vivid.add("nosuch", dir);\n}\n';
    const chain = project.write("chain.ts", text, old);
    const result = expectOk(await loader.loadChainModule(chain, project.dir, { settleMs: 0 }));
    let thrown: unknown;
    try {
      result.module.setup(project.dir);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(errors.LocatedError);
    const error = errors.toChainError(thrown, project.dir);
    expect(error).toMatchObject({ message: 'unknown operator "nosuch"', file: chain, line: 4 });
    expect(error.column).toBe(positionOf(text, 'add("nosuch"').column);
  });

  test("a plain throw from host code falls back to the first project frame of the stack", async () => {
    const text = 'export function setup(fail: () => void) {\n  const x = 1;\n  fail();\n}\n';
    const chain = project.write("chain.ts", text, old);
    const result = expectOk(await loader.loadChainModule(chain, project.dir, { settleMs: 0 }));
    let thrown: unknown;
    try {
      result.module.setup(() => {
        throw new TypeError("bad input");
      });
    } catch (err) {
      thrown = err;
    }
    expect(errors.toChainError(thrown, project.dir)).toMatchObject({ message: "TypeError: bad input", file: chain, line: 3, column: 3 });
  });

  test("a throw at module top level fails the load with its location", async () => {
    const text = "const ready = false;\nif (!ready) throw new RangeError('not ready');\nexport function setup() {}\n";
    const chain = project.write("chain.ts", text, old);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (result.ok) throw new Error("expected the load to fail");
    expect(result.error).toMatchObject({ message: "RangeError: not ready", file: chain, line: 2 });
  });

  test("throw null at module top level is located at the throw", async () => {
    const text = "// top\nconst ready = false;\nif (!ready) throw null;\nexport function setup() {}\n";
    const chain = project.write("chain.ts", text, old);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (result.ok) throw new Error("expected the load to fail");
    expect(result.error).toEqual({
      message: 'threw null, not an Error (throw new Error("…") gives a message and a stack)',
      file: chain,
      ...positionOf(text, "throw null"),
      sourceLine: "if (!ready) throw null;",
    });
  });

  test("a misspelt name imported from the host module points at the name and suggests the right one", async () => {
    const text = '// chain\nimport { Nosie } from "vivid";\nexport function setup() { return Nosie; }\n';
    const chain = project.write("chain.ts", text, old);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (result.ok) throw new Error("expected a link error");
    expect(result.error).toEqual({
      message: '"Nosie" is not exported by "vivid" — did you mean "Noise"?',
      file: chain,
      ...positionOf(text, "Nosie"),
      sourceLine: 'import { Nosie } from "vivid";',
    });
  });

  test("a broken .json import names the .json file and the place strict JSON fails", async () => {
    const json = '{\n  "scale": 4,\n  "speed" 2\n}\n';
    const data = project.write("data.json", json, old);
    const chain = project.write("chain.ts", 'import data from "./data.json";\nexport function setup() { return data; }\n', old);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (result.ok) throw new Error("expected the load to fail");
    expect(result.error).toEqual({ message: expect.stringMatching(/^JSON Parse error: .*\(expected ":"\)$/), file: data, ...positionOf(json, "2\n}"), sourceLine: '  "speed" 2' });
  });

  test("a missing setup export names the file", async () => {
    const chain = project.write("chain.ts", "export function setpu() {}\n", old);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (result.ok) throw new Error("expected the load to fail");
    expect(result.error.file).toBe(chain);
    expect(result.error.message).toMatch(/chain\.ts must export a function named "setup" \(exports: setpu\)/);
  });

  test("an import of a missing file points at the import line", async () => {
    const text = "// a comment\nimport { value } from './gone.ts';\nexport function setup() { return value; }\n";
    const chain = project.write("chain.ts", text, old);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (result.ok) throw new Error("expected the load to fail");
    expect(result.error).toMatchObject({ file: chain, line: 2, column: positionOf(text, "'./gone.ts'").column });
    expect(result.error.message).toMatch(/Cannot find module '\.\/gone\.ts'/);
  });

  test("an import of an export the module lacks points at the name in the import", async () => {
    project.write("helper.ts", "export const value = 1;\n", old);
    const midText = 'import {\n  value,\n  colour as color,\n} from "./helper.ts";\nexport const both = [value, color];\n';
    const mid = project.write("mid.ts", midText, old);
    const chain = project.write("chain.ts", 'import { both } from "./mid.ts";\nexport function setup() { return both; }\n', old);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (result.ok) throw new Error("expected a link error");
    expect(result.error.message).toMatch(/colour/);
    expect(result.error).toMatchObject({ file: mid, line: 3, column: 3, sourceLine: "  colour as color," });
  });

  test("a re-export of an export the module lacks points at the name in the re-export", async () => {
    project.write("helper.ts", "export const value = 1;\n", old);
    const midText = '// re-exports\nexport { valeu } from "./helper.ts";\n';
    const mid = project.write("mid.ts", midText, old);
    const chain = project.write("chain.ts", 'import { valeu } from "./mid.ts";\nexport function setup() { return valeu; }\n', old);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 0 });
    if (result.ok) throw new Error("expected a link error");
    expect(result.error).toMatchObject({ file: mid, line: 2, column: positionOf(midText, "valeu").column });
  });

  test("a fixed error loads again", async () => {
    const chain = project.write("chain.ts", "export function setup() { return = ; }\n", old);
    expect((await loader.loadChainModule(chain, project.dir, { settleMs: 0 })).ok).toBe(false);
    project.write("chain.ts", "export function setup() { return 7; }\n", old);
    expect(expectOk(await loader.loadChainModule(chain, project.dir, { settleMs: 0 })).module.setup()).toBe(7);
  });

  test("never evicts modules outside the project", async () => {
    const chain = project.write("chain.ts", "export function setup() { return 1; }\n", old);
    const outside = Object.keys(require.cache).filter((key) => !key.startsWith(project.dir));
    expect(outside.length).toBeGreaterThan(0);
    expectOk(await loader.loadChainModule(chain, project.dir, { settleMs: 0 }));
    for (const key of outside) expect(require.cache[key], key).toBeDefined();
  });
});

describe("half-written files", () => {
  // The rest of a file comes 15–20 ms after its first part. A settle wait of 1 s (not the default
  // 50 ms) keeps "the rest came while the loader waited" true when a busy machine runs that timer late.
  const lateProofSettleMs = 1000;

  test("an error in a file still being written is pending, not an error", async () => {
    const chain = project.write("chain.ts", "export function setup() {\n  return ", 0);
    // The rest arrives 20 ms later, while the loader waits to see whether the file settles.
    const rest = Bun.sleep(20).then(() => project.write("chain.ts", "export function setup() {\n  return 3;\n}\n"));
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: lateProofSettleMs });
    await rest;
    if (result.ok) throw new Error("expected the half-written load to fail");
    expect(result.pending).toBe(true);
    expect(expectOk(await loader.loadChainModule(chain, project.dir, { settleMs: 0 })).module.setup()).toBe(3);
  });

  test("an error in a file just saved and then left alone is reported after the settle wait", async () => {
    const chain = project.write("chain.ts", "export function setup() {\n  return = 1;\n}\n", 0);
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 50 });
    if (result.ok) throw new Error("expected a syntax error");
    expect(result.pending).toBe(false);
    expect(result.error.line).toBe(2);
    expect(result.ms).toBeGreaterThanOrEqual(40);
  });

  test("an old file with an error is reported at once", async () => {
    const chain = project.write("chain.ts", "export function setup() {\n  return = 1;\n}\n", old);
    // A settle wait far longer than a failed load takes even on a busy machine: had it waited, ms ≥ 5000.
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: 5000 });
    expect(result.ok).toBe(false);
    expect(result.ms).toBeLessThan(2500);
  });

  test("a truncated helper (empty while the editor writes) is pending", async () => {
    const helper = project.write("helper.ts", "export const value = 1;\n", old);
    const chain = project.write("chain.ts", 'import { value } from "./helper.ts";\nexport function setup() { return value; }\n', old);
    expectOk(await loader.loadChainModule(chain, project.dir));
    project.write("helper.ts", "", 0);
    const rest = Bun.sleep(15).then(() => project.write("helper.ts", "export const value = 5;\n"));
    const result = await loader.loadChainModule(chain, project.dir, { settleMs: lateProofSettleMs });
    await rest;
    if (result.ok) throw new Error("expected the load of an empty helper to fail");
    expect(result.error.message).toMatch(/value/);
    expect(result.pending).toBe(true);
  });
});

// Bun keeps modules of a failed graph that it fetched but never evaluated, out of require.cache's
// reach; without the loader's release step each of these reloads silently used old text.
describe("after a failed load, every file is read afresh", () => {
  const scenarios: Record<string, Record<string, string>> = {
    "syntax error in a sibling": { "a.ts": "export const a = 1;\n", "b.ts": "export const b = (;\n" },
    "missing named import": { "a.ts": 'import { nope } from "./b.ts";\nexport const a = nope;\n', "b.ts": "export const b = 1;\n" },
    "missing re-export": { "a.ts": 'export { nope as a } from "./b.ts";\n', "b.ts": "export const b = 1;\n" },
    "missing file": { "a.ts": 'import { x } from "./gone.ts";\nexport const a = x;\n', "b.ts": "export const b = 1;\n" },
    "top-level throw": { "a.ts": "export const a = 1;\n", "b.ts": "throw new Error('top');\nexport const b = 1;\n" },
    "missing import between siblings": { "a.ts": "export const a = 1;\n", "b.ts": 'import { nope } from "./a.ts";\nexport const b = nope;\n' },
  };
  for (const [name, broken] of Object.entries(scenarios)) {
    test(name, async () => {
      const scenario = makeProject("stuck");
      try {
        const chain = scenario.write("chain.ts", 'import { a } from "./a.ts";\nimport { b } from "./b.ts";\nexport function setup() { return a + b; }\n', old);
        scenario.write("a.ts", "export const a = 100;\n", old);
        scenario.write("b.ts", "export const b = 200;\n", old);
        expect(expectOk(await loader.loadChainModule(chain, scenario.dir, { settleMs: 0 })).module.setup()).toBe(300);

        for (const [file, text] of Object.entries(broken)) scenario.write(file, text, old);
        const failed = await loader.loadChainModule(chain, scenario.dir, { settleMs: 0 });
        expect(failed.ok).toBe(false);
        expect(failed.files).toContain(chain);

        scenario.write("a.ts", "export const a = 10;\n", old);
        scenario.write("b.ts", "export const b = 20;\n", old);
        expect(expectOk(await loader.loadChainModule(chain, scenario.dir, { settleMs: 0 })).module.setup()).toBe(30);
      } finally {
        scenario.remove();
      }
    });
  }
});
