/**
 * `s` in the terminal dashboard of a live `bun vivid` (a real pseudo-terminal through util-linux
 * `script`) when the snapshot cannot be written (issue #17): a read-only project folder and a project
 * folder renamed while running. The process says why (an error event in the --stats file, which the
 * dashboard shows too), keeps rendering, and quits normally.
 */
import { describe, expect, test } from "vitest";
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanup, events, startInTerminal, waitFor, type Json } from "../helpers/live-run.ts";
import { readOnlyFolder } from "../helpers/read-only.ts";

const CHAIN = `import { Noise } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(32, 32);
  ctx.chain.output("noise");
}
`;

/** A project folder nobody can write into (see readOnlyFolder). */
function readOnlyProject(): string {
  const { dir, remove } = readOnlyFolder({ "chain.ts": CHAIN });
  cleanup.push(remove);
  return dir;
}

/** `bun vivid <dir>` with its dashboard in a pseudo-terminal; `type` sends keys. */
function start(dir: string, stats: string) {
  return startInTerminal(`bun vivid ${dir} --headless --window 64x64 --stats ${stats}`);
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
    expect(await run.child.exited).toBe(0);
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
    expect(await run.child.exited).toBe(0);
  }, 90_000);
});
