import { expect, test } from "vitest";
import { SourceCounters } from "../../../runtime/control/counters.ts";
import type { ControlEntry, StatsEvent } from "../../../runtime/stats/events.ts";
import { StatsHub } from "../../../runtime/stats/hub.ts";
import { createPlainReporter } from "../../../runtime/stats/reporter.ts";
import { FakeClock } from "./synthetic.ts";

// The control events through the stats hub, as main.ts wires them: read once a second with the frames
// summary, each carrying its source's last second, and a plain line only for seconds that set params.

test("one control event per source each second, with the messages and params of that second only", () => {
  const clock = new FakeClock();
  const osc = new SourceCounters("osc:8000");
  const entries = (): ControlEntry[] =>
    [osc].map((counters) => {
      const second = counters.takeSecond();
      return { source: counters.name, messagesPerS: second.messages, mappedPerS: second.mapped, total: counters.total, lastAddress: counters.lastAddress, errors: counters.errors, dropped: counters.dropped, clamped: counters.clamped, opened: 1, changes: second.changes as ControlEntry["changes"] };
    });
  const hub = new StatsHub({ now: clock.now, readControl: entries, readMemory: () => ({ rssBytes: 0, heapBytes: 0 }) });
  const seen: StatsEvent[] = [];
  const lines: string[] = [];
  hub.subscribe((event) => seen.push(event));
  hub.subscribe(createPlainReporter((line) => lines.push(line)));

  for (let i = 0; i < 30; i++) {
    osc.total++;
    osc.mapped++;
    osc.lastAddress = "/noise/scale";
    osc.recordChange("noise.scale", i);
  }
  osc.total += 5; // five messages that set nothing (a handler's)
  osc.errors++;
  hub.recordFrame(1, 16, clock.frame(60));
  hub.recordFrame(1, 16, clock.frame(120));
  const control = seen.filter((event) => event.type === "control");
  expect(control).toEqual([
    { type: "control", t: 1, source: "osc:8000", messagesPerS: 35, mappedPerS: 30, total: 35, lastAddress: "/noise/scale", errors: 1, dropped: 0, clamped: 0, opened: 1, changes: { "noise.scale": 29 } },
    { type: "control", t: 2, source: "osc:8000", messagesPerS: 0, mappedPerS: 0, total: 35, lastAddress: "/noise/scale", errors: 1, dropped: 0, clamped: 0, opened: 1, changes: {} },
  ]);
  expect(lines.filter((line) => line.includes("osc:8000"))).toEqual(["[1.0s] osc:8000 set noise.scale = 29 (35 msg/s, 1 error)"]);
});

test("a source keeps the 16 params it set most recently in a second", () => {
  const counters = new SourceCounters("midi:/dev/snd/midiC1D0");
  for (let i = 0; i < 20; i++) counters.recordChange(`op${i}.x`, i);
  counters.recordChange("op5.x", 99);
  const { changes } = counters.takeSecond();
  expect(Object.keys(changes)).toHaveLength(16);
  expect(changes["op3.x"]).toBeUndefined(); // the four oldest went
  expect(changes["op4.x"]).toBe(4);
  expect(changes["op5.x"]).toBe(99); // set again: its last value, now the most recent
  expect(Object.keys(changes).at(-1)).toBe("op5.x");
  expect(counters.takeSecond().changes).toEqual({});
});
