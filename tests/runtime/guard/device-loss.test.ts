/**
 * Device loss on the real device (lavapipe through Dawn): the device is destroyed under a running
 * chain, the way Dawn reports a lost device, 20 times in a row. Each time the chain is rebuilt on a new
 * device (runtime/guard/device-loss.ts), draws the right pixels again, the new census holds what the old
 * one held before the loss, and the old device kept nothing. Then the same through a live `bun vivid`
 * with the hidden test hook, its census compared in its own report lines.
 */
import { describe, expect, test } from "vitest";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { native } from "../../helpers/native.ts";
import { cleanup, events, tempProject, waitFor } from "../../helpers/live-run.ts";
import { REPO } from "../../helpers/render.ts";
import type { GpuKind } from "../../../runtime/gpu/census.ts";

const { recoverDevice, DeviceWatch } = createRequire(import.meta.url)("../../../runtime/guard/device-loss.ts") as typeof import("../../../runtime/guard/device-loss.ts");

const CHAIN = `import { SolidColor, LFO, Feedback } from "vivid";
export function setup(ctx) {
  const lfo = ctx.chain.add(LFO, "lfo");
  const fill = ctx.chain.add(SolidColor, "fill").resolution(8, 8);
  fill.color = [0.25, 0.5, 0.75, 1];
  // A feedback's trail is on the GPU: after a loss it starts over (the picture tested is the fill's).
  const trail = ctx.chain.add(Feedback, "trail");
  trail.input("fill");
  ctx.chain.output("fill");
  globalThis.deviceLossSetups = (globalThis.deviceLossSetups ?? 0) + 1;
}
export function update(ctx) { ctx.debug("frame", ctx.frame); }
`;

/** Live objects per kind that outlive a frame (the census's steady state). */
function steady(census: { snapshot(): { kinds: Record<GpuKind, { live: number }> } }): Record<string, number> {
  const kinds = census.snapshot().kinds;
  return Object.fromEntries(Object.entries(kinds).filter(([, count]) => count.live > 0).map(([kind, count]) => [kind, count.live]));
}

describe("a lost device", () => {
  test("20 losses in a row: each time a new device, the chain drawing the same pixels, the census as before, nothing left on the old device", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vivid-device-loss-"));
    const chainFile = join(dir, "chain.ts");
    writeFileSync(chainFile, CHAIN);
    let gpu = await native.gpu.Gpu.open();
    const engine = new native.engine.Engine(gpu, { projectDir: dir, chainFile, width: 8, height: 8, fixedFps: 60 });
    const errors: string[] = [];
    engine.onError = (error) => errors.push(error.message);
    try {
      expect((await engine.load()).ok).toBe(true);
      for (let i = 0; i < 5; i++) engine.frame();
      await gpu.idle();
      const pixels = Array.from((await engine.readOutput()).pixels.slice(0, 4));
      expect(pixels.map((v) => Math.round(v * 100) / 100)).toEqual([0.25, 0.5, 0.75, 1]);
      const before = steady(gpu.census);
      expect(Object.keys(before).length).toBeGreaterThan(0);

      const watch = new DeviceWatch(gpu);
      for (let loss = 1; loss <= 20; loss++) {
        const old = gpu;
        old.device.destroy();
        // Dawn says so through device.lost, which the watch turns into trouble.
        for (let i = 0; i < 100 && !watch.trouble; i++) await Bun.sleep(5);
        expect(watch.trouble?.kind, `loss ${loss}`).toBe("lost");
        const recovered = await recoverDevice(engine, () => {}, (next) => watch.watch(next));
        watch.trouble = undefined;
        gpu = recovered.gpu;
        expect(recovered.ok, `loss ${loss}`).toBe(true);
        expect(recovered.leaked, `loss ${loss}`).toBe(0);
        expect(old.census.live(), `loss ${loss}`).toBe(0);
        expect(engine.gpu).toBe(gpu);
        for (let i = 0; i < 3; i++) engine.frame();
        await gpu.idle();
        expect(Array.from((await engine.readOutput()).pixels.slice(0, 4)), `loss ${loss}`).toEqual(pixels);
        expect(steady(gpu.census), `loss ${loss}`).toEqual(before);
      }
      watch.close();
      expect((globalThis as { deviceLossSetups?: number }).deviceLossSetups).toBe(21);
      expect(errors).toEqual([]);
    } finally {
      await engine.dispose();
      expect(gpu.census.live()).toBe(0);
      gpu.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a live run with 20 forced losses keeps rendering; after each the census is back where it was; it ends cleanly", async () => {
    const { dir, stats } = tempProject("vivid-device-loss-live-", CHAIN);
    const child = Bun.spawn(["bun", "runtime/cli.ts", dir, "--headless", "--no-dashboard", "--stats", stats], {
      cwd: REPO,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, VIVID_TEST_LOSE_DEVICE: "12x20" },
    });
    cleanup.push(() => {
      child.kill("SIGKILL");
      return child.exited;
    });
    const output = { stdout: "", stderr: "" };
    void (async () => {
      for await (const chunk of child.stdout as ReadableStream<Uint8Array>) output.stdout += new TextDecoder().decode(chunk);
    })();
    void (async () => {
      for await (const chunk of child.stderr as ReadableStream<Uint8Array>) output.stderr += new TextDecoder().decode(chunk);
    })();
    const recoveries = () => [...output.stdout.matchAll(/GPU recovered \((\d+) so far\): (.*?); (\d+) GPU objects live 5 frames later \((\d+) before the loss\)(.*)/g)];
    await waitFor("20 recoveries", () => (recoveries().length >= 20 ? true : undefined), 90_000);
    const lines = recoveries();
    expect(lines.map((m) => Number(m[1]))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const [line, , outcome, after, before, rest] of lines) {
      expect(outcome, line).toBe("the chain runs again");
      expect(after, line).toBe(before);
      expect(rest, line).toBe("");
    }
    // One steady state throughout: every report the same count.
    expect(new Set(lines.map((m) => m[3])).size).toBe(1);
    // The losses were said (one error line, counted), and frames go on after the last.
    const lost = events(stats).filter((e) => e.type === "error" && String(e.message).startsWith("GPU device lost (destroyed"));
    expect(lost.length).toBeGreaterThan(0);
    const frameNow = () => (events(stats).filter((e) => e.type === "debug" && e.name === "frame").at(-1)?.value as number | undefined) ?? 0;
    const after = frameNow();
    await waitFor("frames after the last recovery", () => (frameNow() > after + 10 ? true : undefined));
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(output.stderr).not.toContain("still alive at exit");
  }, 120_000);
});

describe("a frame that never finishes on the GPU", () => {
  test("an endless loop saved into a project's .wgsl: within the timeout, an error naming the frame's operators; the run goes on and ends on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vivid-gpu-hang-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(join(REPO, "examples/custom-operator"), dir, { recursive: true });
    const stats = join(dir, "stats.jsonl");
    const child = Bun.spawn(["bun", "runtime/cli.ts", dir, "--headless", "--no-dashboard", "--size", "64x64", "--gpu-timeout", "1500", "--stats", stats], { cwd: REPO, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    cleanup.push(() => {
      child.kill("SIGKILL");
      return child.exited;
    });
    const framesEvents = () => events(stats).filter((e) => e.type === "frames");
    await waitFor("the first frames", () => (framesEvents().length >= 2 ? true : undefined));

    // A loop the shader compiler cannot drop (its count is used) and that never ends (time is never negative).
    const shader = join(dir, "rings.wgsl");
    const endless = readFileSync(shader, "utf8")
      .replace("  let p = (uv - params.center)", "  var spins = 0u;\n  loop {\n    if (params.time < -1.0) { break; }\n    spins = spins + 1u;\n  }\n  let p = (uv - params.center)")
      .replace("smoothstep(0.3, 0.7, wave));", "smoothstep(0.3, 0.7, wave)) + vec4f(f32(spins) * 1e-30);");
    // Both edits landed (the loop and its use), or the shader would fail to compile instead of hanging.
    expect(endless).toContain("loop {");
    expect(endless).toContain("spins) * 1e-30");
    writeFileSync(`${shader}.tmp-save`, endless);
    renameSync(`${shader}.tmp-save`, shader);
    const savedAt = performance.now();
    const hang = await waitFor("the hang report", () => events(stats).find((e) => e.type === "error" && String(e.message).includes("did not finish within 1500 ms")));
    expect(performance.now() - savedAt).toBeLessThan(15_000);
    expect(hang.message).toContain('Rings "rings"');
    expect(hang.message).toContain('Vignette "vignette"');

    // Not frozen: the stats stream goes on (idle frames: the chain is stopped until the next save).
    const seen = framesEvents().length;
    await waitFor("frames after the hang", () => (framesEvents().length >= seen + 2 ? true : undefined));
    child.kill("SIGTERM");
    const exited = await Promise.race([child.exited, Bun.sleep(20_000).then(() => "still running")]);
    expect(exited).toBe(0);
  }, 90_000);
});
