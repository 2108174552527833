/**
 * `bun vivid <project>` as a user runs it, in its own process: `r` in the terminal dashboard (a real
 * pseudo-terminal, through util-linux `script`) and `R` in the window (a real X key through XTEST on
 * a private Xvfb) force a reload, and every reload lands in the `--stats` JSON-lines ledger with
 * exactly the fields of ReloadEvent (runtime/stats/events.ts).
 */
import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { cleanup, events, startInTerminal, tempProject, waitFor, type Json } from "../helpers/live-run.ts";
import { REPO } from "../helpers/render.ts";
import { FakeInput, startXvfb, type Xvfb } from "./window/xvfb.ts";

const chain = (scale: number) => `import { Noise } from "vivid";
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(32, 32);
  noise.speed = 0;
  noise.scale = ${scale};
  ctx.chain.output("noise");
}
`;

const project = () => tempProject("vivid-main-", chain(4));
const reloads = (stats: string) => events(stats).filter((e) => e.type === "reload");

const COUNTS = ["bindGroups", "buffers", "pipelines", "shaderModules", "textures"];

/** The ledger entry's fields, exactly: those of ReloadEvent, `error` only on a failed reload. */
/** `saved`: a reload of a save (not of r), which succeeded, measures from the file's mtime too. */
function expectLedgerEntry(entry: Json, ok: boolean, saved = false): void {
  expect(Object.keys(entry).sort()).toEqual(
    ["created", "file", "ms", "ok", "released", "rssDeltaMB", "swapMs", "t", "type", ...(ok ? [] : ["error"]), ...(saved ? ["savedToSwapMs", "savedToFrameMs"] : [])].sort(),
  );
  if (saved) {
    expect(entry.savedToSwapMs as number).toBeGreaterThan(0);
    expect(entry.savedToFrameMs as number).toBeGreaterThanOrEqual(entry.savedToSwapMs as number);
  }
  expect(entry.type).toBe("reload");
  expect(entry.ok).toBe(ok);
  for (const field of ["t", "swapMs", "ms", "rssDeltaMB"]) expect(typeof entry[field], field).toBe("number");
  expect(entry.t as number).toBeGreaterThan(0);
  expect(entry.ms as number).toBeGreaterThanOrEqual(entry.swapMs as number);
  for (const field of ["created", "released"]) {
    const counts = entry[field] as Json;
    expect(Object.keys(counts).sort(), field).toEqual(COUNTS);
    for (const kind of COUNTS) expect(Number.isInteger(counts[kind]), `${field}.${kind}`).toBe(true);
  }
}

describe("bun vivid", () => {
  test("r in the terminal dashboard forces a reload; ok and failed reloads are in the --stats ledger with ReloadEvent's fields", async () => {
    const { dir, stats, save } = project();
    const { child, type, screen } = startInTerminal(`bun vivid ${dir} --headless --window 64x64 --stats ${stats}`);

    await waitFor("the dashboard", () => (screen().includes("r reload") ? true : undefined));
    await waitFor("the first frames event", () => events(stats).find((e) => e.type === "frames"));
    expect(reloads(stats)).toEqual([]);

    type("r");
    const manual = await waitFor("the reload that r asked for", () => reloads(stats)[0]);
    expect(manual.file).toBe("manual");
    expectLedgerEntry(manual, true);

    save(chain(4).replace("noise.speed = 0;", "noise.speed = ;"));
    const failed = await waitFor("the failed reload", () => reloads(stats)[1]);
    expectLedgerEntry(failed, false);
    expect(failed.file).toBe("chain.ts");
    const error = failed.error as Json;
    expect(error.file).toBe(join(dir, "chain.ts"));
    expect(error.line).toBe(4);
    expect(error.column as number).toBeGreaterThan(0);
    expect(error.message).toMatch(/Unexpected|expected/i);
    expect(Object.keys(error).filter((key) => key !== "sourceLine").sort()).toEqual(["column", "file", "line", "message"]);

    save(chain(9));
    const fixed = await waitFor("the fixing reload", () => reloads(stats)[2]);
    expectLedgerEntry(fixed, true, true);
    expect(fixed.file).toBe("chain.ts");
    expect(fixed.t as number).toBeGreaterThanOrEqual(failed.t as number);
    expect(failed.t as number).toBeGreaterThanOrEqual(manual.t as number);

    type("q");
    expect(await child.exited).toBe(0);
    expect(reloads(stats)).toHaveLength(3);
  }, 90_000);

  test("R in the window forces a reload", async () => {
    const xvfb: Xvfb = await startXvfb(320, 240);
    cleanup.push(() => xvfb.stop());
    const { dir, stats } = project();
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined && name !== "WAYLAND_DISPLAY") env[name] = value;
    env.DISPLAY = xvfb.display;
    // Fullscreen on a 320×240 screen: the pointer is over the window wherever it is, so X gives it the keys.
    const child = Bun.spawn(["bun", "runtime/cli.ts", dir, "--fullscreen", "--no-dashboard", "--stats", stats], { cwd: REPO, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    cleanup.push(() => {
      if (child.exitCode === null) child.kill();
      return child.exited;
    });
    await waitFor("the first frames event", () => events(stats).find((e) => e.type === "frames"));
    expect(reloads(stats)).toEqual([]);

    const fake = new FakeInput(xvfb.display);
    cleanup.push(() => fake.close());
    fake.moveTo(160, 120);
    fake.key(0x72, true); // XK_r
    fake.key(0x72, false);
    const manual = await waitFor("the reload that R asked for", () => reloads(stats)[0]);
    expect(manual.file).toBe("manual");
    expect(manual.ok).toBe(true);

    fake.key(0xff1b, true); // Escape quits
    fake.key(0xff1b, false);
    expect(await child.exited).toBe(0);
    expect(reloads(stats)).toHaveLength(1);
  }, 90_000);
});
