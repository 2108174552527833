import { render } from "ink-testing-library";
import { afterEach, describe, expect, test } from "vitest";
import { Dashboard } from "../../../runtime/dashboard/Dashboard.tsx";
import type { DashboardAction, DashboardInfo } from "../../../runtime/dashboard/info.ts";
import { mountDashboard } from "../../../runtime/dashboard/mount.tsx";
import { sparkline } from "../../../runtime/dashboard/Sparkline.tsx";
import { RedrawThrottle } from "../../../runtime/dashboard/throttle.ts";
import { StatsHub } from "../../../runtime/stats/hub.ts";
import type { StatsEvent } from "../../../runtime/stats/events.ts";
import { StatsViewState } from "../../../runtime/stats/view.ts";
import type { SoakEvent } from "../../../runtime/stats/events.ts";
import { FakeClock, seriesReader } from "../stats/synthetic.ts";
import { recordedCensus, recordedSession } from "./recorded-session.ts";
import { asStdin, asStdout, FakeKeyboard, FakeTerminal } from "./streams.ts";

const noChanges = { shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 };
const info: DashboardInfo = { project: "examples/02-hello-noise", adapter: "NVIDIA H100 (vulkan)", width: 1280, height: 720 };

function replay(events = recordedSession) {
  const state = new StatsViewState();
  for (const event of events) state.apply(event);
  return state.snapshot();
}

const settle = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Dashboard from a recorded session", () => {
  const frame = () => {
    const { lastFrame, unmount } = render(<Dashboard view={replay()} info={info} census={recordedCensus()} />);
    const text = lastFrame() ?? "";
    unmount();
    return text;
  };

  test("header: project, adapter, resolution; key hints", () => {
    const text = frame();
    expect(text).toContain("examples/02-hello-noise");
    expect(text).toContain("NVIDIA H100 (vulkan)");
    expect(text).toContain("1280×720");
    expect(text).toContain("q quit · r reload · s snapshot · p pause");
  });

  test("header: how per-pixel operators run, before the adapter's name", () => {
    const { lastFrame, unmount } = render(<Dashboard view={replay()} info={{ ...info, dispatch: "compute" }} census={recordedCensus()} />);
    const text = lastFrame() ?? "";
    unmount();
    expect(text).toMatch(/compute\s+NVIDIA H100 \(vulkan\)/);
  });

  test("frames: fps, cpu and frame time avg / p99, and a sparkline", () => {
    const text = frame();
    expect(text).toMatch(/Frames\s+60\.0 fps\s+cpu 1\.80 \/ 3\.60 ms\s+frame 16\.67 \/ 16\.80 ms/);
    expect(text).toContain(sparkline([17.1, 16.9, 24.6, 16.8], 30));
  });

  test("memory line: now, last 10 s, total, and 'measuring' while 30 s cannot bound a slope (never a bare one)", () => {
    const text = frame();
    expect(text).toMatch(/Memory {2}RSS 112\.4 MB {2}heap 22\.1 MB {2}GPU 48\.0 MB\n/);
    expect(text).toMatch(/ {8}last 10s \+1\.8 MB {2}total \+3\.1 MB {2}leak slope: measuring \(9 min more\) *\n/);
    expect(text).not.toContain("558");
    expect(text).not.toContain("no leak");
  });

  test("memory line once the slope is bounded: the bound and 'no leak'", () => {
    const lastMemory = recordedSession.findLast((event) => event.type === "memory")!;
    const leak = { state: "pass", limitMBh: 20, slopeMBh: 0.4, lowerMBh: -2.1, upperMBh: 3.2, moreMinutes: null } as const;
    const { lastFrame, unmount } = render(<Dashboard view={replay([...recordedSession, { ...lastMemory, t: 900, leak }])} info={info} census={null} />);
    expect(lastFrame()).toMatch(/total \+3\.1 MB {2}leak slope ≤ \+3\.20 MB\/h \(limit \+20\.00\) {2}no leak\n/);
    unmount();
  });

  test("a soak shows its phase, time and verdict so far; the memory line leaves the leak judgement to it", () => {
    const lastMemory = recordedSession.findLast((event) => event.type === "memory")!;
    const warmup: SoakEvent = { type: "soak", t: 40, phase: "warm-up", waitingFor: { reloads: [120, 500], frames: [1500, 10000], settleS: 60 }, elapsedS: 40, totalS: 1800, rss: null };
    let view = render(<Dashboard view={replay([...recordedSession, warmup])} info={info} census={null} />);
    expect(view.lastFrame()).toMatch(/Soak {4}warm-up \(reloads 120\/500, frames 1500\/10000, settle 60 s\) · 0:40 of 30:00, 29:20 left\n/);
    expect(view.lastFrame()).toMatch(/ {8}last 10s \+1\.8 MB {2}total \+3\.1 MB\n/);
    view.unmount();
    const rss = { state: "inconclusive", limitMBh: 1, slopeMBh: 0.9, lowerMBh: -0.2, upperMBh: 1.7, moreMinutes: 12 } as const;
    const measuring: SoakEvent = { ...warmup, t: 1090, phase: "measuring", waitingFor: {}, elapsedS: 1090, rss };
    view = render(<Dashboard view={replay([...recordedSession, { ...lastMemory, t: 1090 }, measuring])} info={info} census={null} />);
    expect(view.lastFrame()).toMatch(/Soak {4}measuring · 18:10 of 30:00, 11:50 left\n {8}RSS slope \+0\.90 MB\/h \(−0\.20…\+1\.70\), measuring \(12 min more\), past this soak's end\n/);
    view.unmount();
    // Between two reports the clock runs on with the view's time.
    const later = { ...replay([...recordedSession, { ...lastMemory, t: 1090 }, measuring]), t: 1097 };
    view = render(<Dashboard view={later} info={info} census={null} />);
    expect(view.lastFrame()).toMatch(/Soak {4}measuring · 18:17 of 30:00, 11:43 left\n/);
    view.unmount();
  });

  test("the alarm is shown when raised", () => {
    const lastMemory = recordedSession.findLast((event) => event.type === "memory")!;
    const events = [...recordedSession, { ...lastMemory, t: 40, alarm: true }];
    const { lastFrame, unmount } = render(<Dashboard view={replay(events)} info={info} census={null} />);
    expect(lastFrame()).toContain("LEAK ALARM");
    unmount();
  });

  test("reload ledger: newest first, ok with created/released counts, failed with its location", () => {
    const lines = frame().split("\n");
    const failed = lines.findIndex((line) => line.includes("failed") && line.includes("shaders/2d/noise.wgsl"));
    const ok = lines.findIndex((line) => line.includes(" ok ") && line.includes("examples/02-hello-noise/chain.ts"));
    expect(failed).toBeGreaterThan(-1);
    expect(ok).toBe(failed + 1);
    expect(lines[ok]).toMatch(/14\.2s ok +examples\/02-hello-noise\/chain\.ts {2}38 ms {2}sm \+1\/-1 pl \+1\/-1 bg \+2\/-2 {2}rss \+0\.2 MB$/);
    expect(lines[failed]).toMatch(/23\.9s failed {2}shaders\/2d\/noise\.wgsl {2}12 ms {2}at shaders\/2d\/noise\.wgsl:12:11$/);
  });

  test("error panel: file:line:col, message, source line and caret", () => {
    const lines = frame().split("\n");
    const head = lines.findIndex((line) => line.includes("Error shaders/2d/noise.wgsl:12:11: unresolved identifier 'scal'"));
    expect(head).toBeGreaterThan(-1);
    expect(lines[head + 1]).toContain("12 |   let p = scal * uv;");
    expect(lines[head + 2]!.indexOf("^")).toBe(lines[head + 1]!.indexOf("scal"));
  });

  test("census: live / created / released per kind, and the top owners by GPU bytes", () => {
    const text = frame();
    expect(text).toContain("renderPipeline 3 / 5 / 2");
    expect(text).toContain("commandEncoder 0 / 1440 / 1440");
    expect(text).not.toContain("querySet");
    expect(text).toMatch(/Top GPU owners\s+noise 32\.0 MB \(2\)\s+feedback 16\.0 MB \(5\)\s+runtime 8\.0 MB \(3\)/);
  });

  test("a repeated error shows its count in the error panel", () => {
    const error = { type: "error", file: "/p/chain.ts", line: 6, column: 11, message: "tick broke", sourceLine: '    throw new Error("tick broke");' } as const;
    const events: StatsEvent[] = [...recordedSession, { ...error, t: 31 }, { ...error, t: 32, count: 2130 }];
    const { lastFrame, unmount } = render(<Dashboard view={replay(events)} info={info} census={null} />);
    expect(lastFrame()).toContain("Error /p/chain.ts:6:11: tick broke (×2130 so far)");
    unmount();
  });

  test("a successful reload after the failure clears the error panel", () => {
    const okReload = recordedSession.find((event) => event.type === "reload" && event.ok)!;
    const fixed = [...recordedSession, { ...okReload, t: 31 }];
    const { lastFrame, unmount } = render(<Dashboard view={replay(fixed)} info={info} census={null} />);
    expect(lastFrame()).not.toContain("unresolved identifier");
    unmount();
  });
});

describe("warnings from a reload's own build", () => {
  test("stay shown after its ok ledger entry, which comes once the new chain's first frames are done; older errors go", () => {
    const okReload = recordedSession.find((event) => event.type === "reload" && event.ok)!;
    // The save was seen at 40.0 s, the build clamped a param at 40.1 s, the entry came at 40.8 s.
    const warning: StatsEvent = { type: "error", t: 40.1, file: "/p/chain.ts", line: 4, column: 3, message: "noise.scale = 50 is outside its range 0.1..20: clamped to 20" };
    const reload = { ...okReload, t: 40.8, ms: 800 };
    let view = render(<Dashboard view={replay([...recordedSession, warning, reload])} info={info} census={null} />);
    expect(view.lastFrame()).toContain("clamped to 20");
    view.unmount();
    // The same warning from an earlier build (before this save was seen) is cleared by it.
    view = render(<Dashboard view={replay([...recordedSession, { ...warning, t: 39.9 }, reload])} info={info} census={null} />);
    expect(view.lastFrame()).not.toContain("clamped to 20");
    view.unmount();
  });
});

describe("a small terminal: the compact layout", () => {
  const strip = (text: string) => text.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, "");
  const longError: StatsEvent = {
    type: "error",
    t: 31,
    file: "/home/someone/projects/visuals/chain.ts",
    line: 14,
    column: 7,
    message: 'Noise "noise" has no param "sclae" — did you mean "scale"? (params: scale, speed, octaves, lacunarity, persistence, offset, type; operators are sealed, so a misspelt name is an error)',
    sourceLine: "  ctx.chain.get(\"noise\").sclae = 3;",
  };
  const soak: SoakEvent = { type: "soak", t: 40, phase: "warm-up", waitingFor: { reloads: [120, 500], frames: [1500, 10000], settleS: 60 }, elapsedS: 40, totalS: 1800, rss: null };
  const debug: StatsEvent[] = Array.from({ length: 14 }, (_, i) => ({ type: "debug", t: 30, name: `value${i}`, value: i * 1.5 }) as StatsEvent);
  const views: Array<[string, StatsEvent[], Partial<DashboardInfo>]> = [
    ["a recorded session", recordedSession, {}],
    ["a long error", [...recordedSession, longError], {}],
    ["a soak", [...recordedSession, soak], {}],
    ["14 debug values, paused, a long project name", [...recordedSession, ...debug, longError], { paused: true, project: "/home/someone/projects/a-very-long-project-name" }],
  ];

  test.each(views)("at 40×10, %s fits: at most 10 lines, none wider than 40 columns", (_name, events, patch) => {
    const { lastFrame, unmount } = render(<Dashboard view={replay(events)} info={{ ...info, ...patch }} census={recordedCensus()} terminal={{ columns: 40, rows: 10 }} />);
    const lines = strip(lastFrame() ?? "").split("\n");
    unmount();
    expect(lines.length).toBeLessThanOrEqual(10);
    for (const line of lines) expect(Bun.stringWidth(line), line).toBeLessThanOrEqual(40);
    expect(lines.at(-1)).toBe("q quit · r reload · s snapshot · p pause");
  });

  test("at 40×10 it keeps what matters: frames, memory, the last reload, the error's place and message", () => {
    const { lastFrame, unmount } = render(<Dashboard view={replay([...recordedSession, longError])} info={info} census={recordedCensus()} terminal={{ columns: 40, rows: 10 }} />);
    const text = strip(lastFrame() ?? "");
    unmount();
    expect(text).toMatch(/^60\.0 fps 16\.7\/16\.8 ms/m);
    expect(text).toContain("RSS 112 heap 22 GPU 48 MB");
    expect(text).toContain("reload failed noise.wgsl 12 ms");
    expect(text).toContain("Error chain.ts:14:7");
    // The message takes two lines, broken between words, the second cut with "…".
    expect(text.replace(/\n/g, " ")).toContain('Noise "noise" has no param "sclae" — did you mean "scale"?');
    expect(text).toMatch(/…\nq quit/);
  });

  test("a terminal the full layout fits keeps it; mountDashboard follows the terminal's size", async () => {
    const full = render(<Dashboard view={replay()} info={info} census={recordedCensus()} terminal={{ columns: 120, rows: 40 }} />);
    expect(full.lastFrame()).toContain("GPU objects");
    full.unmount();

    const clock = new FakeClock();
    const hub = new StatsHub({ now: clock.now, readMemory: seriesReader([109.3]) });
    const terminal = new FakeTerminal();
    terminal.columns = 40;
    terminal.rows = 10;
    const dashboard = mountDashboard(hub, { ...info, census: recordedCensus }, { stdout: asStdout(terminal), stdin: asStdin(new FakeKeyboard()), patchConsole: false });
    for (let i = 1; i <= 60; i++) hub.recordFrame(2, 1000 / 60, clock.frame(i, 60, 0));
    hub.tick(clock.advance(10_000));
    await settle(300);
    dashboard.unmount();
    expect(terminal.text()).toContain("RSS 109 heap");
    expect(terminal.text()).not.toContain("GPU objects");
  });
});

describe("debug panel", () => {
  const debug = (t: number, name: string, value: number | boolean | string): StatsEvent => ({ type: "debug", t, name, value });
  /** Three seconds of reports after the recorded session, as the hub sends them: frames, then one event per name. */
  const reports = (names: (t: number) => [string, number | boolean | string][]) =>
    [41, 42, 43].flatMap((t) => [{ ...recordedSession[0]!, t } as StatsEvent, ...names(t).map(([name, value]) => debug(t, name, value))]);
  const lines = (events: StatsEvent[]) => {
    const { lastFrame, unmount } = render(<Dashboard view={replay([...recordedSession, ...events])} info={info} census={null} />);
    const text = lastFrame() ?? "";
    unmount();
    return text.split("\n");
  };

  test('ctx.debug("x", 1.5): the name, the latest value and a sparkline of the last reports', () => {
    const fps: Record<number, number> = { 41: 58, 42: 60, 43: 59 };
    const text = lines(reports((t) => [["x", 1.5], ["fps", fps[t]!], ["ratio", 1 / 3], ["on", t === 43], ["mode", "add"]]));
    const head = text.findIndex((line) => line.trim() === "Debug");
    expect(head).toBeGreaterThan(-1);
    expect(text[head + 1]).toMatch(/^ {2}x +1\.5 {2}▁▁▁$/);
    expect(text[head + 2]).toMatch(/^ {2}fps +59 {2}▁█▅$/);
    expect(text[head + 3]).toMatch(/^ {2}ratio +0\.3333 {2}▁▁▁$/);
    expect(text[head + 4]).toMatch(/^ {2}on +true {2}▁▁█$/);
    expect(text[head + 5]).toMatch(/^ {2}mode +add$/);
  });

  test("past the names it follows, the panel says how many more there are", () => {
    const names = (t: number) => Array.from({ length: 15 }, (_, i): [string, number] => [`value${i}`, i + t]);
    const text = lines(reports(names));
    expect(text.filter((line) => /^ {2}value\d+ /.test(line))).toHaveLength(12);
    expect(text.some((line) => line.includes("+3 more not shown (the dashboard follows 12 names; --stats has all)"))).toBe(true);
  });

  test("no debug values, no panel", () => {
    expect(lines([]).some((line) => line.trim() === "Debug")).toBe(false);
  });
});

describe("sparkline", () => {
  test("scales between the series' own min and max, keeps the last `width` values", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([9, 0, 7], 2)).toBe("▁█");
    expect(sparkline([5, 5, 5], 8)).toBe("▁▁▁");
  });
});

describe("RedrawThrottle", () => {
  test("never draws in the caller's stack, joins requests, and spaces draws by the interval", async () => {
    const clock = new FakeClock();
    let draws = 0;
    const throttle = new RedrawThrottle(() => draws++, 250, clock.now);
    for (let i = 0; i < 100; i++) throttle.request();
    expect(draws).toBe(0);
    await settle();
    expect(draws).toBe(1);
    clock.advance(100);
    throttle.request();
    await settle(50);
    expect(draws).toBe(1);
    await settle(200);
    expect(draws).toBe(2);
    throttle.dispose();
  });
});

describe("mountDashboard", () => {
  let teardown: (() => void) | null = null;
  afterEach(() => {
    teardown?.();
    teardown = null;
  });

  function mount() {
    const clock = new FakeClock();
    const hub = new StatsHub({ now: clock.now, readMemory: seriesReader([109.3]) });
    const terminal = new FakeTerminal();
    const keyboard = new FakeKeyboard();
    const actions: DashboardAction[] = [];
    const dashboard = mountDashboard(hub, { ...info, census: recordedCensus }, {
      onKey: (action) => actions.push(action),
      stdout: asStdout(terminal),
      stdin: asStdin(keyboard),
      patchConsole: false,
    });
    teardown = () => dashboard.unmount();
    return { clock, hub, terminal, keyboard, actions, dashboard };
  }

  test("redraws from hub events, at most 4 times per second of hub time", async () => {
    const { clock, hub, terminal, dashboard } = mount();
    for (let second = 1; second <= 10; second++) {
      for (let i = 1; i <= 60; i++) hub.recordFrame(2, 1000 / 60, clock.frame(i, 60, (second - 1) * 1000));
      // Ten reload entries in one instant join into one redraw.
      for (let i = 0; i < 10; i++) hub.reload({ file: `f${i}.ts`, ok: true, swapMs: 1, ms: 2, created: noChanges, released: noChanges, rssDeltaMB: 0 });
      await settle();
    }
    await settle(300);
    expect(dashboard.draws).toBeGreaterThanOrEqual(10);
    expect(dashboard.draws).toBeLessThanOrEqual(4 * 10 + 1);
    expect(terminal.text()).toMatch(/RSS 109\.3 MB/);
    expect(terminal.text()).toContain("renderPipeline 3 / 5 / 2");
  });

  test("q, r, s, p and Ctrl+C become actions; other keys do nothing", async () => {
    const { keyboard, actions } = mount();
    await settle();
    for (const key of ["q", "r", "s", "p", "x", "\u0003"]) {
      keyboard.type(key);
      await settle();
    }
    expect(actions).toEqual(["quit", "reload", "snapshot", "pause", "quit"]);
  });

  test("update() changes the header; unmount() stops redrawing", async () => {
    const { hub, clock, terminal, dashboard } = mount();
    dashboard.update({ width: 1920, height: 1080, paused: true });
    await settle(300);
    expect(terminal.text()).toContain("1920×1080");
    expect(terminal.text()).toContain("PAUSED");
    dashboard.unmount();
    teardown = null;
    const draws = dashboard.draws;
    hub.tick(clock.advance(5000));
    await settle(300);
    expect(dashboard.draws).toBe(draws);
  });
});
