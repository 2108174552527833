/**
 * `--record` end to end, with the real ffmpeg and ffprobe: `bun runtime/cli.ts` records a small
 * chain (a dot that crosses the frame, so every frame differs from the next), ffprobe reads what was
 * written, ffmpeg decodes frames back, and they are compared with `--snapshot-frame` runs of the same
 * chain. Then the ways it can go wrong: no ffmpeg, a full disk, ffmpeg killed mid-recording.
 */
import { describe, expect, test } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readPng } from "../../../runtime/snapshot.ts";
import { cleanup, events, waitFor } from "../../helpers/live-run.ts";
import { REPO } from "../../helpers/render.ts";

const WIDTH = 128;
const HEIGHT = 72;
// A dot that moves 0.05 of the width (6.4 px) a frame, wrapping round: frame n and n+1 clearly differ.
const CHAIN = `import { Gradient, Shape, Composite } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Gradient, "sky").resolution(${WIDTH}, ${HEIGHT});
  const dot = ctx.chain.add(Shape, "dot").resolution(${WIDTH}, ${HEIGHT});
  dot.size = [0.3, 0.5];
  dot.color = [1, 0.6, 0.2, 1];
  ctx.chain.add(Composite, "out").input("sky", 0).input("dot", 1);
  ctx.chain.output("out");
}
export function update(ctx) {
  ctx.chain.get("dot").position = [(ctx.frame * 0.05) % 1, 0.5];
}
`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "vivid-record-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "chain.ts"), CHAIN);
  return dir;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `bun runtime/cli.ts <args>` to its end. */
async function vivid(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = Bun.spawn(["/usr/bin/bun", join(REPO, "runtime/cli.ts"), ...args], { cwd: REPO, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  cleanup.push(() => child.kill("SIGKILL"));
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

function ffprobe(path: string): Record<string, string> {
  const out = Bun.spawnSync(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,r_frame_rate,nb_read_frames,pix_fmt,color_space", "-of", "default=nw=1", path]);
  expect(out.exitCode, out.stderr.toString()).toBe(0);
  return Object.fromEntries(out.stdout.toString().trim().split("\n").map((line) => line.split("=") as [string, string]));
}

/** Frame `index` (0-based) of a video as RGBA bytes, decoded by ffmpeg with the BT.709 matrix the file is tagged with. */
function decodeFrame(path: string, index: number): Uint8Array {
  const out = Bun.spawnSync(["ffmpeg", "-v", "error", "-i", path, "-vf", `select=eq(n\\,${index}),scale=in_color_matrix=bt709:in_range=tv`, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgba", "pipe:1"]);
  expect(out.exitCode, out.stderr.toString()).toBe(0);
  return new Uint8Array(out.stdout);
}

/** Mean absolute difference over the colour channels (alpha left out), in 8-bit steps. */
function meanColourDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) if (i % 4 !== 3) sum += Math.abs(a[i]! - b[i]!);
  return sum / ((a.length / 4) * 3);
}

async function snapshot(dir: string, frame: number): Promise<Uint8Array> {
  const path = join(dir, `snap${frame}.png`);
  const run = await vivid([dir, "--headless", "--fixed-fps", "30", "--snapshot", path, "--snapshot-frame", String(frame)]);
  expect(run.code, run.stderr).toBe(0);
  const png = readPng(readFileSync(path));
  expect([png.width, png.height]).toEqual([WIDTH, HEIGHT]);
  return png.data;
}

describe("--record", () => {
  test("--fixed-fps 30 --record out.mp4 --record-duration 2: 60 H.264 frames at 30 fps and the chain's size; frame 45 is --snapshot-frame 45", async () => {
    const dir = project();
    const out = join(dir, "out.mp4");
    const [run, snap45, snap44] = await Promise.all([
      vivid([dir, "--headless", "--fixed-fps", "30", "--record", out, "--record-duration", "2"]),
      snapshot(dir, 45),
      snapshot(dir, 44),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("recorded 60 frames (2.00 s at 30 fps, 128x72, h264)");
    // The progress bar (plain lines: stderr is a pipe here) reached the end.
    expect(run.stderr).toMatch(/record \[█+\] 60\/60 frames/);
    expect(run.stderr).not.toContain("still alive");
    expect(ffprobe(out)).toEqual({ codec_name: "h264", width: "128", height: "72", pix_fmt: "yuv420p", color_space: "bt709", r_frame_rate: "30/1", nb_read_frames: "60" });

    const frame45 = decodeFrame(out, 44); // the 45th frame
    // Tolerance: H.264 at crf 18 in 4:2:0 keeps the mean error of this image under 2 steps of 255
    // (chroma is halved at the dot's edge); the neighbouring frame is several times further away.
    const error = meanColourDiff(frame45, snap45);
    expect(error).toBeLessThan(2);
    const neighbour = meanColourDiff(frame45, snap44);
    console.log(`frame 45 of the mp4 against --snapshot-frame 45: mean error ${error.toFixed(2)}; against frame 44: ${neighbour.toFixed(2)}`);
    expect(neighbour).toBeGreaterThan(error * 3);
  }, 240_000);

  test("dir/%05d.png: 60 PNGs numbered from 1, each the bytes --snapshot-frame n writes (checked at 1, 45 and 60)", async () => {
    const dir = project();
    const frames = join(dir, "frames");
    Bun.spawnSync(["mkdir", frames]);
    const [run, ...snaps] = await Promise.all([
      vivid([dir, "--headless", "--fixed-fps", "30", "--record", join(frames, "%05d.png"), "--record-duration", "2"]),
      snapshot(dir, 1),
      snapshot(dir, 45),
      snapshot(dir, 60),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const files = readdirSync(frames).sort();
    expect(files).toHaveLength(60);
    expect(files[0]).toBe("00001.png");
    expect(files.at(-1)).toBe("00060.png");
    for (const [i, n] of [1, 45, 60].entries()) {
      const png = readPng(readFileSync(join(frames, `${String(n).padStart(5, "0")}.png`)));
      expect([png.width, png.height]).toEqual([WIDTH, HEIGHT]);
      expect(Buffer.from(png.data).equals(Buffer.from(snaps[i]!)), `frame ${n}`).toBe(true);
    }
    // And they are not all one image: the dot moved.
    expect(Buffer.from(snaps[0]!).equals(Buffer.from(snaps[1]!))).toBe(false);
  }, 240_000);

  test("every codec: h265 (.mov, .mp4), prores (.mov), vp9 (.webm) give files ffprobe reads with every frame", async () => {
    const dir = project();
    const cases: Array<[string, string, string]> = [
      ["a.mov", "h265", "hevc"],
      ["b.mp4", "h265", "hevc"],
      ["c.mov", "prores", "prores"],
      ["d.webm", "vp9", "vp9"],
    ];
    const runs = await Promise.all(cases.map(([file, codec]) => vivid([dir, "--headless", "--record", join(dir, file), "--record-codec", codec, "--record-fps", "20", "--record-duration", "1"])));
    for (const [i, [file, , probed]] of cases.entries()) {
      expect(runs[i]!.code, runs[i]!.stderr).toBe(0);
      expect(ffprobe(join(dir, file)), file).toMatchObject({ codec_name: probed, width: "128", height: "72", r_frame_rate: "20/1", nb_read_frames: "20" });
    }
  }, 240_000);

  test("no ffmpeg on the PATH: exit 1 before rendering, naming the package", async () => {
    const dir = project();
    const run = await vivid([dir, "--headless", "--record", join(dir, "out.mp4"), "--record-duration", "1"], { PATH: "/nonexistent" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--record needs ffmpeg");
    expect(run.stderr).toContain("apt-get install ffmpeg");
    expect(readdirSync(dir)).toEqual(["chain.ts"]);
  }, 60_000);

  test("a full disk (the file is /dev/full): the recording stops with ffmpeg's reason, the frames go on, exit 1", async () => {
    const dir = project();
    const out = join(dir, "full.mp4");
    symlinkSync("/dev/full", out);
    const run = await vivid([dir, "--headless", "--fixed-fps", "30", "--record", out, "--record-duration", "1", "--frames", "40"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`recording ${out} stopped after \\d+ frames: .*No space left on device`));
    // The show went on to its last frame.
    expect(run.stdout).toContain("rendered 40 frames");
    expect(run.stderr).not.toContain("still alive");
  }, 120_000);

  test("ffmpeg killed mid-recording: one error naming the signal, and the chain keeps rendering", async () => {
    const dir = project();
    const stats = join(dir, "stats.jsonl");
    const child = Bun.spawn(["/usr/bin/bun", join(REPO, "runtime/cli.ts"), dir, "--headless", "--no-dashboard", "--record", join(dir, "out.mp4"), "--stats", stats], {
      cwd: REPO,
      stdout: "pipe",
      stderr: "pipe",
    });
    cleanup.push(() => child.kill("SIGKILL"));
    const stdout = new Response(child.stdout).text();
    const stderr = new Response(child.stderr).text();
    const ffmpegPid = await waitFor(
      "ffmpeg writing",
      () => {
        // The encoder, not the short-lived `ffmpeg -encoders` check: the one reading pipe:0.
        const found = Bun.spawnSync(["pgrep", "-P", String(child.pid), "-f", "ffmpeg.*pipe:0"]).stdout.toString().trim();
        return found ? Number(found) : undefined;
      },
      60_000,
    );
    // Let a few frames reach ffmpeg, then kill it.
    await waitFor("a frames event", () => events(stats).find((e) => e.type === "frames"), 60_000);
    process.kill(ffmpegPid, "SIGKILL");
    const error = await waitFor("the recording's error", () => events(stats).find((e) => e.type === "error"), 60_000);
    expect(error.message).toMatch(new RegExp(`recording ${join(dir, "out.mp4")} stopped after \\d+ frames: ffmpeg was killed \\(SIGKILL\\)`));
    await waitFor("frames after it", () => events(stats).find((e) => e.type === "frames" && (e.t as number) > (error.t as number) && (e.fps as number) > 0), 60_000);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(1);
    // Said once (the plain reporter's error lines), not again at exit.
    const text = (await stdout) + (await stderr);
    expect(text.match(/stopped after/g)).toHaveLength(1);
    expect(text).not.toContain("still alive");
  }, 180_000);

  test("the device lost mid-recording (the hidden test hook): a playable file with the frames before the loss, one line saying why, exit 1", async () => {
    const dir = project();
    const out = join(dir, "lost.mp4");
    const run = await vivid([dir, "--headless", "--fixed-fps", "30", "--record", out, "--record-duration", "3"], { VIVID_TEST_LOSE_DEVICE: "30x1" });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr.match(/the GPU device was lost: the recording ends here/g)).toHaveLength(1);
    expect(run.stdout).toMatch(/GPU recovered \(1 so far\): the chain runs again/);
    // Frames up to the loss (the 30th frame's boundary; a few in flight are dropped), closed properly:
    // ffprobe reads every one, so the file is not cut off mid-write.
    const frames = Number(ffprobe(out).nb_read_frames);
    expect(frames).toBeGreaterThanOrEqual(20);
    expect(frames).toBeLessThanOrEqual(30);
    expect(run.stdout).toContain(`recorded ${frames} frames`);
  }, 180_000);
});
