import { describe, expect, test } from "vitest";
import { Context } from "../../../runtime/chain/context.ts";
import type { DebugEvent, FramesEvent, MemoryEvent, ReloadEntry, StatsEvent } from "../../../runtime/stats/events.ts";
import { StatsHub } from "../../../runtime/stats/hub.ts";
import { createPlainReporter } from "../../../runtime/stats/reporter.ts";
import { DEBUG_HISTORY_LENGTH, DEBUG_NAMES_SHOWN } from "../../../runtime/stats/view.ts";
import { FakeClock, MB, rssSeries, seriesReader } from "./synthetic.ts";

const FRAME_MS = 1000 / 60;

function setup(rssMB: readonly number[] = [100]) {
  const clock = new FakeClock();
  const hub = new StatsHub({ now: clock.now, readMemory: seriesReader(rssMB), readGpu: () => ({ bytes: 12 * MB, breakdown: { textures: 8 * MB, buffers: 4 * MB } }) });
  const events: StatsEvent[] = [];
  hub.subscribe((event) => events.push(event));
  /** Runs the loop at 60 Hz for `seconds`, with CPU time 2 ms except every 60th frame (8 ms). */
  const run = (seconds: number) => {
    const startMs = clock.ms;
    const frames = Math.round(seconds * 60);
    for (let i = 1; i <= frames; i++) hub.recordFrame(i % 60 === 0 ? 8 : 2, FRAME_MS, clock.frame(i, 60, startMs));
  };
  return { clock, hub, events, run };
}

export const reloadEntry: ReloadEntry = {
  file: "operators/2d/noise.ts",
  ok: true,
  swapMs: 0.8,
  ms: 41.5,
  created: { shaderModules: 1, pipelines: 1, bindGroups: 2, textures: 0, buffers: 0 },
  released: { shaderModules: 1, pipelines: 1, bindGroups: 2, textures: 0, buffers: 0 },
  rssDeltaMB: 0.3,
};

describe("frames events", () => {
  test("one per second with fps and CPU/interval summaries", () => {
    const { events, run } = setup();
    run(3);
    const frames = events.filter((e): e is FramesEvent => e.type === "frames");
    expect(frames.map((e) => e.t)).toEqual([1, 2, 3]);
    for (const event of frames) {
      expect(event.fps).toBeCloseTo(60, 0);
      expect(event.cpuMs).toEqual({ avg: 2.1, p50: 2, p99: 8, max: 8 });
      expect(event.intervalMs).toEqual({ avg: 16.67, p99: 16.67, max: 16.67 });
    }
  });

  test("a late tick emits once for the whole gap, not a backlog, and stays on the 1 s grid", () => {
    const { clock, hub, events, run } = setup();
    run(1);
    hub.recordFrame(2, 3500, clock.advance(3500));
    const frames = () => events.filter((e): e is FramesEvent => e.type === "frames");
    expect(frames().map((e) => e.t)).toEqual([1, 4.5]);
    expect(frames()[1]!.fps).toBeCloseTo(1 / 3.5, 2);
    expect(frames()[1]!.intervalMs.max).toBe(3500);
    run(0.5);
    expect(frames().map((e) => e.t)).toEqual([1, 4.5, 5]);
    expect(frames()[2]!.fps).toBe(60);
  });

  test("tick() without frames (paused) still reports, with zero fps", () => {
    const { clock, hub, events } = setup();
    hub.tick(clock.advance(1000));
    expect(events[0]).toMatchObject({ type: "frames", t: 1, fps: 0 });
  });
});

describe("memory events", () => {
  test("every 10 s; the first (t = 10 s) is the warm-up sample with zero deltas", () => {
    const { events, run } = setup([109, 109.4, 110.2]);
    run(30);
    const memory = events.filter((e): e is MemoryEvent => e.type === "memory");
    expect(memory.map((e) => e.t)).toEqual([10, 20, 30]);
    expect(memory[0]).toEqual({
      type: "memory",
      t: 10,
      rssMB: 109,
      heapMB: 20,
      gpuMB: 12,
      gpuBreakdownMB: { textures: 8, buffers: 4 },
      last10sMB: 0,
      totalMB: 0,
      // One sample bounds nothing: at least five 1-minute medians are needed.
      leak: { state: "inconclusive", limitMBh: 20, slopeMBh: null, lowerMBh: null, upperMBh: null, moreMinutes: 5 },
      alarm: false,
    });
    // Theil–Sen of (10 s, 109) (20 s, 109.4) (30 s, 110.2): pairwise 144, 216, 288 MB/h, median 216.
    expect(memory[2]).toMatchObject({ last10sMB: 0.8, totalMB: 1.2, leak: { state: "inconclusive", slopeMBh: 216, lowerMBh: null } });
  });

  test("comes after the frames event of the same second", () => {
    const { events, run } = setup();
    run(10);
    expect(events.slice(-2).map((e) => e.type)).toEqual(["frames", "memory"]);
  });

  test("a leak of 0.5 MB per 10 s through the hub raises the alarm", () => {
    const { hub, clock, events } = setup(rssSeries(200, { leakPerSampleMB: 0.5 }));
    for (let s = 0; s < 1900; s++) hub.tick(clock.advance(1000));
    const memory = events.filter((e): e is MemoryEvent => e.type === "memory");
    // Ten minutes of 1-minute medians (the tenth has three samples at 570 s) confirm it in each half.
    expect(hub.leakAlarm).toEqual({ thresholdMBh: 20, windowMinutes: 30 });
    expect(memory.findIndex((e) => e.alarm)).toBe(56);
    expect(memory.at(-1)!.leak).toMatchObject({ state: "fail", slopeMBh: 180, lowerMBh: 180 });
  });
});

describe("reloads and errors", () => {
  test("entries are stamped with t and forwarded unchanged", () => {
    const { clock, hub, events } = setup();
    clock.advance(2500);
    hub.reload(reloadEntry);
    expect(events).toEqual([{ type: "reload", t: 2.5, ...reloadEntry }]);
    hub.error({ message: "boom", file: "a.ts", line: 3, column: 4, t: 1.25 });
    expect(events[1]).toEqual({ type: "error", t: 1.25, message: "boom", file: "a.ts", line: 3, column: 4 });
  });

  test("the view keeps the current error until a reload succeeds that began after it", () => {
    const { hub, clock } = setup();
    const error = { file: "shaders/2d/noise.wgsl", line: 12, column: 5, message: "unresolved identifier 'x'", sourceLine: "  let y = x;" };
    hub.reload({ ...reloadEntry, ok: false, error });
    expect(hub.view().error).toMatchObject({ type: "error", ...error });
    hub.error({ message: "later" });
    expect(hub.view().error?.message).toBe("later");
    // An ok reload reported 1 s later, which took 500 ms: it began after "later", and fixes it.
    clock.advance(1000);
    hub.reload({ ...reloadEntry, ms: 500 });
    expect(hub.view().error).toBeNull();
    // What came while that reload ran (its own build's warnings) stays.
    hub.error({ message: "from the build" });
    clock.advance(300);
    hub.reload({ ...reloadEntry, ms: 500 });
    expect(hub.view().error?.message).toBe("from the build");
    hub.error({ message: "again" });
    hub.clearError();
    expect(hub.view().error).toBeNull();
  });
});

describe("repeated errors", () => {
  test("a throw repeated 50 times a second for 3 s is one event, then its count once a second; a reload starts over", () => {
    const { clock, hub, events } = setup();
    const lines: string[] = [];
    hub.subscribe(createPlainReporter((line) => lines.push(line)));
    const error = { file: "/p/chain.ts", line: 6, column: 11, message: "tick broke", sourceLine: "    throw new Error(\"tick broke\");" };
    for (let i = 1; i <= 150; i++) {
      clock.advance(20);
      hub.error(error);
      hub.tick();
    }
    const errors = events.filter((e) => e.type === "error");
    // The first as it happened (at 20 ms), then the count a second later (the 51st, at 1.02 s) and
    // a second after that (the 101st); the last 49 wait for the next second.
    expect(errors.map((e) => (e as { count?: number }).count)).toEqual([undefined, 51, 101]);
    expect(hub.view().error).toMatchObject({ message: "tick broke", count: 101 });
    clock.advance(1000);
    hub.tick();
    expect(events.filter((e) => e.type === "error").at(-1)).toMatchObject({ count: 150, t: 4 });
    // One excerpt for the first, then one line per repeat report.
    expect(lines.filter((line) => line.includes("tick broke") && !line.includes("|"))).toEqual([
      "[0.0s] Error at /p/chain.ts:6:11: tick broke",
      "[1.0s] Error at /p/chain.ts:6:11: tick broke (×51 so far)",
      "[2.0s] Error at /p/chain.ts:6:11: tick broke (×101 so far)",
      "[4.0s] Error at /p/chain.ts:6:11: tick broke (×150 so far)",
    ]);

    // Another error is news at once; after a reload, so is the same error again.
    hub.error({ message: "other" });
    hub.reload(reloadEntry);
    hub.error({ message: "other" });
    expect(events.slice(-3).map((e) => [e.type, (e as { count?: number }).count])).toEqual([["error", undefined], ["reload", undefined], ["error", undefined]]);
  });
});

describe("subscribers and the view", () => {
  test("unsubscribe stops delivery", () => {
    const { hub, run } = setup();
    const seen: StatsEvent[] = [];
    const unsubscribe = hub.subscribe((event) => seen.push(event));
    run(1);
    unsubscribe();
    run(1);
    expect(seen).toHaveLength(1);
  });

  test("a throwing subscriber does not stop the others or the loop", () => {
    const { hub, events, run } = setup();
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      hub.subscribe(() => {
        throw new Error("disk full");
      });
      run(3);
    } finally {
      console.error = original;
    }
    expect(events.filter((e) => e.type === "frames")).toHaveLength(3);
    expect(errors).toHaveLength(1);
  });

  test("histories are bounded: 60 frames summaries, 8 reloads", () => {
    const { hub, run } = setup();
    run(100);
    for (let i = 0; i < 20; i++) hub.reload({ ...reloadEntry, file: `f${i}.ts` });
    const view = hub.view();
    expect(view.frameHistory).toHaveLength(60);
    expect(view.frameHistory.at(-1)!.t).toBe(100);
    expect(view.reloads.map((r) => r.file)).toEqual(["f12.ts", "f13.ts", "f14.ts", "f15.ts", "f16.ts", "f17.ts", "f18.ts", "f19.ts"]);
    expect(view.memory?.t).toBe(100);
    expect(view.t).toBeCloseTo(100, 1);
  });
});

describe("debug values", () => {
  /** A hub reading a real Context's debug values; `frames` runs the engine's per-frame part at 60 Hz. */
  function withContext() {
    const clock = new FakeClock();
    const ctx = new Context(64, 64);
    const hub = new StatsHub({ now: clock.now, readMemory: seriesReader([100]), readDebug: () => ctx.debugValues });
    const events: StatsEvent[] = [];
    hub.subscribe((event) => events.push(event));
    const frames = (count: number, update: (frame: number) => void) => {
      for (let i = 0; i < count; i++) {
        update(ctx.frame);
        ctx.expireDebugValues();
        ctx.frame++;
        hub.recordFrame(1, FRAME_MS, clock.frame(ctx.frame, 60));
      }
    };
    const debugEvents = () => events.filter((e): e is DebugEvent => e.type === "debug");
    return { clock, ctx, hub, events, frames, debugEvents };
  }

  test("one event per name after each frames event, with the latest value, not one per frame", () => {
    const { ctx, events, frames, debugEvents } = withContext();
    frames(150, (frame) => {
      ctx.debug("x", 1.5);
      ctx.debug("frame", frame);
      ctx.debug("on", frame % 2 === 0);
      ctx.debug("mode", "add");
    });
    // 150 frames at 60 Hz: the 1 s and 2 s reports; each frames event is followed by its debug batch.
    expect(events.map((e) => e.type)).toEqual(["frames", "debug", "debug", "debug", "debug", "frames", "debug", "debug", "debug", "debug"]);
    expect(debugEvents().slice(0, 4)).toEqual([
      { type: "debug", t: 1, name: "x", value: 1.5 },
      { type: "debug", t: 1, name: "frame", value: 59 },
      { type: "debug", t: 1, name: "on", value: false },
      { type: "debug", t: 1, name: "mode", value: "add" },
    ]);
    expect(debugEvents()[5]).toEqual({ type: "debug", t: 2, name: "frame", value: 119 });
  });

  test("a value not set for 60 frames is no longer sent; a non-finite number is sent as text", () => {
    const { ctx, frames, debugEvents } = withContext();
    frames(60, (frame) => {
      ctx.debug("fps", frame === 59 ? Number.POSITIVE_INFINITY : 60);
      if (frame < 30) ctx.debug("once", 1);
    });
    expect(debugEvents()).toEqual([
      { type: "debug", t: 1, name: "fps", value: "Infinity" },
      { type: "debug", t: 1, name: "once", value: 1 },
    ]);
    frames(60, () => ctx.debug("fps", 60));
    expect(debugEvents().slice(2)).toEqual([{ type: "debug", t: 2, name: "fps", value: 60 }]);
  });

  test("finish() at exit sends the part-second's frames, the debug values and a memory sample, once", () => {
    const { ctx, hub, events, frames } = withContext();
    frames(5, () => ctx.debug("x", 1.5));
    expect(events).toEqual([]);
    hub.finish();
    hub.finish();
    expect(events.map((e) => e.type)).toEqual(["frames", "debug", "memory"]);
    expect(events[0]).toMatchObject({ type: "frames", t: 0.083, fps: 60 });
    expect(events[1]).toEqual({ type: "debug", t: 0.083, name: "x", value: 1.5 });
    expect(events[2]).toMatchObject({ type: "memory", rssMB: 100 });
  });

  test("the view keeps a bounded history per name, follows a bounded number of names and counts the rest", () => {
    const { ctx, hub, frames } = withContext();
    const names = DEBUG_NAMES_SHOWN + 3;
    frames(60 * 40, (frame) => {
      for (let i = 0; i < names; i++) ctx.debug(`v${i}`, i * 1000 + Math.floor(frame / 60));
    });
    const view = hub.view();
    expect(view.debug.map((series) => series.name)).toEqual(Array.from({ length: DEBUG_NAMES_SHOWN }, (_, i) => `v${i}`));
    expect(view.debugHidden).toBe(3);
    // 40 reports; report n (at frame 60n) carries frame 60n - 1's value, 2000 + n - 1. The last 24 are kept.
    expect(view.debug[2]!.history).toEqual(Array.from({ length: DEBUG_HISTORY_LENGTH }, (_, i) => 2016 + i));
    expect(view.debug[2]!.value).toBe(2039);

    // The chain stops reporting all but v0: the others expire there, then leave the view.
    frames(60 * 3, (frame) => ctx.debug("v0", frame));
    expect(hub.view().debug.map((series) => series.name)).toEqual(["v0"]);
    expect(hub.view().debugHidden).toBe(0);
  });
});
