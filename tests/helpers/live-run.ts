/**
 * Shared by the tests that run `bun vivid` in its own process (tests/runtime/main*.test.ts): temp
 * projects saved the way editors save, the `--stats` JSON-lines file read back as records, polling
 * until something shows up, the dashboard on a real pseudo-terminal, and the clean-up that ends
 * every process and removes every folder a test left behind.
 */
import { afterEach } from "vitest";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./render.ts";

/** One record of a `--stats` file. */
export type Json = Record<string, unknown>;

/**
 * What the running test must undo (processes to end, folders to remove), undone after it, last
 * pushed first. Vitest evaluates this module once per test file (each file runs isolated), so the
 * hook below belongs to the file that imports it.
 */
export const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** The records of a `--stats` file so far: every complete line (a line being written is left out). */
export function events(stats: string): Json[] {
  if (!existsSync(stats)) return [];
  return readFileSync(stats, "utf8")
    .split("\n")
    .filter((line) => line.endsWith("}"))
    .map((line) => JSON.parse(line) as Json);
}

/**
 * Polls `get` every 50 ms until it gives a value; after `ms` fails, naming `what` it waited for (a
 * function is called then, so the message can carry what the process said by that time).
 */
export async function waitFor<T>(what: string | (() => string), get: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await Bun.sleep(50);
  }
}

/**
 * A temp project folder (removed after the test) whose chain.ts holds `text`; `save` writes it again
 * through a temporary file and a rename, as editors save. `stats` is a path in it for `--stats`.
 */
export function tempProject(prefix: string, text: string): { dir: string; file: string; stats: string; save: (text: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "chain.ts");
  const save = (next: string) => {
    writeFileSync(`${file}.tmp-save`, next);
    renameSync(`${file}.tmp-save`, file);
  };
  save(text);
  return { dir, file, stats: join(dir, "stats.jsonl"), save };
}

/**
 * `command` (a shell command line, run in the repository) on a real pseudo-terminal through
 * util-linux `script`, as in a user's terminal: `screen` is all it has shown so far and `type` sends
 * keys. It is killed after the test if it is still running.
 */
export function startInTerminal(command: string, env: Record<string, string | undefined> = process.env) {
  const child = Bun.spawn(["script", "-qfec", command, "/dev/null"], { cwd: REPO, stdin: "pipe", stdout: "pipe", stderr: "pipe", env: { ...env, TERM: "xterm-256color" } });
  cleanup.push(() => {
    if (child.exitCode === null) child.kill();
    return child.exited;
  });
  let shown = "";
  void (async () => {
    for await (const chunk of child.stdout as ReadableStream<Uint8Array>) shown += new TextDecoder().decode(chunk);
  })();
  const type = (key: string) => {
    child.stdin.write(key);
    child.stdin.flush();
  };
  return { child, type, screen: () => shown };
}
