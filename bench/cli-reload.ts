#!/usr/bin/env bun
/**
 * `bun bench/cli-reload.ts [saves=100] [interval-ms=400] [saves-per-editor-style=2]`: the hot-reload
 * check done the way a user does it. Copies examples/02-hello-noise to a temp folder, runs `bun vivid
 * <copy> --headless --stats s.jsonl --no-dashboard` as a child process, rename-saves (temp file +
 * rename, as editors do) a changed `noise.scale` N times, then saves a syntax error and its fix, then
 * saves the chain each way an editor does (tests/runtime/reload/editor-saves.ts). Reads the ledger
 * back from the stats file and prints swapMs / ms / savedToSwapMs / savedToFrameMs percentiles, created counts, how long after its save
 * the error showed, whether frames kept coming while it was on screen, and the entries per editor
 * save. Exit code 1 when a check fails (one ledger entry per save, all ok, nothing created, the error
 * has its line, the fix recovers, one ok entry per editor save).
 */
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ReloadEvent, StatsEvent } from "../runtime/stats/events.ts";
import { editorSaves } from "../tests/runtime/reload/editor-saves.ts";
import { TRANSIENT_GRACE_MS } from "../runtime/reload/watcher.ts";

const saves = Number(process.argv[2] ?? 100);
const intervalMs = Number(process.argv[3] ?? 400);
const savesPerEditorStyle = Number(process.argv[4] ?? 2);
const root = resolve(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "vivid-cli-reload-"));
const project = join(dir, "hello-noise");
cpSync(join(root, "examples/02-hello-noise"), project, { recursive: true });
const chainFile = join(project, "chain.ts");
const statsFile = join(dir, "s.jsonl");
const original = readFileSync(chainFile, "utf8");
if (!original.includes("noise.scale = 13.3;")) throw new Error("examples/02-hello-noise no longer sets noise.scale = 13.3");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const events = (): StatsEvent[] =>
  existsSync(statsFile) ? readFileSync(statsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
const reloads = () => events().filter((e): e is ReloadEvent => e.type === "reload");
const frameSeconds = () => events().filter((e) => e.type === "frames").length;
function renameSave(text: string) {
  const tmp = `${chainFile}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, chainFile);
}
async function waitFor<T>(what: string, f: () => T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const child = Bun.spawn(["bun", join(root, "runtime/cli.ts"), project, "--headless", "--stats", statsFile, "--no-dashboard"], {
  stdout: "ignore",
  stderr: "pipe",
  cwd: root,
});
const failures: string[] = [];
try {
  await waitFor("the first frames", () => (frameSeconds() >= 2 ? true : undefined), 60_000);
  for (let i = 0; i < saves; i++) {
    const before = reloads().length;
    renameSave(original.replace("noise.scale = 13.3;", `noise.scale = ${(i % 2 ? 13.3 : 9.1 + i / 100).toFixed(2)};`));
    await waitFor(`reload ${i + 1}`, () => (reloads().length > before ? true : undefined));
    await sleep(intervalMs);
  }
  await sleep(500);
  const paramEntries = reloads();

  // A syntax error: the old chain keeps running and the ledger names the line.
  const lines = original.split("\n");
  const badLine = lines.findIndex((l) => l.includes("noise.speed = 0.5;"));
  lines[badLine] = "  noise.speed = = 0.5;";
  const framesBefore = frameSeconds();
  const badSavedAt = performance.now();
  renameSave(lines.join("\n"));
  const bad = await waitFor("the syntax-error entry", () => reloads().find((e, i) => i >= paramEntries.length));
  // Polled every 20 ms: an upper bound, within 20 ms.
  const badShownMs = performance.now() - badSavedAt;
  await sleep(2500);
  const framesDuring = frameSeconds() - framesBefore;
  renameSave(original);
  const fixed = await waitFor("the fix", () => reloads().find((e, i) => i > paramEntries.length));
  await sleep(intervalMs);

  // Each way an editor saves: exactly one ok entry per save, none held back, none doubled. The quiet
  // period after each is long enough for a held failure (TRANSIENT_GRACE_MS) to have shown.
  const editorRows: string[] = [];
  let editorSaveCount = 0;
  for (const [style, save] of Object.entries(editorSaves)) {
    const counts: number[] = [];
    let failed = 0;
    for (let i = 0; i < savesPerEditorStyle; i++) {
      const before = reloads().length;
      editorSaveCount++;
      await save(chainFile, original.replace("noise.scale = 13.3;", `noise.scale = ${(2 + editorSaveCount / 10).toFixed(2)};`));
      await waitFor(`the entry of a ${style} save`, () => (reloads().length > before ? true : undefined));
      await sleep(4 * TRANSIENT_GRACE_MS);
      const entries = reloads().slice(before);
      counts.push(entries.length);
      failed += entries.filter((e) => !e.ok).length;
    }
    editorRows.push(`  ${style.padEnd(48)} entries per save: ${counts.join(", ")}; ok:false: ${failed}`);
    if (counts.some((n) => n !== 1) || failed > 0) failures.push(`${style}: entries per save ${counts.join(", ")}, ${failed} ok:false`);
  }

  const swap = paramEntries.map((e) => e.swapMs).sort((a, b) => a - b);
  const full = paramEntries.map((e) => e.ms).sort((a, b) => a - b);
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
  const created = paramEntries.reduce((s, e) => s + Object.values(e.created).reduce((a, b) => a + b, 0), 0);
  console.log(`param-only rename-saves: ${saves}, ledger entries: ${paramEntries.length}, ok: ${paramEntries.filter((e) => e.ok).length}, objects created in all: ${created}`);
  console.log(`swapMs  median ${pct(swap, 50).toFixed(1)}  p95 ${pct(swap, 95).toFixed(1)}  max ${swap.at(-1)!.toFixed(1)}`);
  console.log(`ms      median ${pct(full, 50).toFixed(1)}  p95 ${pct(full, 95).toFixed(1)}  max ${full.at(-1)!.toFixed(1)}`);
  // From the saved file's mtime (the kernel's record of the save) to the new chain's first frame
  // submitted, and to that frame done on the GPU.
  const savedToSwap = paramEntries.flatMap((e) => (e.savedToSwapMs === undefined ? [] : [e.savedToSwapMs])).sort((a, b) => a - b);
  const savedToFrame = paramEntries.flatMap((e) => (e.savedToFrameMs === undefined ? [] : [e.savedToFrameMs])).sort((a, b) => a - b);
  if (savedToSwap.length > 0) {
    console.log(`savedToSwapMs   p50 ${pct(savedToSwap, 50).toFixed(1)}  p95 ${pct(savedToSwap, 95).toFixed(1)}  max ${savedToSwap.at(-1)!.toFixed(1)}`);
    console.log(`savedToFrameMs  p50 ${pct(savedToFrame, 50).toFixed(1)}  p95 ${pct(savedToFrame, 95).toFixed(1)}  max ${savedToFrame.at(-1)!.toFixed(1)}`);
  }
  console.log(`syntax error: ok=${bad.ok} ${bad.error ? `${(bad.error.file ?? "").replace(dir, "<tmp>")}:${bad.error.line}:${bad.error.column} ${bad.error.message}` : "(no error)"}; shown ${badShownMs.toFixed(0)} ms after its save; frame-seconds while broken: ${framesDuring}`);
  console.log(`fix: ok=${fixed.ok}`);
  console.log(`editor save styles, ${savesPerEditorStyle} saves each:\n${editorRows.join("\n")}`);

  if (paramEntries.length !== saves) failures.push(`${paramEntries.length} ledger entries for ${saves} saves`);
  if (paramEntries.some((e) => !e.ok)) failures.push("a param-only reload failed");
  if (savedToSwap.length !== paramEntries.length || savedToFrame.length !== paramEntries.length) failures.push("a ledger entry lacks savedToSwapMs / savedToFrameMs");
  if (created !== 0) failures.push(`param-only reloads created ${created} GPU objects`);
  if (bad.ok || bad.error?.line !== badLine + 1) failures.push(`syntax error entry: ok=${bad.ok} line=${bad.error?.line}, expected line ${badLine + 1}`);
  if (framesDuring < 2) failures.push("frames stopped while the syntax error was on screen");
  if (!fixed.ok) failures.push("fixing the file did not recover");
} finally {
  child.kill();
  await child.exited;
  rmSync(dir, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`FAIL: ${failures.join("; ")}`);
  process.exit(1);
}
console.log("PASS");
