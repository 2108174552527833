import { heapStats } from "bun:jsc";
import QuickLRU from "quick-lru";
import { type DashboardHandle, mountDashboard } from "../../../runtime/dashboard/mount.tsx";
import { Census } from "../../../runtime/gpu/census.ts";
import type { ReloadEntry } from "../../../runtime/stats/events.ts";
import { StatsHub, type StatsHubOptions } from "../../../runtime/stats/hub.ts";
import { FakeClock, MB, rssSeries, seriesReader } from "../stats/synthetic.ts";
import { asStdin, asStdout, FakeKeyboard, FakeTerminal } from "./streams.ts";

/**
 * The soak behind soak.test.ts, run by it in a child process of its own: a memory measurement needs
 * a heap that nothing else (the test runner, other test files) allocates into or frees from. Usage:
 * `bun tests/runtime/dashboard/soak-run.tsx clean|every-frame|unbounded-history`; prints one JSON
 * line with the growth after warm-up.
 */

/**
 * Ink measures every text through a module-level QuickLRU, which mountDashboard bounds to 256 entries
 * (up to 512 live while it rotates; runtime/dashboard/ink-text-caches.ts, tested on its own in
 * ink-text-caches.test.ts). Its fill level still swings the live objects by up to ~500, more than
 * this test's bound, which would hide a real leak or fake one. So the test finds Ink's LRU instances
 * (by watching QuickLRU.set, the same module instance Ink imports) and empties them before each
 * reading.
 */
const inkCaches = new Set<QuickLRU<unknown, unknown>>();
const originalSet = QuickLRU.prototype.set;
QuickLRU.prototype.set = function (this: QuickLRU<unknown, unknown>, ...args: Parameters<typeof originalSet>) {
  inkCaches.add(this);
  return originalSet.apply(this, args);
};

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Cells that are not counted as data: what the engine makes for code (bytecode, shapes, symbol
 * tables) and strings, most of which belong to code too. JSC discards unused bytecode after a few
 * minutes, which drops thousands of these at once; counting them would hide a leak of that size.
 */
const NOT_DATA = /CodeBlock|Executable|^Structure|SymbolTable|^string$/;

interface HeapReading {
  /** JS heap bytes: heapSize less extraMemorySize (native buffers such as Yoga's WASM memory). */
  bytes: number;
  /** Live data objects: every cell except code cells and strings. */
  objects: number;
}

/**
 * React's development build gives each element an Error for its owner stack, but only the first
 * 10 000 elements in each real second; later ones share a placeholder. Fast-forwarding renders far
 * more than that, so how many of the two live trees' elements hold an Error depends on timing: about
 * 430 cells either way. Before reading, wait out the second and draw twice, so both trees are in
 * the same state at every reading.
 */
async function quiesce(dashboard: DashboardHandle): Promise<void> {
  await settle(1100);
  for (let draw = 0; draw < 2; draw++) {
    dashboard.redraw();
    await settle(300);
  }
}

/**
 * Quiesces, empties Ink's text-measure caches, collects, and reads the heap; twice, keeping the
 * smaller reading, so that garbage still reachable from work in flight at one reading (rare, under
 * CPU contention) does not count.
 */
async function readHeap(dashboard: DashboardHandle): Promise<HeapReading> {
  let best: HeapReading = { bytes: Number.POSITIVE_INFINITY, objects: Number.POSITIVE_INFINITY };
  for (let round = 0; round < 2; round++) {
    await quiesce(dashboard);
    for (const cache of inkCaches) cache.clear();
    Bun.gc(true);
    const stats = heapStats();
    let objects = 0;
    for (const [type, count] of Object.entries(stats.objectTypeCounts)) if (!NOT_DATA.test(type)) objects += count;
    best = { bytes: Math.min(best.bytes, stats.heapSize - stats.extraMemorySize), objects: Math.min(best.objects, objects) };
  }
  return best;
}

const counts = { shaderModules: 1, pipelines: 1, bindGroups: 2, textures: 0, buffers: 0 };
const reloadEntry = (second: number): ReloadEntry =>
  second % 30 === 5
    ? { file: "shaders/2d/noise.wgsl", ok: false, swapMs: 0, ms: 9, error: { file: "shaders/2d/noise.wgsl", line: second, column: 3, message: `error ${second}`, sourceLine: "  let p = scal * uv;" }, created: counts, released: counts, rssDeltaMB: 0 }
    : { file: `operators/2d/op${second}.ts`, ok: true, swapMs: 0.5, ms: 30, created: counts, released: counts, rssDeltaMB: 0.1 };

/** The bug the soak must catch: a hub that keeps every frame in an unbounded array. */
class FrameHoardingHub extends StatsHub {
  readonly everyFrame: { cpuMs: number; intervalMs: number }[] = [];
  override recordFrame(cpuMs: number, intervalMs: number, now?: number): void {
    this.everyFrame.push({ cpuMs, intervalMs });
    super.recordFrame(cpuMs, intervalMs, now);
  }
}

const WARMUP_SECONDS = 120;

/**
 * Ten minutes at 60 fps, fast-forwarded: 36 000 frames, 60 memory samples, a reload every 10 s (one
 * in three failing with a source-located error), a runtime error every minute and a census that
 * changes every frame, with the dashboard mounted on a fake terminal through the real Ink path.
 * After each simulated second the test yields, so the dashboard's redraw timer runs and Ink renders.
 * Returns the post-GC heap growth from the end of warm-up (two minutes: every bounded history is
 * full after one) to the end.
 */
async function soak(Hub: typeof StatsHub, options: StatsHubOptions = {}) {
  const clock = new FakeClock();
  const census = new Census();
  for (let i = 0; i < 4; i++) census.created("texture", `op${i}`, 8 * MB);
  const hub = new Hub({ now: clock.now, readMemory: seriesReader(rssSeries(60, { noiseMB: 2 })), readGpu: () => ({ bytes: census.gpuBytes }), ...options });
  const terminal = new FakeTerminal();
  const info = { project: "soak", adapter: "fake", width: 1280, height: 720, census: () => census.snapshot() };
  const dashboard = mountDashboard(hub, info, { stdout: asStdout(terminal), stdin: asStdin(new FakeKeyboard()), patchConsole: false });
  let warm: HeapReading = { bytes: 0, objects: 0 };
  let warmDraws = 0;
  try {
    for (let second = 1; second <= 600; second++) {
      for (let frame = 1; frame <= 60; frame++) {
        census.created("commandEncoder");
        census.released("commandEncoder");
        hub.recordFrame(1 + (frame % 7) * 0.1, 1000 / 60, clock.frame(frame, 60, (second - 1) * 1000));
      }
      if (second % 10 === 5) hub.reload(reloadEntry(second));
      if (second % 60 === 30) hub.error({ message: `runtime error ${second}`, file: "operators/2d/op.ts", line: 1, column: 1 });
      await settle(2);
      if (second === WARMUP_SECONDS) {
        warm = await readHeap(dashboard);
        warmDraws = dashboard.draws;
      }
    }
    const end = await readHeap(dashboard);
    return { bytes: end.bytes - warm.bytes, objects: end.objects - warm.objects, draws: dashboard.draws, drawsAfterWarmup: dashboard.draws - warmDraws, terminal };
  } finally {
    dashboard.unmount();
  }
}

export interface SoakResult {
  objects: number;
  bytes: number;
  draws: number;
  drawsAfterWarmup: number;
  inkCaches: number;
  screen: string;
}

const VARIANTS = {
  clean: () => soak(StatsHub),
  "every-frame": () => soak(FrameHoardingHub),
  "unbounded-history": () => soak(StatsHub, { frameHistoryLength: Number.POSITIVE_INFINITY }),
};
export type SoakVariant = keyof typeof VARIANTS;

if (import.meta.main) {
  const variant = process.argv[2] as SoakVariant;
  if (!(variant in VARIANTS)) throw new Error(`soak-run: variant must be one of ${Object.keys(VARIANTS).join(", ")}`);
  const growth = await VARIANTS[variant]();
  const result: SoakResult = { objects: growth.objects, bytes: growth.bytes, draws: growth.draws, drawsAfterWarmup: growth.drawsAfterWarmup, inkCaches: inkCaches.size, screen: growth.terminal.text().slice(-4000) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
