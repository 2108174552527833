/**
 * The `Context` a chain file's `setup(ctx)` and `update(ctx)` receive. It belongs to the host and lives
 * for the whole process: time never resets on reload. Input comes from the window when there is one;
 * headless, every key reads as up and the mouse sits at the centre.
 */
import type { MidiMappings } from "../control/midi.ts";
import type { Chain } from "./chain.ts";
import { activeScope, type ChainScope } from "./scope.ts";

export interface ButtonState {
  pressed: boolean;
  held: boolean;
  released: boolean;
}

export interface Vec2 {
  x: number;
  y: number;
}

/** What the context needs from a window (runtime/window implements it). */
export interface InputSource {
  key(name: string): ButtonState;
  mouseButton(index: number): ButtonState;
  readonly mouse: Vec2;
  readonly mouseNorm: Vec2;
  readonly scroll: Vec2;
}

export interface WindowControls {
  fullscreen: boolean;
  vsync: boolean;
}

const UP: ButtonState = Object.freeze({ pressed: false, held: false, released: false });
const ORIGIN: Vec2 = Object.freeze({ x: 0, y: 0 });

/** Input when there is no window. */
export const NO_INPUT: InputSource = {
  key: () => UP,
  mouseButton: () => UP,
  mouse: ORIGIN,
  mouseNorm: ORIGIN,
  scroll: ORIGIN,
};

/** What `ctx.outputWindow` asks for: a second window showing one operator (a projector beside the editor). */
export interface OutputWindowOptions {
  /** The operator (by name) the window shows; its output texture, stretched to the window. */
  source: string;
  /** Which monitor (`bun vivid --list-monitors` numbers them): fullscreen there, or windowed at its corner. */
  monitor?: number;
  fullscreen?: boolean;
  /** Windowed size (default 640×360). */
  size?: [number, number];
  /** Windowed position relative to the monitor's corner (default (0, 0)). */
  position?: [number, number];
}

export interface DebugValue {
  value: number | boolean | string;
  frame: number;
}

export class Context {
  time = 0;
  dt = 0;
  frame = 0;
  width: number;
  height: number;
  /** The chain being built (in setup) or running (in update). */
  chain!: Chain;
  /** Values from `debug(name, value)`, shown by the dashboard and sent to `--stats` once a second; dropped 60 frames after the last update. */
  readonly debugValues = new Map<string, DebugValue>();
  input: InputSource = NO_INPUT;
  /**
   * `ctx.midi.map(cc, "op.param", min?, max?)`: controllers mapped to params by name, kept across
   * reloads (runtime/control/midi.ts). Set by the engine.
   */
  midi!: MidiMappings;
  window?: WindowControls;
  /** Set by the engine: the version being built, else the running one (runtime/chain/scope.ts). */
  ownerScope: () => ChainScope | undefined = () => undefined;
  private wantFullscreen = false;
  private wantVsync = true;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
  }

  /**
   * Registers clean-up for this version of the chain, like Vite's `import.meta.hot.dispose`: `fn` runs
   * once the version is replaced by a save that succeeded, when its own build failed, and at exit.
   * Close here what setup opened (a socket, a file, a child process); timers are cleared without it.
   */
  onDispose(fn: () => unknown): void {
    const scope = activeScope() ?? this.ownerScope();
    if (!scope) throw new Error("ctx.onDispose() is for chain code: no chain version is being built or running");
    scope.onDispose(fn);
  }

  /**
   * Opens (in setup) a second window named `name` that shows the operator `options.source`. Windows
   * are kept across reloads by name (a changed source or size applies at once); a reload whose setup
   * no longer asks for one closes it. Headless runs have none (said once).
   */
  outputWindow(name: string, options: OutputWindowOptions): void {
    if (typeof options?.source !== "string") throw new TypeError(`ctx.outputWindow("${name}", …) needs { source: "<operator name>" }`);
    this.chain.outputWindows.set(name, { ...options });
  }

  debug(name: string, value: number | boolean | string): void {
    this.debugValues.set(name, { value, frame: this.frame });
  }

  /** Forgets debug values not updated in the last 60 frames. */
  expireDebugValues(): void {
    for (const [name, entry] of this.debugValues) if (this.frame - entry.frame > 60) this.debugValues.delete(name);
  }

  key(name: string): ButtonState {
    return this.input.key(name);
  }

  mouseButton(index: number): ButtonState {
    return this.input.mouseButton(index);
  }

  get mouse(): Vec2 {
    return this.input.mouse;
  }

  get mouseNorm(): Vec2 {
    return this.input.mouseNorm;
  }

  get scroll(): Vec2 {
    return this.input.scroll;
  }

  get fullscreen(): boolean {
    return this.window ? this.window.fullscreen : this.wantFullscreen;
  }

  set fullscreen(on: boolean) {
    if (this.window) this.window.fullscreen = on;
    else this.wantFullscreen = on;
  }

  get vsync(): boolean {
    return this.window ? this.window.vsync : this.wantVsync;
  }

  set vsync(on: boolean) {
    if (this.window) this.window.vsync = on;
    else this.wantVsync = on;
  }
}
