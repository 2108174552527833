/**
 * The window and its surface under a private Xvfb: frames reach the X screen with the right colour,
 * resizes reconfigure the surface, fullscreen goes to the monitor's mode and back, real X input events
 * reach InputState, teardown leaves no per-frame GPU object alive, and a missing display is one clear
 * error instead of a crash.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openWindow, type VividWindow } from "../../../runtime/window/window.ts";
import { createSurface, type Surface } from "../../../runtime/gpu/surface.ts";
import { Census } from "../../../runtime/gpu/census.ts";
import { requestDevice } from "../../../runtime/gpu/device.ts";
import { FakeInput, KEYSYM, startXvfb, type Xvfb } from "./xvfb.ts";
import type { XwdImage } from "./xwd.ts";

type Rgb = [number, number, number];
const ROSE: Rgb = [200, 40, 90];
const GREEN: Rgb = [30, 160, 70];
const BLUE: Rgb = [20, 60, 220];
const BLACK: Rgb = [0, 0, 0];

let xvfb: Xvfb;
let device: GPUDevice;
const gpuErrors: string[] = [];
const toClose: { window?: VividWindow; surface?: Surface }[] = [];

beforeAll(async () => {
  xvfb = await startXvfb(1600, 1000);
  device = (await requestDevice()).device;
  device.onuncapturederror = (event) => gpuErrors.push(event.error.message);
}, 30_000);

afterEach(async () => {
  for (const { window, surface } of toClose.splice(0)) {
    await surface?.destroy(); // the swap chain must be gone before its window
    window?.destroy();
  }
  expect(gpuErrors).toEqual([]);
});

afterAll(async () => {
  device?.destroy();
  await xvfb?.stop();
});

function open(width: number, height: number): { window: VividWindow; surface: Surface; census: Census } {
  const window = openWindow({ width, height, title: "vivid window test", display: xvfb.display });
  if ("error" in window) throw new Error(window.error);
  const census = new Census();
  const surface = createSurface(device, window.nativeHandles(), census);
  toClose.push({ window, surface });
  const size = window.framebufferSize();
  surface.configure(size.width, size.height, window.presentMode);
  return { window, surface, census };
}

/** One frame of the loop the runtime runs: acquire, clear, submit, present, poll, latch input, yield. */
async function frame(window: VividWindow, surface: Surface, colour: Rgb): Promise<GPUTexture> {
  const size = window.framebufferSize();
  surface.resizeIfNeeded(size.width, size.height);
  const target = surface.acquire();
  if (!target) throw new Error("surface.acquire() returned null");
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginRenderPass({
    colorAttachments: [
      {
        view: target.view,
        clearValue: { r: colour[0] / 255, g: colour[1] / 255, b: colour[2] / 255, a: 1 },
        loadOp: "clear",
        storeOp: "store",
      },
    ],
  });
  pass.end();
  pass.destroy();
  const commands = encoder.finish();
  device.queue.submit([commands]);
  commands._destroy();
  surface.present();
  window.pollEvents();
  window.input.endFrame();
  await new Promise((resolve) => setImmediate(resolve));
  return target.texture;
}

/** Polls and latches input until `done` holds (X events take a round trip), at most ~2 s. */
async function pollUntil(window: VividWindow, done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    window.pollEvents();
    window.input.endFrame();
    if (done()) return;
    await Bun.sleep(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function expectRegion(shot: XwdImage, x0: number, y0: number, width: number, height: number, colour: Rgb): void {
  const points: [number, number][] = [
    [x0, y0],
    [x0 + width - 1, y0],
    [x0, y0 + height - 1],
    [x0 + width - 1, y0 + height - 1],
    [x0 + (width >> 1), y0 + (height >> 1)],
    [x0 + (width >> 2), y0 + ((3 * height) >> 2)],
  ];
  for (const [x, y] of points) expect({ x, y, rgb: shot.rgb(x, y) }).toEqual({ x, y, rgb: colour });
}

describe("window + surface under Xvfb", () => {
  it("presents 60 frames that show on the X screen in the window's rectangle", async () => {
    const { window, surface, census } = open(640, 360);
    expect(surface.supportedFormats.length).toBeGreaterThan(0);
    expect(surface.format).toBe("bgra8unorm"); // non-sRGB on purpose: see chooseFormat
    expect(surface.presentMode).toBe("fifo");
    for (let i = 0; i < 60; i++) await frame(window, surface, ROSE);
    const kinds = census.snapshot().kinds;
    expect(kinds.surfaceTexture).toEqual({ created: 60, released: 60, live: 0 });
    expect(kinds.textureView).toEqual({ created: 60, released: 60, live: 0 });

    const { x, y } = window.position();
    const shot = await xvfb.screenshot();
    expect([shot.width, shot.height]).toEqual([1600, 1000]);
    expectRegion(shot, x, y, 640, 360, ROSE);
    expect(shot.rgb(x + 640, y + 10)).toEqual(BLACK);
    expect(shot.rgb(x + 10, y + 360)).toEqual(BLACK);
  }, 30_000);

  it("reconfigures the surface to the new framebuffer size after glfwSetWindowSize", async () => {
    const { window, surface } = open(640, 360);
    await frame(window, surface, ROSE);
    const configuresBefore = surface.configureCount;
    window.setSize(400, 240);
    await pollUntil(window, () => window.framebufferSize().width === 400, "the framebuffer to shrink");
    expect(window.framebufferSize()).toEqual({ width: 400, height: 240 });
    expect(surface.resizeIfNeeded(400, 240)).toBe(true);
    expect(surface.resizeIfNeeded(400, 240)).toBe(false);
    expect(surface.configureCount).toBe(configuresBefore + 1);
    expect([surface.width, surface.height]).toEqual([400, 240]);

    let texture: GPUTexture | null = null;
    for (let i = 0; i < 5; i++) texture = await frame(window, surface, GREEN);
    expect([texture!.width, texture!.height]).toEqual([400, 240]);
    const { x, y } = window.position();
    const shot = await xvfb.screenshot();
    expectRegion(shot, x, y, 400, 240, GREEN);
    expect(shot.rgb(x + 600, y + 340)).toEqual(BLACK); // inside the old size, outside the new one
  }, 30_000);

  it("switches to the monitor's video mode and back to the previous windowed rectangle", async () => {
    const { window, surface } = open(640, 360);
    await frame(window, surface, ROSE);
    const before = window.position();
    window.fullscreen = true;
    expect(window.fullscreen).toBe(true);
    await pollUntil(window, () => window.framebufferSize().width === 1600, "the fullscreen size");
    for (let i = 0; i < 3; i++) await frame(window, surface, BLUE);
    expect([surface.width, surface.height]).toEqual([1600, 1000]);
    let shot = await xvfb.screenshot();
    expectRegion(shot, 0, 0, 1600, 1000, BLUE);

    window.fullscreen = false;
    await pollUntil(window, () => window.framebufferSize().width === 640, "the windowed size");
    for (let i = 0; i < 3; i++) await frame(window, surface, GREEN);
    expect(window.position()).toEqual(before);
    expect([surface.width, surface.height]).toEqual([640, 360]);
    shot = await xvfb.screenshot();
    expectRegion(shot, before.x, before.y, 640, 360, GREEN);
    expect(shot.rgb(1500, 900)).toEqual(BLACK);
  }, 30_000);

  it("delivers real X keyboard, mouse and scroll events to InputState through the GLFW callbacks", async () => {
    const { window, surface } = open(640, 360);
    await frame(window, surface, ROSE);
    const input = window.input;
    const origin = window.position();
    const fake = new FakeInput(xvfb.display);
    try {
      fake.moveTo(origin.x + 160, origin.y + 90);
      await pollUntil(window, () => input.mouse.x === 160 && input.mouse.y === 90, "the cursor");
      expect(input.mouseNorm).toEqual({ x: -0.5, y: 0.5 });

      fake.key(KEYSYM.a, true);
      await pollUntil(window, () => input.key("A").pressed, "A pressed");
      expect(input.key("A")).toEqual({ pressed: true, held: true, released: false });
      await frame(window, surface, ROSE);
      expect(input.key("A")).toEqual({ pressed: false, held: true, released: false });
      fake.key(KEYSYM.a, false);
      await pollUntil(window, () => input.key("A").released, "A released");
      expect(input.key("A")).toEqual({ pressed: false, held: false, released: true });

      fake.key(KEYSYM.escape, true);
      fake.key(KEYSYM.escape, false);
      await pollUntil(window, () => input.key("Escape").released, "Escape tapped");

      fake.button(1, true);
      await pollUntil(window, () => input.mouseButton(0).pressed, "left button pressed");
      expect(input.mouseButton(0).held).toBe(true);
      fake.button(1, false);
      await pollUntil(window, () => input.mouseButton(0).released, "left button released");

      fake.button(4, true);
      fake.button(4, false);
      await pollUntil(window, () => input.scroll.y !== 0, "scroll");
      expect(input.scroll).toEqual({ x: 0, y: 1 });
      await frame(window, surface, ROSE);
      expect(input.scroll).toEqual({ x: 0, y: 0 });
    } finally {
      fake.close();
    }
  }, 30_000);

  it("leaves no surface texture or view alive after destroy, even with an abandoned frame", async () => {
    const { window, surface, census } = open(320, 200);
    for (let i = 0; i < 10; i++) await frame(window, surface, ROSE);
    expect(surface.acquire()).not.toBeNull(); // a frame the render never presented
    expect(census.live("surfaceTexture")).toBe(1);
    expect(census.live("textureView")).toBe(1);
    expect(surface.acquire()).not.toBeNull(); // acquiring again releases the abandoned one first
    expect(census.live("surfaceTexture")).toBe(1);
    await surface.destroy();
    window.destroy();
    expect(census.live("surfaceTexture")).toBe(0);
    expect(census.live("textureView")).toBe(0);
    expect(census.snapshot().kinds.surfaceTexture).toEqual({ created: 12, released: 12, live: 0 });
    expect(window.destroyed).toBe(true);
    expect(() => window.pollEvents()).toThrow(/after destroy/);
    expect(() => surface.acquire()).toThrow(/after destroy/);
    await surface.destroy(); // idempotent
    window.destroy();
  }, 30_000);

  it("opens again after a window was destroyed (glfwTerminate, then glfwInit)", async () => {
    const { window, surface } = open(200, 120);
    await frame(window, surface, GREEN);
    const shot = await xvfb.screenshot();
    const { x, y } = window.position();
    expectRegion(shot, x, y, 200, 120, GREEN);
  }, 30_000);
});

describe("no window available", () => {
  const fixture = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "open-window.ts");

  function runFixture(env: Record<string, string | undefined>): { exitCode: number | null; result: { error?: string; opened?: boolean } } {
    const childEnv: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...process.env, ...env })) {
      if (value !== undefined && name !== "DISPLAY" && name !== "WAYLAND_DISPLAY") childEnv[name] = value;
    }
    if (env.DISPLAY !== undefined) childEnv.DISPLAY = env.DISPLAY;
    const child = Bun.spawnSync([process.execPath, fixture], { env: childEnv, stderr: "pipe" });
    const lines = child.stdout.toString().trim().split("\n");
    if (child.exitCode !== 0) throw new Error(`fixture crashed (exit ${child.exitCode}, signal ${child.signalCode}): ${child.stderr.toString()}`);
    return { exitCode: child.exitCode, result: JSON.parse(lines.at(-1)!) };
  }

  it("returns the reason when DISPLAY is not set, and the process carries on", () => {
    const { exitCode, result } = runFixture({});
    expect(exitCode).toBe(0);
    expect(result.error).toMatch(/cannot open a window: X11: The DISPLAY environment variable is missing/);
  }, 30_000);

  it("returns the reason when the X server cannot be reached", () => {
    const missing = `:${Number(xvfb.display.slice(1)) + 731}`;
    const { result } = runFixture({ DISPLAY: missing });
    expect(result.error).toContain(`X11: Failed to open display ${missing}`);
  }, 30_000);

  it("opens a window when DISPLAY points at the server (the fixture itself works)", () => {
    const { result } = runFixture({ DISPLAY: xvfb.display });
    expect(result).toEqual({ opened: true });
  }, 30_000);

  it("names the package to install when libglfw is missing", () => {
    const { result } = runFixture({ DISPLAY: xvfb.display, VIVID_GLFW_LIB: "/nonexistent/libglfw.so.3" });
    expect(result.error).toContain("libglfw3");
    expect(result.error).toContain("./scripts/setup.sh");
  }, 30_000);
});
