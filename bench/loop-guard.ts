#!/usr/bin/env bun
/**
 * `bun bench/loop-guard.ts [--iterations N] [--rounds R]`
 *
 * What the loop guards (runtime/guard/) cost a chain's update: the same chain module, once as written
 * and once as the runtime loads it (instrument.ts's output, the guard's check in every loop body and
 * function), imported side by side from a temp folder; `update(ctx)` runs a tight numeric loop of N
 * iterations (a sum, and a call per iteration in a second loop) inside the guard's update call, as
 * Engine.frame runs it. The two alternate, R rounds; the median ms per update of each, and the cost
 * in %, are printed. Then the guard's fixed cost per call (the watchdog's vm call) against a plain call.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { instrument } from "../runtime/guard/instrument.ts";
import { loopGuard } from "../runtime/guard/loop-guard.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: { iterations: { type: "string", default: "2000000" }, rounds: { type: "string", default: "61" } },
});
const iterations = Number(values.iterations);
const rounds = Number(values.rounds);

const CHAIN = `const square = (x: number) => x * x;
export function update(ctx: { n: number }) {
  let sum = 0;
  for (let i = 0; i < ctx.n; i++) sum += (i & 1023) * 0.5;
  let calls = 0;
  let j = 0;
  while (j < ctx.n) { calls += square(j & 7); j++; }
  return sum + calls;
}
`;

const dir = mkdtempSync(join(tmpdir(), "vivid-loop-guard-bench-"));
try {
  const plainFile = join(dir, "plain.ts");
  const guardedFile = join(dir, "guarded.ts");
  writeFileSync(plainFile, CHAIN);
  const instrumented = instrument(guardedFile, CHAIN);
  if (!instrumented) throw new Error("the bench chain was not instrumented");
  writeFileSync(guardedFile, instrumented.code);
  const plain = (await import(plainFile)) as { update: (ctx: { n: number }) => number };
  const guarded = (await import(guardedFile)) as { update: (ctx: { n: number }) => number };
  const ctx = { n: iterations };

  // Both run as Engine.frame runs update: under the guard's watchdog (a generous limit here: the
  // cost is what is measured, not the limit).
  loopGuard.limits.updateMs = 60_000;
  const time = (update: (ctx: { n: number }) => number): number => {
    const start = performance.now();
    if (!Number.isFinite(loopGuard.call("update", "updateMs", update, ctx))) throw new Error("bad sum");
    return performance.now() - start;
  };
  // Warm-up: both compiled by the JIT's top tier before anything is counted.
  for (let i = 0; i < 10; i++) {
    time(plain.update);
    time(guarded.update);
  }
  const samples = { plain: [] as number[], guarded: [] as number[] };
  // Which goes first alternates, so neither always runs on a warmer cache or a quieter moment.
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      samples.plain.push(time(plain.update));
      samples.guarded.push(time(guarded.update));
    } else {
      samples.guarded.push(time(guarded.update));
      samples.plain.push(time(plain.update));
    }
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[list.length >> 1]!;
  const plainMs = median(samples.plain);
  const guardedMs = median(samples.guarded);
  const fastest = (list: number[]) => Math.min(...list);
  const loops = 2 * iterations;
  console.log(`loop guard cost on a tight numeric loop in update (${loops.toLocaleString("en")} loop iterations + ${iterations.toLocaleString("en")} calls per update, median of ${rounds}):`);
  console.log(`  as written    ${plainMs.toFixed(2)} ms per update (${((plainMs * 1e6) / loops).toFixed(2)} ns per iteration)`);
  console.log(`  guarded       ${guardedMs.toFixed(2)} ms per update (${((guardedMs * 1e6) / loops).toFixed(2)} ns per iteration)`);
  console.log(`  cost          ${(((guardedMs - plainMs) / plainMs) * 100).toFixed(1)} % (fastest of each: ${fastest(samples.plain).toFixed(2)} and ${fastest(samples.guarded).toFixed(2)} ms, ${(((fastest(samples.guarded) - fastest(samples.plain)) / fastest(samples.plain)) * 100).toFixed(1)} %)`);

  // The fixed cost of one guarded call (Engine.frame makes two: update and the cook).
  const calls = 20_000;
  const noop = (x: number) => x;
  let sink = 0;
  for (let i = 0; i < 1000; i++) sink += loopGuard.call("update", "updateMs", noop, i);
  let start = performance.now();
  for (let i = 0; i < calls; i++) sink += loopGuard.call("update", "updateMs", noop, i);
  const guardedCallUs = ((performance.now() - start) * 1000) / calls;
  start = performance.now();
  for (let i = 0; i < calls; i++) sink += noop(i);
  const plainCallUs = ((performance.now() - start) * 1000) / calls;
  if (!Number.isFinite(sink)) throw new Error("bad sink");
  console.log(`a guarded call: ${guardedCallUs.toFixed(2)} µs (a plain call ${plainCallUs.toFixed(3)} µs); two a frame`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
