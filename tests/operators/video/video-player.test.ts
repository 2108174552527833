/**
 * VideoPlayer with the real ffmpeg, on a clip the test makes: 32×32, 30 fps, 4 s, each frame one flat
 * colour that encodes its number (red = 2n mod 256, green = 255 − n, blue = 64 + n mod 128), stored
 * losslessly (PNG frames in a .mov), so the output's colour says which frame is on screen. Driven
 * as the frame loop does: `prepareFrame()` between frames (deterministic time: waits for the frame),
 * then `frame()`.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "../../../runtime/chain/context.ts";
import { PER_FRAME_KINDS } from "../../../runtime/gpu/census.ts";
import type { Engine } from "../../../runtime/engine.ts";
import { rgbaFloatToBytes } from "../../../runtime/snapshot.ts";
import { VideoPlayer } from "../../../operators/video/video-player.ts";
import { engineFor } from "../../helpers/render.ts";

const CLIP_FPS = 30;
const CLIP_FRAMES = 120;
let dir: string;
let clip: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vivid-video-"));
  clip = join(dir, "numbered.mov");
  const made = Bun.spawnSync([
    "ffmpeg", "-v", "error", "-f", "lavfi", "-i", `color=c=black:s=32x32:r=${CLIP_FPS}:d=${CLIP_FRAMES / CLIP_FPS},format=rgb24,geq=r='mod(2*N,256)':g='255-N':b='64+mod(N,128)'`,
    "-c:v", "png", "-pix_fmt", "rgb24", "-y", clip,
  ]);
  expect(made.exitCode, made.stderr.toString()).toBe(0);
  return () => rmSync(dir, { recursive: true, force: true });
});

/** The clip frame number the output shows (from its centre pixel's colour). */
async function shownFrame(engine: Engine): Promise<number> {
  const { width, height, pixels } = await engine.readOutput();
  const rgba = rgbaFloatToBytes(pixels);
  const i = ((height >> 1) * width + (width >> 1)) * 4;
  const n = 255 - rgba[i + 1]!;
  // The other two channels must agree, or this is not a frame of the clip.
  expect([rgba[i], rgba[i + 2]]).toEqual([(2 * n) % 256, 64 + (n % 128)]);
  return n;
}

async function player(fps: number, configure: (video: VideoPlayer) => void, update?: (ctx: Context) => void): Promise<Engine> {
  const engine = await engineFor(
    (ctx) => {
      const video = ctx.chain.add(VideoPlayer, "video");
      video.file = clip;
      configure(video);
      ctx.chain.output("video");
    },
    { fixedFps: fps },
  );
  if (update) engine.module = { setup: engine.module!.setup, update } as Engine["module"];
  return engine;
}

/** One frame as the loop runs it; returns the clip frame on screen. */
async function step(engine: Engine): Promise<number> {
  await engine.prepareFrame();
  engine.frame();
  return shownFrame(engine);
}

describe("VideoPlayer", () => {
  test("under --fixed-fps 60 the frame at time t = n / 60 shows clip frame floor(t × 30): 0, 0, 1, 1, 2…; at speed 2, floor(t × 60)", async () => {
    const engine = await player(60, () => {});
    const shown: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < 24; i++) {
      shown.push(await step(engine));
      times.push(engine.ctx.time);
    }
    expect(times[0]).toBe(0);
    expect(times[23]).toBeCloseTo(23 / 60, 9);
    expect(shown).toEqual(Array.from({ length: 24 }, (_, n) => Math.floor(n / 2)));
    engine.dispose();

    const fast = await player(60, (video) => (video.speed = 2));
    const fastShown: number[] = [];
    for (let i = 0; i < 12; i++) fastShown.push(await step(fast));
    expect(fastShown).toEqual(Array.from({ length: 12 }, (_, n) => n));
    fast.dispose();
  }, 120_000);

  test("loop wraps from the last frame to the first; without loop the last frame stays", async () => {
    const looping = await player(30, (video) => {
      video.loop = true;
      video.seek((CLIP_FRAMES - 3) / CLIP_FPS);
    });
    const wrapped: number[] = [];
    for (let i = 0; i < 6; i++) wrapped.push(await step(looping));
    expect(wrapped).toEqual([117, 118, 119, 0, 1, 2]);
    looping.dispose();

    const once = await player(30, (video) => video.seek((CLIP_FRAMES - 3) / CLIP_FPS));
    const held: number[] = [];
    for (let i = 0; i < 6; i++) held.push(await step(once));
    expect(held).toEqual([117, 118, 119, 119, 119, 119]);
    once.dispose();
  }, 120_000);

  test("seek(2.0) from update: the next frame shows clip frame 60, then time goes on from there; currentTime follows", async () => {
    let seekAt = -1;
    const engine = await player(30, () => {}, (ctx) => {
      if (ctx.frame === seekAt) ctx.chain.get<VideoPlayer>("video").seek(2.0);
    });
    for (let i = 0; i < 5; i++) await step(engine);
    seekAt = engine.ctx.frame;
    await step(engine); // the frame whose update seeks: the new decoder starts
    expect(await step(engine)).toBe(60);
    expect(await step(engine)).toBe(61);
    const video = engine.chain!.get<VideoPlayer>("video");
    expect(video.currentTime).toBeCloseTo(61 / 30, 6);
    expect(video.duration).toBeCloseTo(4, 3);
    engine.dispose();
  }, 120_000);

  test("a reload keeps the playhead: the frame after it continues the clip", async () => {
    const engine = await player(30, () => {});
    for (let i = 0; i < 20; i++) await step(engine);
    const before = await shownFrame(engine);
    expect(before).toBe(19); // time 19 / 30
    const setup = (ctx: Context) => {
      const video = ctx.chain.add(VideoPlayer, "video");
      video.file = clip;
      video.speed = 1; // the edit: same operator, a param written again
      ctx.chain.output("video");
    };
    const built = await engine.build({ setup });
    if (!built.ok) throw new Error(built.error.message);
    engine.swap(built.chain, { setup });
    expect(await step(engine)).toBe(before + 1);
    expect(await step(engine)).toBe(before + 2);
    engine.dispose();
  }, 120_000);

  test("1000 frames of looping playback create no GPU object after warm-up (the census is flat)", async () => {
    const engine = await player(60, (video) => (video.loop = true));
    const video = engine.chain!.get<VideoPlayer>("video");
    // Objects ever created, not counting the per-frame kinds (encoders, passes, command buffers).
    const created = () => Object.entries(engine.gpu.census.snapshot().kinds).reduce((sum, [kind, count]) => sum + (PER_FRAME_KINDS.has(kind as never) ? 0 : count.created), 0);
    for (let i = 0; i < 10; i++) await step(engine);
    const before = created();
    let last = video.currentTime;
    let wraps = 0;
    for (let i = 0; i < 1000; i++) {
      await engine.prepareFrame();
      engine.frame();
      if (video.currentTime < last) wraps++;
      last = video.currentTime;
    }
    expect(created()).toBe(before);
    // 1010 frames at 60 fps (the last at 1009 / 60 = 16.8 s) of a 4 s clip: four wraps, and clip
    // frame floor(1009 / 2) mod 120 on screen.
    expect(engine.ctx.time).toBeCloseTo(1009 / 60, 9);
    expect(wraps).toBe(4);
    expect(await shownFrame(engine)).toBe(Math.floor(1009 / 2) % CLIP_FRAMES);
    engine.dispose();
  }, 240_000);

  test("a missing file and a file that is not a video: errors naming them; a relative path is refused", async () => {
    await expect(player(30, (video) => (video.file = join(dir, "missing.mp4")))).rejects.toThrow(`VideoPlayer "video": file not found: ${join(dir, "missing.mp4")}`);
    const junk = join(dir, "junk.mp4");
    writeFileSync(junk, "not a video at all");
    await expect(player(30, (video) => (video.file = junk))).rejects.toThrow(`${junk}: not a video ffmpeg can read`);
    await expect(player(30, (video) => (video.file = "clip.mp4"))).rejects.toThrow('file "clip.mp4" is relative');
  }, 60_000);
});
