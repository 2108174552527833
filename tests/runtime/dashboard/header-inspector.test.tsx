// The dashboard's header carries the inspector's link under it when the run serves one.
import { render } from "ink-testing-library";
import { describe, expect, test } from "vitest";
import { Header } from "../../../runtime/dashboard/Header.tsx";

describe("dashboard header", () => {
  const info = { project: "kaleidoscope", adapter: "llvmpipe", width: 1280, height: 720 };

  test("shows the inspector's link on its own line", () => {
    const { lastFrame, unmount } = render(<Header info={{ ...info, inspector: "http://127.0.0.1:9876/" }} t={3.2} />);
    const lines = lastFrame()!.split("\n");
    expect(lines[0]).toContain("kaleidoscope");
    expect(lines[1]).toBe("inspector http://127.0.0.1:9876/");
    unmount();
  });

  test("is one line without an inspector (--no-inspect)", () => {
    const { lastFrame, unmount } = render(<Header info={info} t={3.2} />);
    expect(lastFrame()!.split("\n")).toHaveLength(1);
    unmount();
  });
});
