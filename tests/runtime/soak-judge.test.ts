import { afterAll, describe, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Sample, judgeSavedSoak } from "../../runtime/soak.ts";
import { REPO } from "../helpers/render.ts";
import { seededRandom } from "./stats/synthetic.ts";

// `bun vivid soak --judge` on synthetic series saved the way a soak saves them (--json), through
// the real command line. The noise is normal with the residual standard deviation measured on real
// 10-s soak samples (0.35 MB; docs/memory.md).
const SD = 0.35;
const dir = mkdtempSync(join(tmpdir(), "vivid-judge-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function samples(toS: number, rss: (t: number) => number, seed = 1): Sample[] {
  const random = seededRandom(seed);
  const out: Sample[] = [];
  for (let t = 10; t <= toS; t += 10) {
    const noise = SD * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out.push({ t, rssMB: Number((rss(t) + noise).toFixed(2)), heapMB: 40, gpuMB: 15.82 });
  }
  return out;
}

/** A soak --json file as `bun vivid soak` writes it: options, the record, and a verdict beside it. */
function saveSoak(name: string, series: Sample[], warmupEndS: number, extra: Record<string, unknown> = {}): string {
  const live = { buffer: 12, texture: 9, pipeline: 4 };
  const file = join(dir, name);
  const record = {
    project: "hello-noise",
    adapter: "synthetic",
    options: { minutes: series.at(-1)!.t / 60, reloadEvery: 2, warmupSeconds: 60, warmupReloads: 500, warmupFrames: 10000, maxSlopeMBh: 1 },
    minutes: series.at(-1)!.t / 60,
    frames: 51_000,
    reloads: 900,
    reloadsFailed: 0,
    warmupReloads: 520,
    warmupEndS,
    warmupFrames: 10_100,
    errors: 0,
    frameMsP99: 20.1,
    gpuBytesStart: 16_588_800,
    gpuBytesEnd: 16_588_800,
    liveStart: live,
    liveEnd: live,
    createdAfterWarmup: {},
    samples: series,
    ...extra,
  };
  writeFileSync(file, JSON.stringify(record, null, 2));
  return file;
}

function judge(...args: string[]) {
  const run = Bun.spawnSync(["bun", "vivid", "soak", "--judge", ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: "1" } });
  return { code: run.exitCode, out: run.stdout.toString() + run.stderr.toString() };
}

const bump = (fromS: number) => (t: number) => 200 + (t >= fromS && t < fromS + 30 ? 7 : 0);
const steady = (mbPerHour: number) => (t: number) => 200 + (mbPerHour * t) / 3600;

describe("bun vivid soak --judge", () => {
  test("the H100 soak: 5 minutes, a 30-s +7 MB bump in a 3.5-minute window: INCONCLUSIVE, not FAIL", () => {
    const file = saveSoak("h100-bump.json", samples(300, bump(220)), 90);
    const { code, out } = judge(file);
    expect(out).toMatch(/soak: INCONCLUSIVE: RSS .*; about \d+ min more would decide/);
    expect(code).toBe(3);
  });

  test("30 minutes flat with a 30-s +7 MB bump: PASS or INCONCLUSIVE, never FAIL, wherever the bump", () => {
    for (const bumpAt of [300, 700, 1000, 1400, 1770]) {
      const file = saveSoak(`bump-${bumpAt}.json`, samples(1800, bump(bumpAt), bumpAt), 180);
      const { code, out } = judge(file);
      expect(out, `bump at ${bumpAt} s`).toMatch(/soak: (PASS|INCONCLUSIVE): /);
      expect([0, 3]).toContain(code);
    }
  });

  test("30 minutes flat with a bump, 27 minutes measured: PASS, and the bound is printed", () => {
    const file = saveSoak("bump-pass.json", samples(1800, bump(1000), 5), 180);
    const { code, out } = judge(file);
    const bound = /soak: PASS: RSS slope ≤ \+(\d+\.\d\d) MB\/h \(95 % bound\) ≤ limit \+1\.00 MB\/h/.exec(out);
    expect(bound, out).not.toBeNull();
    expect(Number(bound![1])).toBeLessThanOrEqual(1);
    expect(code).toBe(0);
  });

  test("+6 MB/h for 30 minutes: FAIL, whatever verdict the file says it had", () => {
    const file = saveSoak("steady-6.json", samples(1800, steady(6)), 60, { result: "PASS", reasons: [], rssSlopeMBh: 0 });
    const { code, out } = judge(file);
    const bound = /soak: FAIL: RSS slope ≥ \+(\d+\.\d\d) MB\/h \(95 % bound\) > limit \+1\.00 MB\/h, and over it in each half alone/.exec(out);
    expect(bound, out).not.toBeNull();
    expect(Number(bound![1])).toBeGreaterThan(4);
    expect(Number(bound![1])).toBeLessThan(6);
    expect(code).toBe(1);
  });

  test("--max-slope overrides the limit the soak ran with", () => {
    const file = saveSoak("steady-6-limit.json", samples(1800, steady(6)), 60);
    const { code, out } = judge(file, "--max-slope", "10");
    expect(out).toMatch(/soak: PASS: RSS slope ≤ \+[67]\.\d\d MB\/h \(95 % bound\) ≤ limit \+10\.00 MB\/h/);
    expect(code).toBe(0);
  });

  test("the census part is judged again too: a live count that differs fails", () => {
    const file = saveSoak("census.json", samples(1800, () => 200), 180, { liveEnd: { buffer: 13, texture: 9, pipeline: 4 } });
    expect(judgeSavedSoak(file).reasons).toContain("live buffer: 12 at warm-up, 13 at the end");
  });

  test("a file that is not a soak record: exit 2, the file and the field named", () => {
    const file = join(dir, "not-a-soak.json");
    writeFileSync(file, JSON.stringify({ samples: [{ t: 10, rssMB: "200" }] }));
    const { code, out } = judge(file);
    expect(out).toContain(`vivid: ${file}: "samples[0].rssMB" should be a number (is this a soak --json file?)`);
    expect(code).toBe(2);
    expect(judge(join(dir, "missing.json")).code).toBe(2);
  });

  test("--judge with a project or run flags is a usage error", () => {
    const { code, out } = judge(join(dir, "x.json"), "--minutes", "5");
    expect(out).toContain("--judge re-judges a saved soak; it takes only --max-slope and --png, not --minutes");
    expect(code).toBe(2);
  });
});

// A soak stopped before its warm-up ended took no census at warm-up: its start counts are zeros.
// Compared with the end's, they made a 9-s soak FAIL on "GPU bytes 0 at warm-up, 4672 at the end".
test("a soak whose warm-up never ended is INCONCLUSIVE and says so, not a census FAIL against zeros", async () => {
  const { judgeSoak } = await import("../../runtime/soak.ts");
  const verdict = judgeSoak(
    {
      minutes: 0.15, frames: 2400, reloads: 0, reloadsFailed: 0, warmupReloads: 0, warmupEndS: null, warmupFrames: 0, errors: 0, frameMsP99: 4,
      gpuBytesStart: 0, gpuBytesEnd: 4672, liveStart: { texture: 0, buffer: 0 }, liveEnd: { texture: 1, buffer: 1 }, createdAfterWarmup: {},
      samples: [{ t: 9.2, rssMB: 200, heapMB: 40, gpuMB: 0 }],
    },
    { maxSlopeMBh: 1, reloadEvery: 0 },
  );
  expect(verdict.result).toBe("INCONCLUSIVE");
  expect(verdict.reasons.join(" ")).toMatch(/the warm-up never ended \(2400 frames, 0 reloads in 0.15 min\): run longer/);
});
