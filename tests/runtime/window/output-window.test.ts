/**
 * `ctx.outputWindow` under Xvfb with the real CLI: the main window shows the chain's output (blue),
 * a second window placed at (400, 300) shows the operator it names (red), read back from the X screen
 * with xwd. A save without the outputWindow call closes it (the screen there goes back to the root's
 * black) and the run exits with every GPU object released. `--list-monitors` lists Xvfb's screen.
 * S in the window writes a snapshot, as the dashboard's s does; Shift+R starts and stops a live
 * recording.
 */
import { describe, expect, test } from "vitest";
import { cleanup, events, tempProject, waitFor } from "../../helpers/live-run.ts";
import { REPO } from "../../helpers/render.ts";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readPng } from "../../../runtime/snapshot.ts";
import { FakeInput, KEYSYM, spawnOnDisplay, startXvfb } from "./xvfb.ts";
import type { XwdImage } from "./xwd.ts";

const chain = (withProjector: boolean) => `import { SolidColor } from "vivid";
export function setup(ctx) {
  ctx.chain.add(SolidColor, "blue").resolution(64, 64).color = [0, 0, 1, 1];
  ctx.chain.add(SolidColor, "red").resolution(64, 64).color = [1, 0, 0, 1];
  ${withProjector ? 'ctx.outputWindow("projector", { source: "red", size: [200, 150], position: [400, 300] });' : "// no output window"}
  ctx.chain.output("blue");
}
`;

/** Polls the async `check` until it is true; fails after `ms` naming `what`. */
async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** Every pixel of the rectangle, as [r, g, b]; all must be `rgb`. */
function regionIs(shot: XwdImage, x: number, y: number, w: number, h: number, rgb: [number, number, number]): boolean {
  for (let j = y; j < y + h; j += 7) for (let i = x; i < x + w; i += 7) if (String(shot.rgb(i, j)) !== String(rgb)) return false;
  return true;
}

describe("output windows", () => {
  test("a second window shows the named operator; a save without it closes it; exit releases everything", async () => {
    const xvfb = await startXvfb(800, 600);
    cleanup.push(() => xvfb.stop());
    const project = tempProject("vivid-output-window-", chain(true));
    const run = spawnOnDisplay(xvfb.display, [project.dir, "--size", "320x240", "--no-dashboard", "--stats", project.stats]);
    const { child } = run;
    await waitFor("the first frames event", () => events(project.stats).find((e) => e.type === "frames"), 60_000);

    // The projector's rectangle turns red (the main window, at the screen's corner, stays blue).
    await until("the projector window showing red, the main window blue", async () => {
      const shot = await xvfb.screenshot();
      return regionIs(shot, 410, 310, 180, 130, [255, 0, 0]) && regionIs(shot, 10, 10, 300, 220, [0, 0, 255]);
    });
    // Nothing red outside it.
    const shot = await xvfb.screenshot();
    expect(shot.rgb(395, 295)).not.toEqual([255, 0, 0]);
    expect(shot.rgb(605, 455)).not.toEqual([255, 0, 0]);

    project.save(chain(false));
    await waitFor("the reload", () => events(project.stats).find((e) => e.type === "reload" && e.ok === true), 60_000);
    await until("the projector window gone", async () => regionIs(await xvfb.screenshot(), 410, 310, 180, 130, [0, 0, 0]));

    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    await run.finished;
    expect(run.stderr()).not.toContain("still alive");
  }, 180_000);

  test("--list-monitors lists the X screen; without a display it says so and exits 1", async () => {
    const xvfb = await startXvfb(800, 600);
    cleanup.push(() => xvfb.stop());
    const listed = Bun.spawnSync(["bun", "runtime/cli.ts", "--list-monitors"], { cwd: REPO, env: { ...process.env, DISPLAY: xvfb.display } });
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout.toString()).toMatch(/^0 {2}\S.* {2}800x600 @ \d+ Hz {2}at \(0, 0\) {2}primary\n$/);
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined && name !== "DISPLAY" && name !== "WAYLAND_DISPLAY") env[name] = value;
    const none = Bun.spawnSync(["bun", "runtime/cli.ts", "--list-monitors"], { cwd: REPO, env });
    expect(none.exitCode).toBe(1);
    expect(none.stderr.toString()).toContain("no display");
  }, 60_000);

  test("S in the window writes snapshot_1.png in the project: the chain's output", async () => {
    const xvfb = await startXvfb(320, 240);
    cleanup.push(() => xvfb.stop());
    const project = tempProject("vivid-window-s-", chain(false));
    // Fullscreen on a 320×240 screen: the pointer is over the window wherever it is, so X gives it the keys.
    const { child } = spawnOnDisplay(xvfb.display, [project.dir, "--fullscreen", "--no-dashboard", "--stats", project.stats]);
    await waitFor("the first frames event", () => events(project.stats).find((e) => e.type === "frames"), 60_000);
    const fake = new FakeInput(xvfb.display);
    cleanup.push(() => fake.close());
    fake.moveTo(160, 120);
    fake.key(0x73, true); // XK_s
    fake.key(0x73, false);
    const snapshot = join(project.dir, "snapshot_1.png");
    // Read once it is whole (a file still being written does not decode).
    const png = await waitFor(
      "snapshot_1.png",
      () => {
        try {
          return existsSync(snapshot) ? readPng(readFileSync(snapshot)) : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
    );
    expect([png.width, png.height]).toEqual([64, 64]);
    expect([...png.data.subarray(0, 4)]).toEqual([0, 0, 255, 255]);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 120_000);

  test("Shift+R in the window records live to recording_1.mp4 until Shift+R again; the run goes on", async () => {
    const xvfb = await startXvfb(320, 240);
    cleanup.push(() => xvfb.stop());
    const project = tempProject("vivid-window-record-", chain(false));
    const run = spawnOnDisplay(xvfb.display, [project.dir, "--fullscreen", "--no-dashboard", "--stats", project.stats]);
    const { child } = run;
    // What the run said, in the message of whichever wait fails.
    const said = (what: string) => () => `${what} (stdout: ${JSON.stringify(run.stdout().slice(-1500))}; stderr: ${JSON.stringify(run.stderr().slice(-1500))})`;
    await waitFor("the first frames event", () => events(project.stats).find((e) => e.type === "frames"), 60_000);
    const fake = new FakeInput(xvfb.display);
    cleanup.push(() => fake.close());
    fake.moveTo(160, 120);
    const shiftR = () => fake.chord(KEYSYM.shiftL, KEYSYM.r);
    shiftR();
    const file = join(project.dir, "recording_1.mp4");
    await waitFor(said("the recording's file"), () => (existsSync(file) ? true : undefined), 60_000);
    await Bun.sleep(1500);
    shiftR();
    const line = await waitFor(said("the recording's line"), () => /recorded (\d+) frames \([\d.]+ s at 60 fps, 64x64, h264\) to (\S+)/.exec(run.stdout()) ?? undefined, 60_000);
    expect(Number(line[1])).toBeGreaterThan(0);
    expect(line[2]).toContain("recording_1.mp4");
    const probed = Bun.spawnSync(["ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,width,height,r_frame_rate,nb_read_frames", "-of", "default=nw=1", file]);
    expect(probed.exitCode).toBe(0);
    const info = Object.fromEntries(probed.stdout.toString().trim().split("\n").map((line) => line.split("=")));
    expect(info).toMatchObject({ codec_name: "h264", width: "64", height: "64", r_frame_rate: "60/1" });
    // Constant 60 fps over the time it ran (about 1.5 s, wall clock): frames were repeated where the show was slower.
    expect(Number(info.nb_read_frames)).toBeGreaterThanOrEqual(30);
    // No reload came from the R of Shift+R.
    expect(events(project.stats).filter((e) => e.type === "reload")).toEqual([]);
    // And the show went on after it.
    const frames = events(project.stats).filter((e) => e.type === "frames").length;
    await waitFor("frames after the recording", () => (events(project.stats).filter((e) => e.type === "frames").length > frames ? true : undefined), 60_000);
    child.kill("SIGTERM");
    const code = await child.exited;
    await run.finished;
    expect(code, run.stderr()).toBe(0);
  }, 150_000);
});
