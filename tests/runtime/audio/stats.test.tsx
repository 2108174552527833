/**
 * The audio record of the stats stream: the hub sends one after each frames event while the chain
 * uses audio (none before), the view keeps the latest, and the dashboard shows it in one line.
 */
import { render } from "ink-testing-library";
import { expect, test } from "vitest";
import { Dashboard } from "../../../runtime/dashboard/Dashboard.tsx";
import type { AudioEvent, StatsEvent } from "../../../runtime/stats/events.ts";
import { StatsHub } from "../../../runtime/stats/hub.ts";
import { FakeClock, seriesReader } from "../stats/synthetic.ts";

test("an audio event a second once audio is in use; the dashboard says the sink, underruns, DSP load and opens", () => {
  const clock = new FakeClock();
  let audio: Omit<AudioEvent, "type" | "t"> | undefined;
  const hub = new StatsHub({ now: clock.now, readMemory: seriesReader([100]), readAudio: () => audio });
  const events: StatsEvent[] = [];
  hub.subscribe((event) => events.push(event));
  for (let frame = 1; frame <= 60; frame++) hub.recordFrame(1, 16.7, clock.frame(frame, 60));
  expect(events.filter((e) => e.type === "audio")).toEqual([]);
  audio = { sink: "null", opens: 1, underruns: 3, dspLoad: 0.0123, clockSeconds: 2.5, leadMs: 0 };
  for (let frame = 61; frame <= 120; frame++) hub.recordFrame(1, 16.7, clock.frame(frame, 60));
  const sent = events.filter((e) => e.type === "audio");
  expect(sent).toEqual([{ type: "audio", t: 2, ...audio }]);
  // It follows the frames event of the same second.
  expect(events[events.indexOf(sent[0]!) - 1]).toMatchObject({ type: "frames", t: 2 });
  expect(hub.view().audio).toEqual(sent[0]);
  const { lastFrame, unmount } = render(<Dashboard view={hub.view()} info={{ project: "p", adapter: "a", width: 64, height: 64 }} census={null} />);
  expect(lastFrame()).toContain("Audio   null sink (no device)  ·  underruns 3  ·  DSP 1.2 %  ·  opened 1×  ·  2.5 s played");
  unmount();
});
