/**
 * Webcam through the real ffmpeg. CI has no camera, so what runs there is the same pipe fed from
 * ffmpeg's lavfi (`device = "lavfi:…"`, generated in real time like a camera); the no-camera path
 * runs for real on this machine (no /dev/video*). `bun vivid devices` and the sysfs listing are
 * checked against a folder laid out like /sys/class/video4linux.
 */
import { describe, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "../../../runtime/chain/context.ts";
import { PER_FRAME_KINDS } from "../../../runtime/gpu/census.ts";
import { cameraLines } from "../../../runtime/devices.ts";
import { Engine } from "../../../runtime/engine.ts";
import { rgbaFloatToBytes } from "../../../runtime/snapshot.ts";
import { listCameras, Webcam } from "../../../operators/video/webcam.ts";
import { REPO, sharedGpu } from "../../helpers/render.ts";

/** A chain of one Webcam at 32×24; `warnings` collects what the engine reports, from the build's first cook on. */
async function camera(device: string, warnings: string[] = []): Promise<Engine> {
  const engine = new Engine(await sharedGpu(), { projectDir: REPO, chainFile: join(REPO, "inline.ts"), width: 64, height: 64 });
  engine.onError = (error) => warnings.push(error.message);
  const module = {
    setup: (ctx: Context) => {
      ctx.chain.add(Webcam, "cam").resolution(32, 24).device = device;
      ctx.chain.output("cam");
    },
  };
  const built = await engine.build(module);
  if (!built.ok) throw new Error(built.error.message);
  engine.swap(built.chain, module);
  return engine;
}

async function output(engine: Engine) {
  const { width, height, pixels } = await engine.readOutput();
  return { width, height, rgba: rgbaFloatToBytes(pixels) };
}

/** Frames until `done` says yes, or fails after `ms`. */
async function framesUntil(engine: Engine, done: () => Promise<boolean>, ms = 30_000): Promise<number> {
  const end = Date.now() + ms;
  for (let frames = 1; ; frames++) {
    engine.frame();
    if (await done()) return frames;
    if (Date.now() > end) throw new Error("timed out");
    await Bun.sleep(20);
  }
}

describe("Webcam", () => {
  test("a lavfi source (the CI camera): its colour at the resolution asked for, and the picture follows the source", async () => {
    // 64×48 navy-ish at the source, scaled to 32×24.
    const engine = await camera("lavfi:color=c=0x3366CC:size=64x48:rate=30");
    const centre = async () => {
      const image = await output(engine);
      expect([image.width, image.height]).toEqual([32, 24]);
      const i = (12 * 32 + 16) * 4;
      return [image.rgba[i]!, image.rgba[i + 1]!, image.rgba[i + 2]!];
    };
    await framesUntil(engine, async () => (await centre())[2]! > 100);
    const [r, g, b] = await centre();
    // Through ffmpeg's YUV and back: within 3 of 0x33, 0x66, 0xCC.
    expect(Math.abs(r! - 0x33)).toBeLessThanOrEqual(3);
    expect(Math.abs(g! - 0x66)).toBeLessThanOrEqual(3);
    expect(Math.abs(b! - 0xcc)).toBeLessThanOrEqual(3);

    // Another source (a reload or an edit in update): the new picture arrives.
    engine.chain!.get<Webcam>("cam").device = "lavfi:color=c=0xCC3300:size=64x48:rate=30";
    await framesUntil(engine, async () => (await centre())[0]! > 150);
    const [r2, , b2] = await centre();
    expect(Math.abs(r2! - 0xcc)).toBeLessThanOrEqual(3);
    expect(b2).toBeLessThanOrEqual(3);
    engine.dispose();
  }, 90_000);

  test("no camera on this machine: one warning that says so, a black frame, and the chain goes on", async () => {
    const warnings: string[] = [];
    const engine = await camera("", warnings);
    for (let i = 0; i < 20; i++) engine.frame();
    expect(warnings).toEqual(['Webcam "cam": no camera found (no /dev/video* device); showing black. Set cam.device = "lavfi:testsrc2" for a test picture']);
    const image = await output(engine);
    for (let i = 0; i < image.rgba.length; i += 4) expect([image.rgba[i], image.rgba[i + 1], image.rgba[i + 2]]).toEqual([0, 0, 0]);
    engine.dispose();

    const named: string[] = [];
    const missing = await camera("/dev/video9", named);
    for (let i = 0; i < 5; i++) missing.frame();
    expect(named).toEqual(['Webcam "cam": camera /dev/video9 not found; showing black (bun vivid devices lists the cameras)']);
    missing.dispose();
  }, 60_000);

  test("300 frames of capture create no GPU object after warm-up", async () => {
    const engine = await camera("lavfi:testsrc2=size=64x48:rate=30");
    const created = () => Object.entries(engine.gpu.census.snapshot().kinds).reduce((sum, [kind, count]) => sum + (PER_FRAME_KINDS.has(kind as never) ? 0 : count.created), 0);
    await framesUntil(engine, async () => (await output(engine)).rgba.some((v, i) => i % 4 !== 3 && v > 0));
    const before = created();
    for (let i = 0; i < 300; i++) {
      engine.frame();
      if (i % 30 === 0) await Bun.sleep(10); // let frames arrive from the pipe
    }
    expect(created()).toBe(before);
    engine.dispose();
  }, 90_000);

  test("bun vivid devices: the cameras in number order with their names, or a line saying there are none", () => {
    const sysfs = mkdtempSync(join(tmpdir(), "vivid-v4l-"));
    try {
      for (const [node, name] of [["video10", "USB Capture"], ["video2", "Integrated Camera"]] as const) {
        mkdirSync(join(sysfs, node));
        writeFileSync(join(sysfs, node, "name"), `${name}\n`);
      }
      mkdirSync(join(sysfs, "v4l-subdev0"));
      expect(listCameras(sysfs)).toEqual([
        { path: "/dev/video2", name: "Integrated Camera" },
        { path: "/dev/video10", name: "USB Capture" },
      ]);
      expect(cameraLines(sysfs)).toEqual(['Cameras (Webcam device; "" = the first):', "  /dev/video2    Integrated Camera", "  /dev/video10   USB Capture"]);
    } finally {
      rmSync(sysfs, { recursive: true, force: true });
    }
    expect(cameraLines(join(tmpdir(), "no-such-sysfs"))[1]).toContain("none found");
    const run = Bun.spawnSync(["/usr/bin/bun", "runtime/cli.ts", "devices"], { cwd: REPO });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.toString()).toContain("Cameras (Webcam device");
  });
});
