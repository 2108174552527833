// The inspector page in a real browser: Debian's Chromium, headless, driven by playwright-core
// (no browser download; scripts/setup.sh installs chromium). Against a live run of a still chain:
// one node per operator with a live thumbnail, a slider dragged with the mouse changes the output
// to what the same value written in code renders, commit rewrites that one line and reloads with 0
// new GPU objects, solo puts the chosen operator on the screen, a syntax error shows with its line,
// and with no page connected the census is what it was before the page opened. Chromium inherits
// the test's niceness (run the tests under nice -n 19).
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import type { ServerMessage } from "../../../runtime/inspector/protocol.ts";
import { readPng } from "../../../runtime/snapshot.ts";
import { changedShare, maxDifference, pngPixels, REPO, staticChain, startInspected, STATIC_LINES } from "../../helpers/inspector-run.ts";
import { cleanup, tempProject } from "../../helpers/live-run.ts";

const CHROMIUM = "/usr/bin/chromium";
type Of<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** Each thumbnail canvas's pixels, by node name. */
function thumbnails(page: Page): Promise<Record<string, number[]>> {
  return page.evaluate(() => {
    const out: Record<string, number[]> = {};
    for (const node of document.querySelectorAll<HTMLElement>("[data-node]")) {
      const canvas = node.querySelector("canvas");
      if (canvas) out[node.dataset.node!] = Array.from(canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data);
    }
    return out;
  });
}

/** Waits until every thumbnail canvas has been drawn `more` more times than now. */
async function nextThumbnails(page: Page, more = 2): Promise<void> {
  const counts = await page.$$eval("canvas.thumb", (canvases) => canvases.map((c) => Number((c as HTMLCanvasElement).dataset.frames ?? 0)));
  const least = Math.min(...counts);
  await page.waitForFunction((target) => [...document.querySelectorAll<HTMLCanvasElement>("canvas.thumb")].every((c) => Number(c.dataset.frames ?? 0) >= target), least + more, { timeout: 120_000 });
}

describe("inspector page in Chromium", () => {
  it("shows the graph live, writes a dragged slider back to its line, solos, shows errors, and costs nothing once closed", async () => {
    const project = tempProject("vivid-inspect-page-", staticChain());
    const run = await startInspected(project.dir);
    const client = await run.connect();
    const broadcasts: ServerMessage[] = [];
    client.onBroadcast = (message) => broadcasts.push(message);
    const census = async () => ((await client.request({ type: "request_stats" }, ["census"])).find((m) => m.type === "census") as Of<"census">).live;
    const snapshot = async (operator?: string) => pngPixels(((await client.request({ type: "snapshot", ...(operator ? { operator } : {}) }, ["snapshot"])).find((m) => m.type === "snapshot") as Of<"snapshot">).png);
    const liveSegments = async () => ((await client.request({ type: "request_operators" }, ["param_values"])).find((m) => m.type === "param_values") as Of<"param_values">).params.find((p) => p.operator === "mirror" && p.name === "segments")!.value;

    const censusWithoutPage = await census();
    const before = await snapshot();

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    cleanup.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    await page.goto(run.url);

    // One node per operator, and the screen.
    await page.waitForFunction(() => document.querySelectorAll("[data-node]").length === 5, undefined, { timeout: 60_000 });
    expect((await page.$$eval("[data-node]", (nodes) => nodes.map((n) => (n as HTMLElement).dataset.node))).sort()).toEqual(["hsv", "lfo", "mirror", "noise", "screen"]);
    // Layered left to right: noise, then mirror, then hsv, then the screen.
    const x = async (name: string) => (await page.locator(`[data-node="${name}"]`).boundingBox())!.x;
    expect(await x("noise")).toBeLessThan(await x("mirror"));
    expect(await x("mirror")).toBeLessThan(await x("hsv"));
    expect(await x("hsv")).toBeLessThan(await x("screen"));
    // The value operator shows its value.
    await page.waitForFunction(() => /^-?\d/.test(document.querySelector('[data-node="lfo"] .value')?.textContent ?? ""), undefined, { timeout: 60_000 });

    // Thumbnails: every texture node's shows its operator, the screen's shows the output.
    await nextThumbnails(page, 1);
    const noiseShot = await snapshot("noise");
    let thumbs = await thumbnails(page);
    expect(maxDifference(Uint8Array.from(thumbs.noise!), noiseShot.data)).toBeLessThanOrEqual(1);
    expect(maxDifference(Uint8Array.from(thumbs.hsv!), before.data)).toBeLessThanOrEqual(1);
    // (≤ 1 level: the two cells sit at different places in the atlas, so their samples' positions differ by rounding.)
    expect(maxDifference(Uint8Array.from(thumbs.screen!), Uint8Array.from(thumbs.hsv!))).toBeLessThanOrEqual(1);
    expect(changedShare(Uint8Array.from(thumbs.mirror!), Uint8Array.from(thumbs.noise!))).toBeGreaterThan(0.2);
    // While the page watches, the inspector holds its atlas, ring and passes (counted).
    const censusWithPage = await census();
    expect(censusWithPage.texture).toBe((censusWithoutPage.texture ?? 0) + 1);
    expect(censusWithPage.buffer).toBeGreaterThanOrEqual((censusWithoutPage.buffer ?? 0) + 3);

    // Click mirror: a slider with the declared range, at the chain's value; drag it with the mouse.
    await page.click('[data-node="mirror"]');
    const slider = page.locator('[data-param="segments"] input[type=range]');
    expect([await slider.getAttribute("min"), await slider.getAttribute("max"), await slider.inputValue()]).toEqual(["2", "32", "8"]);
    expect(await page.locator('[data-param="mode"] select').inputValue()).toBe("kaleidoscope");
    const box = (await slider.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + ((8 - 2) / 30) * box.width, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.25, y, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.1, y, { steps: 4 });
    await page.mouse.up();
    const dragged = Number(await slider.inputValue());
    expect(dragged).not.toBe(8);
    expect(dragged).toBeGreaterThanOrEqual(2);
    const deadline = Date.now() + 60_000;
    while ((await liveSegments()) !== dragged) {
      if (Date.now() > deadline) throw new Error(`segments never became ${dragged}`);
      await Bun.sleep(100);
    }
    const after = await snapshot();
    expect(changedShare(before.data, after.data)).toBeGreaterThan(0.2);

    // The pending edit is listed with the line commit rewrites; commit writes exactly that line.
    // (the list is sent at most 10 times a second: it may first show a value the drag passed through)
    const pending = page.locator('[data-pending="mirror.segments"]', { hasText: `8 → ${dragged}` });
    await pending.waitFor({ timeout: 30_000 });
    expect(await pending.textContent()).toContain(`line ${STATIC_LINES.segments}`);
    const ledgerBefore = await page.locator("#ledger li").count();
    await page.click("#commit");
    await page.locator('#commit-result[data-ok="true"]').waitFor({ timeout: 60_000 });
    const written = readFileSync(project.file, "utf8").split("\n");
    const original = staticChain().split("\n");
    expect(written.length).toBe(original.length);
    expect(written.flatMap((line, i) => (line === original[i] ? [] : [[i + 1, line]]))).toEqual([[STATIC_LINES.segments, `  mirror.segments = ${dragged};`]]);
    // The save's reload: ok, 0 GPU objects created (the page shows the ledger entry).
    await page.waitForFunction((n) => document.querySelectorAll("#ledger li").length > n, ledgerBefore, { timeout: 120_000 });
    const entry = page.locator("#ledger li").first();
    expect(await entry.getAttribute("data-ok")).toBe("true");
    expect(JSON.parse((await entry.getAttribute("data-created"))!)).toEqual({ shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 });
    expect(await liveSegments()).toBe(dragged);
    expect(await page.locator("#pending li").count()).toBe(0);

    // What the slider showed is what the value written in code renders, in a separate batch run.
    const reference = tempProject("vivid-inspect-reference-", staticChain(dragged));
    const out = join(mkdtempSync(join(tmpdir(), "vivid-inspect-png-")), "reference.png");
    cleanup.push(() => rmSync(join(out, ".."), { recursive: true, force: true }));
    const batch = Bun.spawnSync(["nice", "-n", "19", "bun", "runtime/cli.ts", reference.dir, "--headless", "--frames", "3", "--snapshot", out, "--snapshot-frame", "3", "--size", "160x90"], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
    expect(batch.exitCode, batch.stderr.toString()).toBe(0);
    expect(maxDifference(readPng(readFileSync(out)).data, after.data)).toBe(0);

    // Solo: choose noise, press Solo; the screen (its thumbnail, and a snapshot) shows noise.
    await page.click('[data-node="noise"]');
    await page.click("#solo-button");
    await page.locator("#solo-banner", { hasText: "SOLO: noise" }).waitFor({ timeout: 30_000 });
    await nextThumbnails(page);
    thumbs = await thumbnails(page);
    expect(maxDifference(Uint8Array.from(thumbs.screen!), Uint8Array.from(thumbs.noise!))).toBeLessThanOrEqual(1);
    expect(changedShare(Uint8Array.from(thumbs.screen!), Uint8Array.from(thumbs.hsv!))).toBeGreaterThan(0.2);
    expect(maxDifference((await snapshot()).data, (await snapshot("noise")).data)).toBe(0);
    await page.click("#solo-button");
    await page.locator("#solo-banner").waitFor({ state: "hidden", timeout: 30_000 });

    // A syntax error shows with its file, line and source line; the graph keeps running.
    project.save(readFileSync(project.file, "utf8").replace("  noise.scale = 3;", "  noise.scale = ;"));
    await page.locator("#error").waitFor({ state: "visible", timeout: 120_000 });
    expect(await page.locator("#error-where").textContent()).toMatch(new RegExp(`^${project.file.replaceAll(".", "\\.")}:7(:\\d+)?$`));
    expect(await page.locator("#error-where").getAttribute("data-line")).toBe("7");
    expect(await page.locator("#error-source").textContent()).toContain("7 |   noise.scale = ;");
    await nextThumbnails(page, 1);

    // Closed: the inspector gives back everything the thumbnails held.
    await page.close();
    const closedAt = Date.now();
    let live = await census();
    while (JSON.stringify(live) !== JSON.stringify(censusWithoutPage) && Date.now() - closedAt < 30_000) {
      await Bun.sleep(200);
      live = await census();
    }
    expect(live).toEqual(censusWithoutPage);
    expect(broadcasts.some((m) => m.type === "ledger" && m.entry.ok)).toBe(true);
  }, 400_000);
});
