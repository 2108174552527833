/**
 * The --record flags as the command line reads them: the container and codec from the path, the fps
 * that is also the fixed fps, and every bad combination refused with exit 2 naming its flag before
 * any work starts (the real CLI, for the exit code and that nothing ran).
 */
import { describe, expect, test } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCommand, UsageError, type RunOptions } from "../../../runtime/cli.ts";
import { ffmpegArgs, recordTarget } from "../../../runtime/record/formats.ts";
import { readOnlyFolder } from "../../helpers/read-only.ts";
import { REPO } from "../../helpers/render.ts";

const PROJECT = join(REPO, "examples/02-hello-noise");

function run(...args: string[]): RunOptions {
  const command = parseCommand([PROJECT, ...args]);
  if (command.kind !== "run") throw new Error(command.kind);
  return command.options;
}

function usage(...args: string[]): string {
  try {
    parseCommand([PROJECT, ...args]);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`no usage error for ${args.join(" ")}`);
}

describe("--record flags", () => {
  test("the container gives the codec; --record-fps (default 60, else --fixed-fps) is also the fixed fps", () => {
    const scratch = mkdtempSync(join(tmpdir(), "vivid-recflags-"));
    try {
      const mp4 = run("--record", join(scratch, "a.mp4"));
      expect(mp4.record).toEqual({ target: { path: join(scratch, "a.mp4"), container: "mp4", codec: "h264" }, fps: 60, durationS: undefined });
      expect(mp4.fixedFps).toBe(60);
      const webm = run("--record", join(scratch, "a.webm"), "--record-fps", "24", "--record-duration", "1.5");
      expect(webm.record).toMatchObject({ target: { container: "webm", codec: "vp9" }, fps: 24, durationS: 1.5 });
      expect(webm.fixedFps).toBe(24);
      expect(run("--record", join(scratch, "a.mov"), "--record-codec", "prores").record?.target.codec).toBe("prores");
      expect(run("--record", join(scratch, "%05d.png")).record?.target).toMatchObject({ container: "png-sequence", codec: "png" });
      const fixed = run("--fixed-fps", "30", "--record", join(scratch, "a.mp4"));
      expect([fixed.record?.fps, fixed.fixedFps]).toEqual([30, 30]);
      expect(run("--fixed-fps", "25").record).toBeUndefined();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test("bad combinations are usage errors naming the flag", () => {
    const scratch = mkdtempSync(join(tmpdir(), "vivid-recflags-"));
    try {
      expect(usage("--record", join(scratch, "a.avi"))).toContain("--record expects out.mp4, out.mov, out.webm or dir/%05d.png");
      expect(usage("--record", join(scratch, "a.png"))).toContain("--record a PNG sequence needs a frame number");
      expect(usage("--record", join(scratch, "a.webm"), "--record-codec", "h264")).toBe("--record-codec h264 does not go into .webm (.webm takes vp9)");
      expect(usage("--record", join(scratch, "a.mp4"), "--record-codec", "prores")).toBe("--record-codec prores does not go into .mp4 (.mp4 takes h264 or h265)");
      expect(usage("--record", join(scratch, "a.mp4"), "--record-codec", "av1")).toContain("--record-codec expects one of h264, h265, prores, vp9, png");
      expect(usage("--record-duration", "3")).toBe("--record-duration needs --record <out>");
      expect(usage("--record", join(scratch, "a.mp4"), "--record-fps", "0")).toContain("--record-fps expects a number > 0");
      expect(usage("--record", join(scratch, "a.mp4"), "--record-duration", "x")).toContain("--record-duration expects a number > 0");
      expect(usage("--fixed-fps", "30", "--record", join(scratch, "a.mp4"), "--record-fps", "60")).toContain("--record-fps 60 and --fixed-fps 30 disagree");
      expect(usage("--record", join(scratch, "missing", "a.mp4"))).toContain(`--record ${join(scratch, "missing", "a.mp4")}: folder ${join(scratch, "missing")} does not exist`);
      expect(usage("--record", join(scratch, "missing", "%05d.png"))).toContain("does not exist");
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test("an unwritable --record path exits 2 before a GPU is opened", () => {
    const readOnly = readOnlyFolder();
    try {
      const out = join(readOnly.dir, "out.mp4");
      const result = Bun.spawnSync(["/usr/bin/bun", join(REPO, "runtime/cli.ts"), PROJECT, "--headless", "--record", out, "--record-duration", "1"], { cwd: REPO });
      expect(result.exitCode).toBe(2);
      expect(result.stderr.toString()).toContain(`--record ${out}: cannot write to folder ${readOnly.dir}`);
      expect(result.stdout.toString()).toBe("");
    } finally {
      readOnly.remove();
    }
  });

  test("ffmpeg's arguments: raw RGBA in at the size and rate, the encoder and its pixel format out", () => {
    const h264 = ffmpegArgs({ path: "/o/a.mp4", container: "mp4", codec: "h264" }, 1920, 1080, 30).join(" ");
    expect(h264).toContain("-f rawvideo -pix_fmt rgba -s 1920x1080 -framerate 30 -i pipe:0");
    expect(h264).toContain("-c:v libx264");
    expect(h264).toContain("format=yuv420p");
    expect(h264).not.toContain("pad=");
    expect(h264.endsWith("-y /o/a.mp4")).toBe(true);
    // 4:2:0 needs even sides.
    expect(ffmpegArgs({ path: "/o/a.mp4", container: "mp4", codec: "h264" }, 101, 50, 30).join(" ")).toContain("pad=ceil(iw/2)*2:ceil(ih/2)*2");
    expect(ffmpegArgs({ path: "/o/%05d.png", container: "png-sequence", codec: "png" }, 64, 64, 60).join(" ")).toContain("-c:v png -pix_fmt rgba -start_number 1");
    const target = recordTarget("/o/a.mov", "h265");
    expect("error" in target ? target.error : ffmpegArgs(target, 64, 64, 60).join(" ")).toContain("-c:v libx265");
  });
});
