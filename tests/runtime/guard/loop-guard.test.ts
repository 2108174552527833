/**
 * Loop guards on the real Engine and device, with chain files on disk: each kind of endless loop (and
 * an endless recursion) in the chain's code, wherever the runtime calls it from, ends with an error at
 * the loop's line and column in the file as written, and the running chain is untouched. Code in the
 * project's node_modules is not instrumented (but stopped all the same); columns of other errors on an
 * instrumented line are those of the file on disk.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { native } from "../../helpers/native.ts";
import type { ChainError } from "../../../runtime/reload/errors.ts";
import type { ErrorPhase } from "../../../runtime/engine.ts";

const { Engine } = native.engine;
type EngineT = InstanceType<typeof Engine>;

let gpu: import("../../../runtime/gpu/gpu.ts").Gpu;
let root: string;
let dirCount = 0;

beforeAll(async () => {
  gpu = await native.gpu.Gpu.open();
  root = mkdtempSync(join(tmpdir(), "vivid-loop-guard-"));
});

afterAll(() => {
  expect(gpu.census.live()).toBe(0);
  gpu.destroy();
  rmSync(root, { recursive: true, force: true });
});

function save(file: string, text: string): void {
  writeFileSync(`${file}.tmp-save`, text);
  renameSync(`${file}.tmp-save`, file);
}

/** 1-based line and column of the first `needle` in `text`. */
function placeOf(text: string, needle: string): { line: number; column: number } {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(needle));
  if (line === -1) throw new Error(`"${needle}" is not in the text`);
  return { line: line + 1, column: lines[line]!.indexOf(needle) + 1 };
}

const GOOD = `import { SolidColor } from "vivid";
export function setup(ctx) {
  ctx.chain.add(SolidColor, "fill").resolution(8, 8).color = [0.2, 0.4, 0.6, 1];
  ctx.chain.output("fill");
}
`;

/** An engine on a fresh project folder holding `files` (chain.ts first), limits 300 ms / 150 ms. */
async function open(files: Record<string, string>): Promise<{ engine: EngineT; dir: string; errors: Array<{ error: ChainError; phase: ErrorPhase }> }> {
  const dir = join(root, `p${++dirCount}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const engine = new Engine(gpu, { projectDir: dir, chainFile: join(dir, "chain.ts"), width: 8, height: 8, fixedFps: 60, loopLimits: { setupMs: 300, updateMs: 150 } });
  const errors: Array<{ error: ChainError; phase: ErrorPhase }> = [];
  engine.onError = (error, phase) => errors.push({ error, phase });
  return { engine, dir, errors };
}

async function pixel(engine: EngineT): Promise<number[]> {
  const { pixels } = await engine.readOutput();
  return Array.from(pixels.slice(0, 4), (v) => Math.round(v * 100) / 100);
}

describe("an endless loop in a reload fails it at the loop, the running chain kept", () => {
  const cases: Array<{ name: string; text: string; needle: string; limit: string }> = [
    { name: "while in update", text: GOOD + "export function update(ctx) {\n  let n = 0;\n  while (n >= 0) n++;\n}\n", needle: "while (n >= 0)", limit: "150 ms limit for update" },
    { name: "do…while in setup", text: GOOD.replace('ctx.chain.output("fill");', 'ctx.chain.output("fill");\n  let n = 0;\n  do { n++; } while (n > 0);'), needle: "do { n++; }", limit: "300 ms limit for setup" },
    { name: "for (;;); at the top level", text: "let spins = 0;\nfor (;;) spins++;\n" + GOOD, needle: "for (;;)", limit: "300 ms limit for the module's top level" },
    { name: "for…of inside a for…in", text: GOOD + "export function update(ctx) {\n  const seen = { a: 1 };\n  for (const key in seen) { const list = [key]; for (const item of list) list.push(item); }\n}\n", needle: "for (const item of list)", limit: "150 ms limit for update" },
    { name: "a recursion that never ends (nor overflows)", text: GOOD + "function branch(depth) {\n  return depth > 40 ? 0 : branch(depth + 1) + branch(depth + 1);\n}\nexport function update(ctx) { branch(0); }\n", needle: "function branch", limit: "150 ms limit for update" },
    {
      name: "while in a binding (the first cook reads it)",
      text: 'import { Noise } from "vivid";\nexport function setup(ctx) {\n  const noise = ctx.chain.add(Noise, "noise").resolution(8, 8);\n  noise.bind("scale", () => {\n    let k = 0;\n    while (k >= 0) k++;\n    return 0.5;\n  });\n  ctx.chain.output("noise");\n}\n',
      needle: "while (k >= 0)",
      limit: "300 ms limit for the first frame's cook",
    },
    { name: "while after an await in an async setup", text: GOOD.replace("export function setup(ctx) {", "export async function setup(ctx) {\n  await Bun.sleep(1);\n  let n = 0;\n  while (n >= 0) { n += 1; }"), needle: "while (n >= 0)", limit: "300 ms limit for a callback or after an await" },
  ];
  for (const { name, text, needle, limit } of cases) {
    test(name, async () => {
      const { engine, dir } = await open({ "chain.ts": GOOD });
      expect((await engine.load()).ok).toBe(true);
      engine.frame();
      const before = await pixel(engine);
      expect(before).toEqual([0.2, 0.4, 0.6, 1]);

      const file = join(dir, "chain.ts");
      save(file, text);
      const startedAt = performance.now();
      const { entry } = await engine.reload("chain.ts");
      const tookMs = performance.now() - startedAt;
      expect(entry.ok).toBe(false);
      expect(entry.error).toMatchObject({ file, ...placeOf(text, needle) });
      expect(entry.error!.message).toContain(limit);
      expect(tookMs).toBeLessThan(5000);

      // The running chain is the old one, and it still draws.
      engine.frame();
      expect(await pixel(engine)).toEqual(before);
      await engine.dispose();
    });
  }

  test("a loop in a helper module is located in the helper", async () => {
    const helper = "export function spin() {\n  let n = 0;\n  while (true) { n++; }\n}\n";
    const chain = `import { spin } from "./lib/spin.ts";\n${GOOD}export function update(ctx) {\n  spin();\n}\n`;
    const { engine, dir } = await open({ "chain.ts": chain, "lib/spin.ts": helper });
    const built = await engine.load();
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.error).toMatchObject({ file: join(dir, "lib/spin.ts"), ...placeOf(helper, "while (true)") });
    await engine.dispose();
  });
});

describe("a loop of the running chain", () => {
  test("in update from frame 3 on: each such frame is cut at the limit, reported once at the loop; the frames before and a fixed save draw", async () => {
    const text = GOOD + "export function update(ctx) {\n  if (ctx.frame >= 3) for (let i = 0; i >= 0; i++) {}\n}\n";
    const { engine, dir, errors } = await open({ "chain.ts": text });
    expect((await engine.load()).ok).toBe(true);
    for (let i = 0; i < 3; i++) engine.frame();
    const startedAt = performance.now();
    engine.frame();
    engine.frame();
    const twoFramesMs = performance.now() - startedAt;
    expect(twoFramesMs).toBeGreaterThanOrEqual(300);
    expect(twoFramesMs).toBeLessThan(3000);
    expect(errors.map((e) => e.phase)).toEqual(["update"]);
    expect(errors[0]!.error).toMatchObject({ file: join(dir, "chain.ts"), ...placeOf(text, "for (let i = 0") });
    expect(await pixel(engine)).toEqual([0.2, 0.4, 0.6, 1]);
    save(join(dir, "chain.ts"), GOOD);
    expect((await engine.reload("chain.ts")).entry.ok).toBe(true);
    engine.frame();
    await engine.dispose();
  });

  test("in a timer's callback: a located timer error, and the run goes on", async () => {
    const text = GOOD.replace('ctx.chain.output("fill");', 'ctx.chain.output("fill");\n  setTimeout(() => { let n = 0; while (n >= 0) n++; }, 1);');
    const { engine, dir, errors } = await open({ "chain.ts": text });
    expect((await engine.load()).ok).toBe(true);
    for (let i = 0; i < 100 && errors.length === 0; i++) await Bun.sleep(20);
    expect(errors.map((e) => e.phase)).toEqual(["timer"]);
    expect(errors[0]!.error).toMatchObject({ file: join(dir, "chain.ts"), ...placeOf(text, "while (n >= 0)") });
    expect(errors[0]!.error.message).toContain("300 ms limit for a timer's callback");
    engine.frame();
    await engine.dispose();
  });
});

describe("what is instrumented, and how it shows", () => {
  test("a busy wait in the project's node_modules is stopped too (the watchdog), located at the project's function that called it; node_modules is not instrumented", async () => {
    const pkg = {
      "node_modules/busy/package.json": JSON.stringify({ name: "busy", type: "module", main: "index.js" }),
      "node_modules/busy/index.js": "export function busy() {\n  const end = performance.now() + 60000;\n  while (performance.now() < end) {}\n}\n",
    };
    const chain = `import { busy } from "busy";\n${GOOD}export function update(ctx) {\n  busy();\n}\n`;
    const { engine, dir } = await open({ "chain.ts": chain, ...pkg });
    const built = await engine.load();
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.error).toMatchObject({ file: join(dir, "chain.ts"), ...placeOf(chain, "function update") });
    expect(built.error.message).toContain("this function ran past the 150 ms limit for update");
    await engine.dispose();
  });

  test("a throw on a line the instrumentation changed is reported at its column in the file on disk", async () => {
    const text = GOOD + 'export function update(ctx) {\n  for (let i = 0; i < 2; i++) {} const f = (x) => x; while (f(false)) {} throw new Error("boom");\n}\n';
    const { engine, dir } = await open({ "chain.ts": text });
    const built = await engine.load();
    expect(built.ok).toBe(false);
    if (built.ok) return;
    // Bun puts a `new Error` throw at the constructor's name.
    expect(built.error).toMatchObject({ message: "boom", file: join(dir, "chain.ts"), ...placeOf(text, 'Error("boom")') });
    await engine.dispose();
  });
});

describe("a call stopped at its limit without having had the CPU for it is not called a loop", () => {
  // The thread blocks without running (Atomics.wait: what a busy machine or a blocking driver call
  // does to it) past the limit; the watchdog fires; the CPU the thread had decides what is said.
  // Mid-grey through Brightness, whose bound param blocks on its first read. A bind maps 0..1 onto the
  // param's range (-1..1), so 0.625 is a lift of +0.25: the picture is 0.75 grey.
  const blockOnceText = (ms: number) =>
    `import { Brightness, SolidColor } from "vivid";
const gate = new Int32Array(new SharedArrayBuffer(4));
let blocked = 0;
export function setup(ctx) {
  ctx.chain.add(SolidColor, "grey").resolution(8, 8).color = [0.5, 0.5, 0.5, 1];
  const lift = ctx.chain.add(Brightness, "lift").input("grey");
  lift.bind("brightness", () => {
    if (blocked++ === 0) Atomics.wait(gate, 0, 0, ${ms});
    return 0.625;
  });
  ctx.chain.output("lift");
}
`;

  test("a build whose first cook was starved once is cooked again and swapped in", async () => {
    const { engine, dir } = await open({ "chain.ts": GOOD });
    expect((await engine.load()).ok).toBe(true);
    save(join(dir, "chain.ts"), blockOnceText(400));
    const { entry } = await engine.reload("chain.ts");
    expect(entry.error).toBeUndefined();
    expect(entry.ok).toBe(true);
    engine.frame();
    // The lifted grey, not the old fill colour (0.2, 0.4, 0.6).
    expect(await pixel(engine)).toEqual([0.75, 0.75, 0.75, 1]);
    await engine.dispose();
  });

  test("a build whose first update was starved once runs it again and is swapped in; a second starve fails it", async () => {
    const text = (times: number) => `import { SolidColor } from "vivid";
const gate = new Int32Array(new SharedArrayBuffer(4));
let blocked = 0;
let grey;
export function setup(ctx) {
  grey = ctx.chain.add(SolidColor, "grey").resolution(8, 8);
  grey.color = [0.5, 0.5, 0.5, 1];
  ctx.chain.output("grey");
}
export function update(ctx) {
  if (blocked++ < ${times}) Atomics.wait(gate, 0, 0, 400);
  grey.color = [0.25, 0.25, 0.25, 1];
}
`;
    const { engine, dir } = await open({ "chain.ts": GOOD });
    expect((await engine.load()).ok).toBe(true);
    save(join(dir, "chain.ts"), text(1));
    const once = await engine.reload("chain.ts");
    expect(once.entry.error).toBeUndefined();
    expect(once.entry.ok).toBe(true);
    engine.frame();
    expect(await pixel(engine)).toEqual([0.25, 0.25, 0.25, 1]);
    // Starved twice: the reload fails, says so, and the chain before it keeps running.
    save(join(dir, "chain.ts"), text(2).replace("0.25, 0.25, 0.25", "0.75, 0.75, 0.75"));
    const twice = await engine.reload("chain.ts");
    expect(twice.entry.ok).toBe(false);
    expect(twice.entry.error?.message).toContain("LoopStarvedError");
    engine.frame();
    expect(await pixel(engine)).toEqual([0.25, 0.25, 0.25, 1]);
    await engine.dispose();
  });

  test("a frame stopped by the guard is cooked again in full: a colour set in that frame's update shows in the next", async () => {
    // Frame 3's update sets a new grey, and the lift's binding then spins: the guard stops the cook,
    // the frame is discarded with the grey's new pass in it. The next frame must cook the grey again.
    const text = `import { Brightness, SolidColor } from "vivid";
let grey;
let frame = 0;
let spun = false;
export function setup(ctx) {
  grey = ctx.chain.add(SolidColor, "grey").resolution(8, 8);
  grey.color = [0.5, 0.5, 0.5, 1];
  const lift = ctx.chain.add(Brightness, "lift").input("grey");
  lift.bind("brightness", () => {
    if (frame === 3 && !spun) {
      spun = true;
      for (;;) {}
    }
    return 0.625;
  });
  ctx.chain.output("lift");
}
export function update(ctx) {
  frame = ctx.frame;
  if (frame === 3) grey.color = [0.25, 0.25, 0.25, 1];
}
`;
    const { engine, errors } = await open({ "chain.ts": text });
    expect((await engine.load()).ok).toBe(true);
    while (engine.ctx.frame < 3) engine.frame();
    expect(await pixel(engine)).toEqual([0.75, 0.75, 0.75, 1]);
    engine.frame(); // frame 3: stopped at the loop
    expect(errors.map((e) => e.error.message)).toEqual([expect.stringContaining("ran past the 150 ms limit")]);
    engine.frame();
    // 0.25 lifted by 0.25: the new grey, not the old one (0.75).
    expect(await pixel(engine)).toEqual([0.5, 0.5, 0.5, 1]);
    await engine.dispose();
  });

  test("a call that spins is still a loop; one that blocks says it was starved, with the CPU it had", async () => {
    // The process's one guard (a global: the engine's module instance and this import share it; the
    // error classes may be another instance's, so they are told apart by name).
    const { loopGuard } = await import("../../../runtime/guard/loop-guard.ts");
    const saved = { ...loopGuard.limits };
    loopGuard.limits = { setupMs: 1000, updateMs: 120 };
    try {
      const spin = () => {
        let n = 0;
        for (;;) n++;
      };
      const block = () => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
        spin();
      };
      /** What `fn` as a frame's update throws under the guard. */
      const thrown = (fn: () => void): Error => {
        try {
          loopGuard.call("update", "updateMs", fn, undefined);
        } catch (error) {
          return error as Error;
        }
        throw new Error("the guard let the call run to its end");
      };
      // The spin's own CPU time, read here the way the kernel counts it: a spin that had the CPU is a
      // loop; on a machine so busy it had under half of it, the guard must say it was starved.
      const threadCpuMs = () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
      const before = threadCpuMs();
      const spun = thrown(spin);
      const spinCpuMs = threadCpuMs() - before;
      expect(spun.message).toContain("ran past the 120 ms limit for update");
      expect(spun.name).toBe(spinCpuMs >= 60 ? "LoopTimeoutError" : "LoopStarvedError");
      const blocked = thrown(block);
      expect(blocked.name).toBe("LoopStarvedError");
      const cpu = Number(/had only (\d+) ms of CPU/.exec(blocked.message)?.[1]);
      expect(cpu).toBeLessThan(60);
      expect(blocked.message).toContain("the machine may be too busy");
      expect(blocked.message).toContain("--update-loop-limit");
    } finally {
      loopGuard.limits = saved;
    }
  });
});
