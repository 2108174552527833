/**
 * The Recorder's two modes side by side, in process with the real ffmpeg: frames drawn back to back
 * faster than they are read back. Live, a frame that finds every staging slot busy is dropped and
 * counted (and the views say so); deterministic, the loop waits for a slot and nothing is dropped.
 */
import { describe, expect, test } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { READBACK_SLOTS } from "../../../runtime/gpu/frame-readback.ts";
import { Recorder } from "../../../runtime/record/recorder.ts";
import { formatRecordProgress } from "../../../runtime/stats/format.ts";
import { Gradient } from "../../../operators/2d/gradient.ts";
import { engineFor } from "../../helpers/render.ts";

const FRAMES = 8;

async function record(mode: "live" | "deterministic") {
  const dir = mkdtempSync(join(tmpdir(), "vivid-rec-live-"));
  const engine = await engineFor((ctx) => {
    ctx.chain.add(Gradient, "g").resolution(48, 32);
    ctx.chain.output("g");
  });
  const failures: string[] = [];
  const path = join(dir, "out.mp4");
  const recorder = new Recorder(engine.gpu, Bun.which("ffmpeg")!, { target: { path, container: "mp4", codec: "h264" }, fps: 30, mode }, (m) => failures.push(m));
  try {
    for (let i = 0; i < FRAMES; i++) {
      // No await between live frames: the readbacks cannot keep up, as with a slow encoder.
      if (mode === "deterministic") await recorder.beforeFrame(engine.chain!.outputTexture);
      else void recorder.beforeFrame(engine.chain!.outputTexture);
      engine.frame(performance.now(), (frame, output) => recorder.capture(frame, output));
      recorder.afterSubmit();
    }
    const progress = recorder.progress();
    const result = await recorder.finish();
    return { progress, result, failures };
  } finally {
    engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("Recorder modes", () => {
  test(`live: ${FRAMES} frames drawn back to back keep the ${READBACK_SLOTS} slots busy; the rest are dropped and shown`, async () => {
    const { progress, result, failures } = await record("live");
    expect(failures).toEqual([]);
    expect(progress.dropped).toBe(FRAMES - READBACK_SLOTS);
    expect(formatRecordProgress(progress)).toContain(`· ${FRAMES - READBACK_SLOTS} dropped`);
    expect(result.ok).toBe(true);
    // The file's frames follow the wall clock (frame round(drawn · 30)): the recorded frames, drawn
    // within a few ms, fill one to READBACK_SLOTS of them, never more.
    const written = Number(/recorded (\d+) frames/.exec(result.message)?.[1]);
    expect(written).toBeGreaterThanOrEqual(1);
    expect(written).toBeLessThanOrEqual(READBACK_SLOTS);
    expect(result.message).toContain(`${FRAMES - READBACK_SLOTS} dropped`);
  }, 60_000);

  test(`deterministic: the same ${FRAMES} frames all recorded, none dropped`, async () => {
    const { progress, result } = await record("deterministic");
    expect(progress.dropped).toBe(0);
    expect(result.message).toContain(`recorded ${FRAMES} frames`);
    expect(result.message).not.toContain("dropped");
  }, 60_000);
});
