/**
 * `bun vivid <project>` in its own process, headless, with the chain's code misbehaving the ways a
 * live coder's does: it calls process.exit, throws from a timer, leaves promises rejected, throws in
 * update after its reload succeeded. The run goes on and every one of them is a located error event
 * in the `--stats` stream, repeats counted; a batch run whose update throws exits 1 with the error.
 */
import { describe, expect, test } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cleanup, events, tempProject, waitFor } from "../helpers/live-run.ts";
import { REPO } from "../helpers/render.ts";

const project = (text: string) => tempProject("vivid-life-", text);

/** A live headless run with plain output; its stdout and stderr are collected as they come. */
function start(dir: string, stats: string) {
  const child = Bun.spawn(["bun", "runtime/cli.ts", dir, "--headless", "--size", "32x32", "--no-dashboard", "--stats", stats], { cwd: REPO, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  cleanup.push(() => child.kill("SIGKILL"));
  const output = { stdout: "", stderr: "" };
  const collect = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output[key] += decoder.decode(chunk);
  };
  void collect(child.stdout, "stdout");
  void collect(child.stderr, "stderr");
  return { child, output };
}

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((line) => line.includes(needle)) + 1;

const good = (update = "") => `import { Noise } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(32, 32);
  ctx.chain.output("noise");
}
export function update(ctx) {
${update}
}
`;

describe("no exit from the chain's code", () => {
  test("process.exit in setup, process.exit in update, kill(self) and abort in timers are refused with their lines; the run ends on SIGTERM with 0", async () => {
    const exitingSetup = good().replace('ctx.chain.output("noise");', 'ctx.chain.output("noise");\n  process.exit(0);');
    const { dir, file, stats, save } = project(exitingSetup);
    const { child, output } = start(dir, stats);

    await waitFor("the refused exit in setup", () => (output.stderr.includes("is refused") ? true : undefined));
    expect(output.stderr).toMatch(new RegExp(`chain\\.ts:${lineOf(exitingSetup, "process.exit")}:\\d+: error: process\\.exit\\(0\\) is refused while vivid runs`));
    await Bun.sleep(500);
    expect(child.exitCode).toBeNull();

    // update's throw is reported once per build; the timers' throws each time. The abort is a tail
    // call, which leaves no frame of the chain's on the stack: it is located at its setTimeout.
    const calls = good(`  globalThis.frames = (globalThis.frames ?? 0) + 1;
  if (globalThis.frames === 10) process.exit(3);`).replace(
      'ctx.chain.output("noise");',
      `ctx.chain.output("noise");
  setTimeout(() => {
    process.kill(process.pid, "SIGKILL");
  }, 300);
  setTimeout(() => process.abort(), 600);`,
    );
    save(calls);
    const refused = await waitFor("three refused calls", () => {
      // One per message: an error is sent again after a reload's ok entry when it came after the swap.
      const found = new Map(events(stats).filter((e) => e.type === "error" && String(e.message).includes("is refused") && !String(e.message).includes("exit(0)")).map((e) => [e.message, e]));
      return found.size >= 3 ? [...found.values()] : undefined;
    });
    // In the order of their lines (which comes first depends on the frame rate).
    expect(refused.map((e) => [e.message, e.file, e.line]).sort((a, b) => (a[2] as number) - (b[2] as number))).toEqual([
      [expect.stringMatching(/^process\.kill\(process\.pid, "SIGKILL"\) is refused/), file, lineOf(calls, "process.kill")],
      [expect.stringMatching(/^process\.abort\(\) is refused/), file, lineOf(calls, "process.abort")],
      [expect.stringMatching(/^process\.exit\(3\) is refused/), file, lineOf(calls, "process.exit(3)")],
    ]);
    const framesBefore = events(stats).filter((e) => e.type === "frames").length;
    await Bun.sleep(1500);
    expect(child.exitCode).toBeNull();
    expect(events(stats).filter((e) => e.type === "frames").length).toBeGreaterThan(framesBefore);

    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 60_000);
});

describe("errors the chain's code leaves behind", () => {
  test("a throwing interval and an unawaited rejection every frame are located error events, counted, a line a second; an update that throws after its reload stays the current error after the ok entry", async () => {
    const noisy = `import { Noise } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(32, 32);
  ctx.chain.output("noise");
  setInterval(() => {
    throw new Error("tick broke");
  }, 1);
}
export function update(ctx) {
  Promise.reject(new Error("lost promise"));
}
`;
    const { dir, file, stats, save } = project(noisy);
    const { child, output } = start(dir, stats);
    const errorsAbout = (message: string) => events(stats).filter((e) => e.type === "error" && e.message === message);
    await waitFor("three seconds of errors", () => (errorsAbout("tick broke").some((e) => (e.count as number) > 0 && (e.t as number) > 3) ? true : undefined));
    expect(child.exitCode).toBeNull();

    for (const [message, needle] of [["tick broke", "throw new Error"], ["lost promise", "Promise.reject"]] as const) {
      const reported = errorsAbout(message);
      expect(reported[0], message).toMatchObject({ file, line: lineOf(noisy, needle) });
      expect(reported[0]!.count, message).toBeUndefined();
      // Then the count, at most once a second: never more events than seconds (and the first).
      const counts = reported.slice(1).map((e) => e.count as number);
      expect(counts.length, message).toBeGreaterThan(0);
      expect(counts, message).toEqual([...counts].sort((a, b) => a - b));
      const span = (reported.at(-1)!.t as number) - (reported[0]!.t as number);
      expect(reported.length, message).toBeLessThanOrEqual(Math.ceil(span) + 2);
      // One plain line per event, with its time. The pipe can be a moment behind the stats file (and
      // more events come meanwhile): wait for the lines of these events, then compare them in order.
      const plainLines = () => output.stdout.split("\n").filter((line) => line.includes(`Error at `) && line.includes(message));
      await waitFor(`the plain lines of "${message}"`, () => (plainLines().length >= reported.length ? true : undefined), 5000);
      const stampOf = (t: number) => `[${t.toFixed(1)}s]`;
      expect(plainLines().slice(0, reported.length).map((line) => line.slice(0, line.indexOf("]") + 1)), message).toEqual(reported.map((e) => stampOf(e.t as number)));
    }
    // The interval throws about every millisecond: hundreds of times, counted.
    expect(errorsAbout("tick broke").at(-1)!.count as number).toBeGreaterThan(200);
    expect(output.stderr).not.toContain("tick broke");

    // A save that works at first and throws from its second update: swapped in (ok), then the error,
    // which the ok entry, arriving frames later, does not clear.
    const late = good(`  globalThis.updates = (globalThis.updates ?? 0) + 1;
  if (globalThis.updates > 1) throw new Error("late update broke");`);
    save(late);
    const okEntry = await waitFor("the ok reload", () => events(stats).find((e) => e.type === "reload" && e.ok === true));
    await Bun.sleep(300);
    const after = events(stats);
    const lastError = after.filter((e) => e.type === "error").at(-1)!;
    expect(lastError).toMatchObject({ message: "late update broke", file, line: lineOf(late, "late update broke") });
    expect(after.indexOf(lastError)).toBeGreaterThan(after.indexOf(okEntry));
    // The old version's interval stopped with it.
    const tickReports = errorsAbout("tick broke").length;
    await Bun.sleep(1500);
    expect(errorsAbout("tick broke").length).toBe(tickReports);

    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 60_000);
});

describe("a batch run", () => {
  test("--frames with an update that throws at once exits 1 with the located error", () => {
    const text = good('  throw new Error("update broke");');
    const { dir } = project(text);
    const run = Bun.spawnSync(["bun", "vivid", dir, "--headless", "--size", "32x32", "--frames", "10"], { cwd: REPO });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.toString()).toMatch(new RegExp(`chain\\.ts:${lineOf(text, "update broke")}:\\d+: error: update broke`));
    // The located error and nothing else: no crash of the runtime's own teardown after it (a
    // ReferenceError from main.ts once gave this exit 1 for the wrong reason).
    expect(run.stderr.toString()).not.toMatch(/ReferenceError|before initialization|\n\s+at /);
  });

  test("--snapshot with an update that throws at frame 3 exits 1 with the located error and writes no picture", () => {
    const text = good('  globalThis.updates = (globalThis.updates ?? 0) + 1;\n  if (globalThis.updates === 3) throw new Error("third update broke");');
    const { dir } = project(text);
    const png = join(dir, "out.png");
    const run = Bun.spawnSync(["bun", "vivid", dir, "--headless", "--size", "32x32", "--snapshot", png], { cwd: REPO });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.toString()).toMatch(new RegExp(`chain\\.ts:${lineOf(text, "third update broke")}:\\d+: error: third update broke`));
    expect(existsSync(png)).toBe(false);
  });
});
