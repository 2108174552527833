/**
 * The recording's progress in the views: the dashboard's line (full and compact layouts) and the
 * plain progress line, from RecordEvents as the hub sends them.
 */
import { render } from "ink-testing-library";
import { describe, expect, test } from "vitest";
import { Dashboard } from "../../../runtime/dashboard/Dashboard.tsx";
import type { DashboardInfo } from "../../../runtime/dashboard/info.ts";
import { RecordProgressLine } from "../../../runtime/record/progress-line.ts";
import type { RecordEvent, StatsEvent } from "../../../runtime/stats/events.ts";
import { StatsViewState } from "../../../runtime/stats/view.ts";
import { recordedCensus, recordedSession } from "../dashboard/recorded-session.ts";

const info: DashboardInfo = { project: "kaleidoscope", adapter: "llvmpipe (vulkan)", width: 1280, height: 720 };
const strip = (text: string) => text.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, "");
const halfway: RecordEvent = { type: "record", t: 31, path: "k.mp4", codec: "h264", width: 1280, height: 720, frames: 75, totalFrames: 150, fps: 25, etaS: 3, dropped: 0, elapsedS: 3, state: "recording" };

function screen(events: StatsEvent[], terminal?: { columns: number; rows: number }): string {
  const state = new StatsViewState();
  for (const event of [...recordedSession, ...events]) state.apply(event);
  const { lastFrame, unmount } = render(<Dashboard view={state.snapshot()} info={info} census={recordedCensus()} terminal={terminal} />);
  const text = strip(lastFrame() ?? "");
  unmount();
  return text;
}

describe("recording progress", () => {
  test("the dashboard shows the bar half full, frames of total, fps and ETA; a failure shows its reason", () => {
    expect(screen([halfway])).toContain(`record [${"█".repeat(12)}${"░".repeat(12)}]  75/150 frames · 25.0 fps · ETA 0:03`);
    const failed: RecordEvent = { ...halfway, t: 32, state: "failed", message: "recording k.mp4 stopped after 80 frames: ffmpeg was killed (SIGKILL)" };
    expect(screen([halfway, failed])).toContain("recording k.mp4 stopped after 80 frames: ffmpeg was killed (SIGKILL)");
    // Without a duration: frames and time so far; dropped frames (live mode) are shown.
    expect(screen([{ ...halfway, totalFrames: undefined, etaS: undefined, elapsedS: 65, dropped: 4 }])).toContain("record k.mp4 · 75 frames · 1:05 · 25.0 fps · 4 dropped");
  });

  test("the compact layout keeps the recording line within 40×10", () => {
    const text = screen([halfway], { columns: 40, rows: 10 });
    const lines = text.split("\n");
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(text).toContain("record [");
    for (const line of lines) expect(Bun.stringWidth(line)).toBeLessThanOrEqual(40);
  });

  test("plain: one line a second into a pipe; redrawn in place on a terminal, then a last full bar", () => {
    const piped: string[] = [];
    const pipe = new RecordProgressLine({ write: (text: string) => piped.push(text) });
    expect(pipe.interval).toBe(1000);
    pipe.show(halfway);
    pipe.done({ ...halfway, frames: 150, etaS: 0, state: "done" });
    expect(piped).toEqual([`record [${"█".repeat(12)}${"░".repeat(12)}]  75/150 frames · 25.0 fps · ETA 0:03\n`, `record [${"█".repeat(24)}] 150/150 frames · 25.0 fps · ETA 0:00\n`]);
    const drawn: string[] = [];
    const tty = new RecordProgressLine({ write: (text: string) => drawn.push(text), isTTY: true });
    expect(tty.interval).toBe(250);
    tty.show(halfway);
    expect(drawn[0]!.startsWith("\r\x1b[2K")).toBe(true);
    expect(drawn[0]!.endsWith("\n")).toBe(false);
    tty.done({ ...halfway, state: "failed" });
    expect(drawn.at(-1)).toBe("\n");
  });
});
