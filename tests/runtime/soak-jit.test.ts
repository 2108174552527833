import { expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SOAK_JIT_THRESHOLDS, soakJitEnv } from "../../runtime/soak-jit.ts";
import { REPO } from "../helpers/render.ts";

// The soak's child runs with JavaScriptCore's tier-up thresholds lowered (runtime/soak-jit.ts).
// Bun refuses a `BUN_JSC_` name JavaScriptCore does not know (exit 1, "invalid JSC environment
// variable"), and the options change between releases without notice: a Bun that renames one would
// stop every soak. JavaScriptCore's own option dump must show each one set to the soak's value.
test("JavaScriptCore takes every threshold the soak sets, with the soak's value", () => {
  const run = Bun.spawnSync(["bun", "-e", "0"], { env: { ...process.env, ...soakJitEnv(), BUN_JSC_dumpOptions: "2" } });
  const dump = run.stdout.toString() + run.stderr.toString();
  expect(run.exitCode).toBe(0);
  const names = Object.keys(SOAK_JIT_THRESHOLDS);
  expect(names.length).toBeGreaterThanOrEqual(7);
  for (const name of names) {
    // A changed option is listed as `name=value (default: d)`.
    const line = dump.split("\n").find((l) => l.trim().startsWith(`${name}=`));
    expect(line, name).toBeDefined();
    expect(line!.trim()).toMatch(new RegExp(`^${name}=${SOAK_JIT_THRESHOLDS[name]} \\(default: \\d+\\)$`));
  }
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "vivid-soak-jit-"));
  writeFileSync(
    join(dir, "chain.ts"),
    `import { Noise } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(32, 18);
  ctx.chain.output("noise");
}
`,
  );
  return dir;
}

const short = (minutes: number) => ["--headless", "--size", "64x36", "--minutes", String(minutes), "--warmup", "2", "--warmup-frames", "10", "--no-dashboard"];

test("a soak runs in a child with the lowered thresholds, says so in its record, and passes its exit code on; --jit-defaults soaks in one process", () => {
  const dir = project();
  try {
    for (const [flags, mode] of [[[], "fast tier-up"], [["--jit-defaults"], "defaults"]] as const) {
      const json = join(dir, `soak-${flags.length}.json`);
      const run = Bun.spawnSync(["bun", "vivid", "soak", dir, ...short(0.3), ...flags, "--json", json], { cwd: REPO, env: { ...process.env, NO_COLOR: "1" } });
      const output = run.stdout.toString() + run.stderr.toString();
      // 18 s cannot bound a slope: INCONCLUSIVE, exit 3, from the child through the parent.
      expect(output).toMatch(/soak: INCONCLUSIVE/);
      expect(run.exitCode, output).toBe(3);
      const record = JSON.parse(readFileSync(json, "utf8"));
      expect(record.jit).toBe(mode);
      expect(record.options.jitDefaults).toBe(flags.length > 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

test("SIGTERM to the soak's process reaches its child: the soak ends early with its verdict, and no process is left", async () => {
  const dir = project();
  try {
    const json = join(dir, "soak.json");
    const child = Bun.spawn(["bun", "vivid", "soak", dir, ...short(5), "--json", json], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    let output = "";
    const reader = (async () => {
      for await (const chunk of child.stdout as ReadableStream<Uint8Array>) output += new TextDecoder().decode(chunk);
    })();
    const started = Date.now();
    while (!/Soak measuring/.test(output) && Date.now() - started < 60_000) await Bun.sleep(100);
    expect(output).toMatch(/Soak measuring/);
    child.kill("SIGTERM");
    const code = await child.exited;
    await reader;
    // Stopped after ~10 s of a 5-minute soak: the child wrote its verdict and record, as a soak
    // stopped in one process does.
    expect(output).toMatch(/soak: INCONCLUSIVE/);
    expect(code).toBe(3);
    expect(JSON.parse(readFileSync(json, "utf8")).jit).toBe("fast tier-up");
    const left = Bun.spawnSync(["pgrep", "-f", `soak ${dir}`]).stdout.toString().trim();
    expect(left).toBe("");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
