// The "must show", on a copy of examples/kaleidoscope (the example itself is never written):
// the run prints the inspector's link; headless Chromium drags Mirror's `segments` and commits; the
// chain file holds the new value on the same line; the save's ledger entry is ok with 0 objects
// created; and `vivid mcp`'s get_live_params reports the new value.
import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { chromium } from "playwright-core";
import { REPO, startInspected } from "../../helpers/inspector-run.ts";
import { cleanup } from "../../helpers/live-run.ts";

describe("the inspector's must-show on examples/kaleidoscope", () => {
  it("drags Mirror's segments in Chromium, commits it to its line with a 0-object reload, and vivid mcp reports it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vivid-must-show-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const project = join(dir, "kaleidoscope");
    cpSync(join(REPO, "examples/kaleidoscope"), project, { recursive: true });
    const file = join(project, "chain.ts");
    const original = readFileSync(file, "utf8").split("\n");
    const segmentsLine = original.indexOf("  mirror.segments = 8;") + 1;
    expect(segmentsLine).toBeGreaterThan(0);

    const run = await startInspected(project);
    expect(run.output()).toMatch(/^vivid: inspector at http:\/\/127\.0\.0\.1:\d+\/$/m);

    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
    cleanup.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(run.url);
    await page.locator('[data-node="mirror"]').click({ timeout: 120_000 });
    const slider = page.locator('[data-param="segments"] input[type=range]');
    await slider.waitFor({ timeout: 60_000 });
    expect(await slider.inputValue()).toBe("8");
    const box = (await slider.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + ((8 - 2) / 30) * box.width, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.05, y, { steps: 5 });
    await page.mouse.up();
    const dragged = Number(await slider.inputValue());
    expect(dragged).toBeLessThan(8);
    await page.locator('[data-pending="mirror.segments"]').waitFor({ timeout: 120_000 });

    const ledgerBefore = await page.locator("#ledger li").count();
    await page.click("#commit");
    await page.locator('#commit-result[data-ok="true"]').waitFor({ timeout: 120_000 });
    const written = readFileSync(file, "utf8").split("\n");
    expect(written.length).toBe(original.length);
    expect(written.flatMap((line, i) => (line === original[i] ? [] : [[i + 1, line]]))).toEqual([[segmentsLine, `  mirror.segments = ${dragged};`]]);
    await page.waitForFunction((n) => document.querySelectorAll("#ledger li").length > n, ledgerBefore, { timeout: 180_000 });
    const entry = page.locator("#ledger li").first();
    expect(await entry.getAttribute("data-ok")).toBe("true");
    expect(JSON.parse((await entry.getAttribute("data-created"))!)).toEqual({ shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 });
    await browser.close();

    const transport = new StdioClientTransport({ command: "nice", args: ["-n", "19", "bun", "runtime/cli.ts", "mcp", "--inspect-port", String(run.port)], cwd: REPO, stderr: "pipe" });
    const client = new Client({ name: "must-show", version: "1.0.0" });
    await client.connect(transport);
    cleanup.push(() => client.close());
    const live = (await client.callTool({ name: "get_live_params", arguments: { operator: "mirror" } })) as { content: Array<{ text: string }> };
    expect(JSON.parse(live.content[0]!.text).mirror.segments).toBe(dragged);
  }, 400_000);
});
