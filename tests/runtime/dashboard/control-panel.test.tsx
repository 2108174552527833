import { render } from "ink-testing-library";
import { expect, test } from "vitest";
import { Dashboard } from "../../../runtime/dashboard/Dashboard.tsx";
import type { DashboardInfo } from "../../../runtime/dashboard/info.ts";
import type { ControlEvent, StatsEvent } from "../../../runtime/stats/events.ts";
import { StatsViewState } from "../../../runtime/stats/view.ts";
import { recordedCensus, recordedSession } from "./recorded-session.ts";

// The Control panel from control events as the stats stream carries them: one line per source, and
// a source that stopped being reported (its port closed) is gone after the next frames event.

const info: DashboardInfo = { project: "examples/osc-control", adapter: "lavapipe", width: 1280, height: 720 };
const control = (t: number, source: string, extra: Partial<ControlEvent> = {}): ControlEvent => ({
  type: "control",
  t,
  source,
  messagesPerS: 120,
  mappedPerS: 118,
  total: 5000,
  lastAddress: "/noise/scale",
  errors: 2,
  dropped: 0,
  clamped: 0,
  opened: 1,
  changes: { "noise.scale": 9 },
  ...extra,
});
const frames = (t: number): StatsEvent => ({ type: "frames", t, fps: 60, cpuMs: { avg: 1, p50: 1, p99: 2, max: 3 }, intervalMs: { avg: 16.7, p99: 17, max: 18 } });

function show(events: StatsEvent[], terminal?: { columns: number; rows: number }): string {
  const state = new StatsViewState();
  for (const event of [...recordedSession, ...events]) state.apply(event);
  const { lastFrame, unmount } = render(<Dashboard view={state.snapshot()} info={info} census={recordedCensus()} terminal={terminal} />);
  const text = lastFrame() ?? "";
  unmount();
  return text;
}

test("one line per source: msg/s, last address, mapped/s, errors (and clamped / dropped when any)", () => {
  const t = 1000;
  const text = show([frames(t), control(t, "osc:8000"), control(t, "midi:/dev/snd/midiC1D0", { messagesPerS: 3, mappedPerS: 3, lastAddress: "cc 1/7 64", errors: 0, clamped: 4, dropped: 7, opened: undefined })]);
  expect(text).toContain("Control");
  expect(text).toContain("osc:8000 120 msg/s · last /noise/scale · 118 mapped/s · 2 errors");
  expect(text).toContain("midi:/dev/snd/midiC1D0 3 msg/s · last cc 1/7 64 · 3 mapped/s · 0 errors · 4 clamped · 7 dropped");
});

test("a source no longer reported is dropped after the next frames event; the compact layout shows the busiest", () => {
  const t = 1000;
  const text = show([frames(t), control(t, "osc:8000"), control(t, "osc:9001", { messagesPerS: 5 }), frames(t + 1), control(t + 1, "osc:9001", { messagesPerS: 500 }), frames(t + 2)]);
  expect(text).not.toContain("osc:8000");
  expect(text).toContain("osc:9001 500 msg/s");
  const compact = show([frames(t), control(t, "osc:8000", { messagesPerS: 4 }), control(t, "osc:9001", { messagesPerS: 900 })], { columns: 60, rows: 20 });
  expect(compact).toContain("osc:9001 900 msg/s");
  expect(compact).not.toContain("osc:8000");
});
