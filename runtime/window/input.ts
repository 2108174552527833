/**
 * Keyboard and mouse state for the chain's `update`, built from GLFW's callbacks.
 *
 * Events arrive while the window polls (between frames); `update` must see one stable picture per frame
 * and must not miss a key that was pressed and released between two frames. So the state is double
 * buffered: the `on*` feed methods (same arguments as the GLFW callbacks, so tests drive the exact path
 * GLFW does) collect into a pending set, and `endFrame()` closes the collection window and makes what was
 * collected the state that the next frame reads. The loop calls it right after `pollEvents()`.
 *
 * Edge rules, per frame: `pressed` = at least one press arrived, `released` = at least one release
 * arrived, `held` = down when the frame was latched. A tap inside one frame reads pressed and released
 * with held false; key repeats change nothing.
 */

import type { Pointer } from "bun:ffi";
import { GLFW } from "./glfw.ts";

export interface ButtonState {
  pressed: boolean;
  held: boolean;
  released: boolean;
}

export interface Vec2 {
  x: number;
  y: number;
}

/** GLFW key codes (glfw3.h) under the names chains use, e.g. `ctx.key("Space")`. */
export const KEY_CODES: Readonly<Record<string, number>> = (() => {
  const codes: Record<string, number> = {
    Space: 32,
    Apostrophe: 39,
    Comma: 44,
    Minus: 45,
    Period: 46,
    Slash: 47,
    Semicolon: 59,
    Equal: 61,
    LeftBracket: 91,
    Backslash: 92,
    RightBracket: 93,
    GraveAccent: 96,
    Escape: 256,
    Enter: 257,
    Tab: 258,
    Backspace: 259,
    Insert: 260,
    Delete: 261,
    Right: 262,
    Left: 263,
    Down: 264,
    Up: 265,
    PageUp: 266,
    PageDown: 267,
    Home: 268,
    End: 269,
    CapsLock: 280,
    ScrollLock: 281,
    NumLock: 282,
    PrintScreen: 283,
    Pause: 284,
    KPDecimal: 330,
    KPDivide: 331,
    KPMultiply: 332,
    KPSubtract: 333,
    KPAdd: 334,
    KPEnter: 335,
    KPEqual: 336,
    LeftShift: 340,
    LeftControl: 341,
    LeftAlt: 342,
    LeftSuper: 343,
    RightShift: 344,
    RightControl: 345,
    RightAlt: 346,
    RightSuper: 347,
    Menu: 348,
  };
  for (let i = 0; i <= 9; i++) codes[String(i)] = 48 + i;
  for (let i = 0; i < 26; i++) codes[String.fromCharCode(65 + i)] = 65 + i;
  for (let i = 1; i <= 25; i++) codes[`F${i}`] = 289 + i;
  for (let i = 0; i <= 9; i++) codes[`KP${i}`] = 320 + i;
  return codes;
})();

/** Names that people type for the same key. */
const KEY_ALIASES: Readonly<Record<string, string>> = {
  esc: "Escape",
  return: "Enter",
  " ": "Space",
  ctrl: "LeftControl",
  control: "LeftControl",
  shift: "LeftShift",
  alt: "LeftAlt",
  arrowleft: "Left",
  arrowright: "Right",
  arrowup: "Up",
  arrowdown: "Down",
};

const keyCodeByLowerName = new Map<string, number>();
for (const [name, code] of Object.entries(KEY_CODES)) keyCodeByLowerName.set(name.toLowerCase(), code);
for (const [alias, name] of Object.entries(KEY_ALIASES)) keyCodeByLowerName.set(alias, KEY_CODES[name]!);

/** The GLFW key code for a name (case-insensitive), or undefined. */
export function keyCode(name: string): number | undefined {
  return keyCodeByLowerName.get(name.toLowerCase());
}

const MOUSE_BUTTONS = 8; // GLFW_MOUSE_BUTTON_LAST + 1
const MOD_SHIFT = 0x0001; // GLFW_MOD_SHIFT

type Window = Pointer | null;

export class InputState {
  // Live state: what the device looks like right now, updated by every event.
  private down = new Set<number>();
  private buttonsDown = new Set<number>();
  private cursor: Vec2 = { x: 0, y: 0 };
  private windowSize = { width: 1, height: 1 };
  private framebuffer = { width: 1, height: 1 };

  // Collected since the last endFrame().
  private pendingPressed = new Set<number>();
  /** Keys pressed with Shift in the press's own modifier state (GLFW's `mods`). */
  private pendingShiftPressed = new Set<number>();
  private pendingReleased = new Set<number>();
  private pendingButtonsPressed = new Set<number>();
  private pendingButtonsReleased = new Set<number>();
  private pendingScroll: Vec2 = { x: 0, y: 0 };

  // What the current frame reads.
  private framePressed = new Set<number>();
  private frameShiftPressed = new Set<number>();
  private frameReleased = new Set<number>();
  private frameHeld = new Set<number>();
  private frameButtonsPressed = new Set<number>();
  private frameButtonsReleased = new Set<number>();
  private frameButtonsHeld = new Set<number>();
  private frameMouse: Vec2 = { x: 0, y: 0 };
  private frameMouseNorm: Vec2 = { x: 0, y: 0 };
  private frameScroll: Vec2 = { x: 0, y: 0 };

  /** Sizes used to turn cursor coordinates into pixels and −1..1; the window sets them on open. */
  constructor(windowWidth = 1, windowHeight = 1, framebufferWidth = windowWidth, framebufferHeight = windowHeight) {
    this.onWindowSize(null, windowWidth, windowHeight);
    this.onFramebufferSize(null, framebufferWidth, framebufferHeight);
  }

  // ---- feed: the GLFW callbacks' arguments, in GLFW's order ----

  /** GLFWkeyfun(window, key, scancode, action, mods). */
  onKey(_window: Window, key: number, _scancode: number, action: number, mods: number): void {
    if (key < 0) return; // GLFW_KEY_UNKNOWN
    if (action === GLFW.PRESS) {
      this.down.add(key);
      this.pendingPressed.add(key);
      if (mods & MOD_SHIFT) this.pendingShiftPressed.add(key);
    } else if (action === GLFW.RELEASE) {
      // A release without a press (key went down before the window had focus) still counts as one.
      this.down.delete(key);
      this.pendingReleased.add(key);
    }
  }

  /** GLFWmousebuttonfun(window, button, action, mods). */
  onMouseButton(_window: Window, button: number, action: number, _mods: number): void {
    if (action === GLFW.PRESS) {
      this.buttonsDown.add(button);
      this.pendingButtonsPressed.add(button);
    } else if (action === GLFW.RELEASE) {
      this.buttonsDown.delete(button);
      this.pendingButtonsReleased.add(button);
    }
  }

  /** GLFWcursorposfun(window, xpos, ypos): screen coordinates relative to the content area's top-left. */
  onCursorPos(_window: Window, x: number, y: number): void {
    this.cursor = { x, y };
  }

  /** GLFWscrollfun(window, xoffset, yoffset): summed until the frame is latched. */
  onScroll(_window: Window, dx: number, dy: number): void {
    this.pendingScroll.x += dx;
    this.pendingScroll.y += dy;
  }

  /** GLFWwindowsizefun(window, width, height), in screen coordinates. */
  onWindowSize(_window: Window, width: number, height: number): void {
    if (width > 0 && height > 0) this.windowSize = { width, height };
  }

  /** GLFWframebuffersizefun(window, width, height), in pixels (differs from the window size on HiDPI). */
  onFramebufferSize(_window: Window, width: number, height: number): void {
    if (width > 0 && height > 0) this.framebuffer = { width, height };
  }

  /** Forget every held key and button (e.g. after the window lost focus or a fullscreen switch). */
  releaseAll(): void {
    for (const key of this.down) this.pendingReleased.add(key);
    for (const button of this.buttonsDown) this.pendingButtonsReleased.add(button);
    this.down.clear();
    this.buttonsDown.clear();
  }

  /**
   * Ends the collection window: everything fed since the previous call becomes what `key()`,
   * `mouseButton()`, `mouse`, `mouseNorm` and `scroll` report until the next call. Once per frame,
   * after `pollEvents()` and before the chain's `update`.
   */
  endFrame(): void {
    [this.framePressed, this.pendingPressed] = [this.pendingPressed, this.framePressed];
    [this.frameShiftPressed, this.pendingShiftPressed] = [this.pendingShiftPressed, this.frameShiftPressed];
    [this.frameReleased, this.pendingReleased] = [this.pendingReleased, this.frameReleased];
    [this.frameButtonsPressed, this.pendingButtonsPressed] = [this.pendingButtonsPressed, this.frameButtonsPressed];
    [this.frameButtonsReleased, this.pendingButtonsReleased] = [this.pendingButtonsReleased, this.frameButtonsReleased];
    this.pendingPressed.clear();
    this.pendingShiftPressed.clear();
    this.pendingReleased.clear();
    this.pendingButtonsPressed.clear();
    this.pendingButtonsReleased.clear();
    this.frameHeld = new Set(this.down);
    this.frameButtonsHeld = new Set(this.buttonsDown);

    this.frameScroll = this.pendingScroll;
    this.pendingScroll = { x: 0, y: 0 };

    const scaleX = this.framebuffer.width / this.windowSize.width;
    const scaleY = this.framebuffer.height / this.windowSize.height;
    this.frameMouse = { x: this.cursor.x * scaleX, y: this.cursor.y * scaleY };
    this.frameMouseNorm = {
      x: (this.cursor.x / this.windowSize.width) * 2 - 1,
      y: 1 - (this.cursor.y / this.windowSize.height) * 2,
    };
  }

  // ---- read: what the current frame sees ----

  /** Edge state of a key by name ("A", "7", "Space", "Escape", "F5", "Left", ...). Throws on an unknown name. */
  key(name: string): ButtonState {
    const code = keyCode(name);
    if (code === undefined) throw new Error(`unknown key name "${name}" (use GLFW names: "A".."Z", "0".."9", "Space", "Escape", "Enter", "Left", "F1".."F12", ...)`);
    return this.keyByCode(code);
  }

  keyByCode(code: number): ButtonState {
    return { pressed: this.framePressed.has(code), held: this.frameHeld.has(code), released: this.frameReleased.has(code) };
  }

  /**
   * Whether `name` was pressed this frame with Shift down, by the modifier state the press itself
   * carried (the X server's): a Shift+key chord typed within one frame counts, and so does one whose
   * Shift press this window never got (it went down before the window had the keyboard).
   */
  pressedWithShift(name: string): boolean {
    const code = keyCode(name);
    if (code === undefined) throw new Error(`unknown key name "${name}"`);
    return this.frameShiftPressed.has(code) || (this.framePressed.has(code) && [KEY_CODES.LeftShift!, KEY_CODES.RightShift!].some((shift) => this.frameHeld.has(shift) || this.framePressed.has(shift)));
  }

  /** Edge state of a mouse button: 0 left, 1 right, 2 middle, up to 7. */
  mouseButton(index: number): ButtonState {
    if (!Number.isInteger(index) || index < 0 || index >= MOUSE_BUTTONS) throw new Error(`mouse button ${index} out of range 0..${MOUSE_BUTTONS - 1}`);
    return {
      pressed: this.frameButtonsPressed.has(index),
      held: this.frameButtonsHeld.has(index),
      released: this.frameButtonsReleased.has(index),
    };
  }

  /** Cursor position in framebuffer pixels, origin top-left. */
  get mouse(): Vec2 {
    return { ...this.frameMouse };
  }

  /** Cursor position in −1..1 across the window, y up (matches clip space). Outside the window it exceeds the range. */
  get mouseNorm(): Vec2 {
    return { ...this.frameMouseNorm };
  }

  /** Scroll offset summed over the events of this frame (GLFW units: lines/notches, y > 0 is away from the user). */
  get scroll(): Vec2 {
    return { ...this.frameScroll };
  }
}
