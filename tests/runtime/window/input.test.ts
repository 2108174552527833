import { describe, expect, it } from "vitest";
import { InputState, KEY_CODES, keyCode } from "../../../runtime/window/input.ts";
import { GLFW } from "../../../runtime/window/glfw.ts";

// The feed methods take GLFW's callback arguments; these helpers call them exactly as GLFW would.
const A = KEY_CODES.A!;
const press = (input: InputState, key: number) => input.onKey(null, key, 38, GLFW.PRESS, 0);
const repeat = (input: InputState, key: number) => input.onKey(null, key, 38, GLFW.REPEAT, 0);
const release = (input: InputState, key: number) => input.onKey(null, key, 38, GLFW.RELEASE, 0);
const state = (pressed: boolean, held: boolean, released: boolean) => ({ pressed, held, released });

describe("InputState", () => {
  it("reports press, hold and release edges over several frames", () => {
    const input = new InputState(800, 600);
    press(input, A);
    input.endFrame();
    expect(input.key("A")).toEqual(state(true, true, false));
    input.endFrame();
    expect(input.key("A")).toEqual(state(false, true, false));
    repeat(input, A);
    input.endFrame();
    expect(input.key("A")).toEqual(state(false, true, false));
    release(input, A);
    input.endFrame();
    expect(input.key("A")).toEqual(state(false, false, true));
    input.endFrame();
    expect(input.key("A")).toEqual(state(false, false, false));
  });

  it("keeps a tap that starts and ends between two frames", () => {
    const input = new InputState();
    press(input, KEY_CODES.Space!);
    release(input, KEY_CODES.Space!);
    input.endFrame();
    expect(input.key("Space")).toEqual(state(true, false, true));
    input.endFrame();
    expect(input.key("Space")).toEqual(state(false, false, false));
  });

  it("shows events only after endFrame, so one frame sees one stable picture", () => {
    const input = new InputState();
    input.endFrame();
    press(input, A);
    expect(input.key("A")).toEqual(state(false, false, false));
    input.endFrame();
    expect(input.key("A").pressed).toBe(true);
  });

  it("names keys the GLFW way, case-insensitively, and rejects unknown names", () => {
    expect(keyCode("a")).toBe(65);
    expect(keyCode("Z")).toBe(90);
    expect(keyCode("0")).toBe(48);
    expect(keyCode("9")).toBe(57);
    expect(keyCode("Space")).toBe(32);
    expect(keyCode("Escape")).toBe(256);
    expect(keyCode("esc")).toBe(256);
    expect(keyCode("Enter")).toBe(257);
    expect(keyCode("Tab")).toBe(258);
    expect(keyCode("Right")).toBe(262);
    expect(keyCode("Left")).toBe(263);
    expect(keyCode("Down")).toBe(264);
    expect(keyCode("Up")).toBe(265);
    expect(keyCode("F1")).toBe(290);
    expect(keyCode("F12")).toBe(301);
    expect(keyCode("KP0")).toBe(320);
    expect(keyCode("LeftShift")).toBe(340);
    const input = new InputState();
    expect(() => input.key("Spcae")).toThrow(/unknown key name "Spcae"/);
  });

  it("ignores GLFW_KEY_UNKNOWN (-1)", () => {
    const input = new InputState();
    input.onKey(null, -1, 200, GLFW.PRESS, 0);
    input.endFrame();
    for (const name of Object.keys(KEY_CODES)) expect(input.key(name).pressed).toBe(false);
  });

  it("tracks mouse buttons with the same edges", () => {
    const input = new InputState();
    input.onMouseButton(null, 0, GLFW.PRESS, 0);
    input.endFrame();
    expect(input.mouseButton(0)).toEqual(state(true, true, false));
    expect(input.mouseButton(1)).toEqual(state(false, false, false));
    input.onMouseButton(null, 1, GLFW.PRESS, 0);
    input.endFrame();
    expect(input.mouseButton(0)).toEqual(state(false, true, false));
    expect(input.mouseButton(1)).toEqual(state(true, true, false));
    input.onMouseButton(null, 0, GLFW.RELEASE, 0);
    input.onMouseButton(null, 1, GLFW.RELEASE, 0);
    input.endFrame();
    expect(input.mouseButton(0)).toEqual(state(false, false, true));
    expect(input.mouseButton(1)).toEqual(state(false, false, true));
    expect(() => input.mouseButton(8)).toThrow(/out of range/);
  });

  it("reports the cursor in framebuffer pixels and in -1..1 with y up", () => {
    // A HiDPI window: 800×600 screen coordinates, 1600×1200 pixels.
    const input = new InputState(800, 600, 1600, 1200);
    input.onCursorPos(null, 400, 300);
    input.endFrame();
    expect(input.mouse).toEqual({ x: 800, y: 600 });
    expect(input.mouseNorm).toEqual({ x: 0, y: 0 });
    input.onCursorPos(null, 0, 0);
    input.endFrame();
    expect(input.mouseNorm).toEqual({ x: -1, y: 1 });
    input.onCursorPos(null, 800, 600);
    input.endFrame();
    expect(input.mouse).toEqual({ x: 1600, y: 1200 });
    expect(input.mouseNorm).toEqual({ x: 1, y: -1 });
    // After a resize the same cursor position maps to a different normalised point.
    input.onWindowSize(null, 400, 300);
    input.onFramebufferSize(null, 400, 300);
    input.onCursorPos(null, 100, 75);
    input.endFrame();
    expect(input.mouse).toEqual({ x: 100, y: 75 });
    expect(input.mouseNorm).toEqual({ x: -0.5, y: 0.5 });
  });

  it("sums scroll over one frame and starts from zero the next", () => {
    const input = new InputState();
    input.onScroll(null, 0, 1);
    input.onScroll(null, 0.5, 2);
    input.endFrame();
    expect(input.scroll).toEqual({ x: 0.5, y: 3 });
    input.endFrame();
    expect(input.scroll).toEqual({ x: 0, y: 0 });
  });

  it("releaseAll turns every held key and button into a release", () => {
    const input = new InputState();
    press(input, A);
    input.onMouseButton(null, 2, GLFW.PRESS, 0);
    input.endFrame();
    input.releaseAll();
    input.endFrame();
    expect(input.key("A")).toEqual(state(false, false, true));
    expect(input.mouseButton(2)).toEqual(state(false, false, true));
  });

  it("does not let a reader mutate the frame's state", () => {
    const input = new InputState(100, 100);
    input.onCursorPos(null, 10, 20);
    input.endFrame();
    input.mouse.x = 99;
    input.scroll.y = 5;
    expect(input.mouse).toEqual({ x: 10, y: 20 });
    expect(input.scroll).toEqual({ x: 0, y: 0 });
  });
  it("tells Shift+R from R by the press's own modifiers, by a Shift held, or by a Shift tapped in the same frame", () => {
    const R = KEY_CODES.R!;
    const input = new InputState();
    // R alone: not shifted.
    press(input, R);
    input.endFrame();
    expect(input.pressedWithShift("R")).toBe(false);
    release(input, R);
    input.endFrame();
    // The window never saw Shift go down, but the press carries GLFW_MOD_SHIFT (the X server's state).
    input.onKey(null, R, 27, GLFW.PRESS, 0x0001);
    input.endFrame();
    expect(input.key("LeftShift").held).toBe(false);
    expect(input.pressedWithShift("R")).toBe(true);
    // The next frame: no new press, so no second toggle.
    input.endFrame();
    expect(input.pressedWithShift("R")).toBe(false);
    release(input, R);
    // A whole chord (Shift down, R down, R up, Shift up) between two frames, mods not set.
    press(input, KEY_CODES.LeftShift!);
    press(input, R);
    release(input, R);
    release(input, KEY_CODES.LeftShift!);
    input.endFrame();
    expect(input.pressedWithShift("R")).toBe(true);
    // Right Shift held from an earlier frame.
    press(input, KEY_CODES.RightShift!);
    input.endFrame();
    press(input, R);
    input.endFrame();
    expect(input.pressedWithShift("R")).toBe(true);
  });
});
