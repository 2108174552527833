/**
 * `s` in the terminal dashboard of a live `bun vivid` (a real pseudo-terminal through util-linux
 * `script`) when the snapshot cannot be written (issue #17): a read-only project folder and a project
 * folder renamed while running. The process says why (an error event in the --stats file, which the
 * dashboard shows too), keeps rendering, and quits normally.
 */
import { afterEach, describe, expect, test } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readOnlyFolder } from "../helpers/read-only.ts";
import { REPO } from "../helpers/render.ts";

const CHAIN = `import { Noise } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(32, 32);
  ctx.chain.output("noise");
}
`;

type Json = Record<string, unknown>;
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

function events(stats: string): Json[] {
  if (!existsSync(stats)) return [];
  return readFileSync(stats, "utf8")
    .split("\n")
    .filter((line) => line.endsWith("}"))
    .map((line) => JSON.parse(line) as Json);
}

async function waitFor<T>(what: string, get: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

/** A project folder nobody can write into (see readOnlyFolder). */
function readOnlyProject(): string {
  const { dir, remove } = readOnlyFolder({ "chain.ts": CHAIN });
  cleanup.push(remove);
  return dir;
}

/** `bun vivid <dir>` with its dashboard in a pseudo-terminal; `type` sends keys. */
function start(dir: string, stats: string): { type: (key: string) => void; exited: Promise<number>; screen: () => string } {
  const command = `bun vivid ${dir} --headless --window 64x64 --stats ${stats}`;
  const child = Bun.spawn(["script", "-qfec", command, "/dev/null"], { cwd: REPO, stdin: "pipe", stdout: "pipe", stderr: "pipe", env: { ...process.env, TERM: "xterm-256color" } });
  cleanup.push(() => {
    if (child.exitCode === null) child.kill();
    return child.exited;
  });
  let screen = "";
  void (async () => {
    for await (const chunk of child.stdout as ReadableStream<Uint8Array>) screen += new TextDecoder().decode(chunk);
  })();
  return {
    type: (key) => {
      child.stdin.write(key);
      child.stdin.flush();
    },
    exited: child.exited,
    screen: () => screen,
  };
}

/** Presses s, waits for the error event it causes, then for frames after it: the process went on. */
async function snapshotFails(run: ReturnType<typeof start>, stats: string, count: number): Promise<Json> {
  run.type("s");
  const error = await waitFor(`snapshot error ${count}`, () => events(stats).filter((e) => e.type === "error")[count - 1]);
  await waitFor("frames after the failed snapshot", () => events(stats).find((e) => e.type === "frames" && (e.t as number) > (error.t as number)));
  return error;
}

describe("s when the snapshot cannot be written", () => {
  test("a read-only project folder: an error naming the file and EROFS / EACCES, twice, and the run goes on to a normal quit", async () => {
    const dir = readOnlyProject();
    const statsDir = mkdtempSync(join(tmpdir(), "vivid-ro-stats-"));
    cleanup.push(() => rmSync(statsDir, { recursive: true, force: true }));
    const stats = join(statsDir, "stats.jsonl");
    const run = start(dir, stats);
    await waitFor("the dashboard", () => (run.screen().includes("r reload") ? true : undefined));
    await waitFor("the first frames event", () => events(stats).find((e) => e.type === "frames"));

    for (const count of [1, 2]) {
      const error = await snapshotFails(run, stats, count);
      expect(error.message).toContain(join(dir, "snapshot_1.png"));
      expect(error.message).toMatch(/EROFS|EACCES/);
    }
    run.type("q");
    expect(await run.exited).toBe(0);
    expect(readdirSync(dir)).toEqual(["chain.ts"]);
  }, 90_000);

  test("a project folder renamed while running: an error naming ENOENT, and the run goes on to a normal quit", async () => {
    const parent = mkdtempSync(join(tmpdir(), "vivid-moved-"));
    cleanup.push(() => rmSync(parent, { recursive: true, force: true }));
    const dir = join(parent, "project");
    const stats = join(parent, "stats.jsonl");
    rmSync(dir, { recursive: true, force: true });
    Bun.spawnSync(["mkdir", dir]);
    writeFileSync(join(dir, "chain.ts"), CHAIN);
    const run = start(dir, stats);
    await waitFor("the dashboard", () => (run.screen().includes("r reload") ? true : undefined));
    await waitFor("the first frames event", () => events(stats).find((e) => e.type === "frames"));

    renameSync(dir, join(parent, "renamed"));
    const error = await snapshotFails(run, stats, 1);
    expect(error.message).toContain(join(dir, "snapshot_1.png"));
    expect(error.message).toMatch(/ENOENT/);
    run.type("q");
    expect(await run.exited).toBe(0);
  }, 90_000);
});
