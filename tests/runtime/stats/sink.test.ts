import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { StatsHub } from "../../../runtime/stats/hub.ts";
import { openJsonlSink } from "../../../runtime/stats/sink.ts";
import { FakeClock, seriesReader } from "./synthetic.ts";

let folder: string | null = null;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = null;
});

test("appends one JSON object per line, every event type, to a new file in a new folder", () => {
  folder = mkdtempSync(join(tmpdir(), "vivid-stats-"));
  const path = join(folder, "runs", "soak.jsonl");
  const clock = new FakeClock();
  const hub = new StatsHub({ now: clock.now, readMemory: seriesReader([100]) });
  const sink = openJsonlSink(path);
  hub.subscribe(sink.write);
  for (let i = 1; i <= 600; i++) hub.recordFrame(1, 1000 / 60, clock.frame(i));
  hub.reload({ file: "a.ts", ok: true, swapMs: 1, ms: 2, created: { shaderModules: 0, pipelines: 1, bindGroups: 0, textures: 0, buffers: 0 }, released: { shaderModules: 0, pipelines: 1, bindGroups: 0, textures: 0, buffers: 0 }, rssDeltaMB: 0 });
  hub.error({ message: "boom", file: "a.ts", line: 1, column: 1, sourceLine: "x" });
  sink.close();
  sink.write({ type: "error", t: 99, message: "after close" });

  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  const events = lines.map((line) => JSON.parse(line));
  expect(events.map((e) => e.type)).toEqual([...Array(10).fill("frames"), "memory", "reload", "error"]);
  expect(events[10]).toMatchObject({ type: "memory", t: 10, rssMB: 100, totalMB: 0, last10sMB: 0, alarm: false });
  expect(events[12]).toMatchObject({ type: "error", file: "a.ts", line: 1, column: 1, sourceLine: "x" });
});

test("appends to an existing file instead of replacing it", () => {
  folder = mkdtempSync(join(tmpdir(), "vivid-stats-"));
  const path = join(folder, "stats.jsonl");
  writeFileSync(path, '{"type":"error","t":0,"message":"earlier run"}\n');
  const sink = openJsonlSink(path);
  sink.write({ type: "error", t: 1, message: "this run" });
  sink.close();
  expect(readFileSync(path, "utf8").trimEnd().split("\n")).toHaveLength(2);
});

test("a write that fails (a full disk: /dev/full gives ENOSPC) is said once on stderr and ends the file, never the run", () => {
  const said: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void said.push(args.join(" "));
  try {
    const sink = openJsonlSink("/dev/full");
    for (let t = 0; t < 3; t++) expect(() => sink.write({ type: "error", t, message: "lost" })).not.toThrow();
    sink.close();
  } finally {
    console.error = original;
  }
  expect(said).toHaveLength(1);
  expect(said[0]).toMatch(/^vivid: --stats \/dev\/full: .*ENOSPC.*; no more stats are written to it$/);
});
