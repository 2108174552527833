// `vivid mcp` through the official SDK's client over stdio, against a live run: the tools are
// listed, a param is set and committed, a snapshot comes back as a PNG image, the runtime status
// carries a structured error, and with no instance the tool result says so.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { ServerMessage } from "../../../runtime/inspector/protocol.ts";
import { maxDifference, pngPixels, REPO, staticChain, startInspected, STATIC_LINES } from "../../helpers/inspector-run.ts";
import { cleanup, tempProject } from "../../helpers/live-run.ts";

type ToolResult = { content: Array<{ type: string; text?: string; data?: string; mimeType?: string }>; isError?: boolean };

async function mcpClient(port: number): Promise<Client> {
  const transport = new StdioClientTransport({ command: "nice", args: ["-n", "19", "bun", "runtime/cli.ts", "mcp", "--inspect-port", String(port)], cwd: REPO, stderr: "pipe" });
  const client = new Client({ name: "vivid-test", version: "1.0.0" });
  await client.connect(transport);
  cleanup.push(() => client.close());
  return client;
}

/** Polls async `get` until it gives a value (live-run's waitFor polls synchronous getters). */
async function poll<T>(what: string, get: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolResult;
const json = (result: ToolResult) => JSON.parse(result.content[0]!.text!);

describe("vivid mcp", () => {
  it("says in the tool result when no instance is running", async () => {
    // A port nothing listens on: the one a just-closed server had.
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const port = server.port!;
    server.stop(true);
    const client = await mcpClient(port);
    const result = await call(client, "get_runtime_status");
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(new RegExp(`^No Vivid instance is running on port ${port}.*bun vivid <project>`, "s"));
    // search_docs needs no instance.
    const docs = await call(client, "search_docs", { query: "param_change commit_changes" });
    expect(docs.isError).toBeFalsy();
    expect(docs.content[0]!.text).toContain("docs/inspector.md");
  }, 120_000);

  it("lists its tools, sets and commits a param, snapshots a PNG, and reports a structured error", async () => {
    const project = tempProject("vivid-inspect-mcp-", staticChain());
    const run = await startInspected(project.dir);
    const client = await mcpClient(run.port);

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      "commit_pending_changes",
      "get_live_params",
      "get_operator",
      "get_pending_changes",
      "get_runtime_status",
      "get_stats",
      "list_operators",
      "search_docs",
      "set_param",
      "snapshot",
    ]);

    expect(json(await call(client, "list_operators")).operators.map((op: { name: string }) => op.name)).toEqual(["noise", "mirror", "lfo", "hsv"]);
    const mirror = json(await call(client, "get_operator", { name: "mirror" }));
    expect(mirror).toMatchObject({ displayName: "Mirror", sourceLine: STATIC_LINES.mirrorAdd, inputs: ["noise"] });
    expect(mirror.params.find((p: { name: string }) => p.name === "segments")).toMatchObject({ value: 8, min: 2, max: 32 });
    expect((await call(client, "get_operator", { name: "mirorr" })).content[0]!.text).toMatch(/No operator named "mirorr"/);

    const set = await call(client, "set_param", { operator: "mirror", param: "segments", value: 4 });
    expect(set.content[0]!.text).toMatch(/^mirror\.segments = 4 \(applied at frame \d+/);
    const refused = await call(client, "set_param", { operator: "mirror", param: "segments", value: "four" });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(/mirror\.segments expects a finite number, got "four"/);
    expect(json(await call(client, "get_live_params", { operator: "mirror" }))).toEqual({ mirror: { segments: 4, angle: 0, center: [0.5, 0.5], mode: "kaleidoscope" } });
    expect(json(await call(client, "get_pending_changes"))).toMatchObject([{ operator: "mirror", param: "segments", oldValue: 8, newValue: 4, sourceLine: STATIC_LINES.segments }]);

    // The snapshot is a PNG of the screen, the same pixels the protocol's snapshot gives.
    const shot = await call(client, "snapshot");
    const image = shot.content.find((c) => c.type === "image")!;
    expect(image.mimeType).toBe("image/png");
    const png = pngPixels(image.data!);
    expect([png.width, png.height]).toEqual([160, 90]);
    const direct = await (await run.connect()).request({ type: "snapshot" }, ["snapshot"]);
    expect(maxDifference(png.data, pngPixels((direct[0] as Extract<ServerMessage, { type: "snapshot" }>).png).data)).toBe(0);

    // Commit: the line holds the value; after the reload the live value is still 4.
    const committed = json(await call(client, "commit_pending_changes"));
    expect(committed).toMatchObject({ ok: true, edits: [{ line: STATIC_LINES.segments, text: "  mirror.segments = 4;" }] });
    expect(readFileSync(project.file, "utf8")).toBe(staticChain(4));
    const reloaded = await poll("the commit's reload", async () => {
      const status = json(await call(client, "get_runtime_status"));
      return status.lastReload?.file === "chain.ts" ? status : undefined;
    });
    expect(reloaded.lastReload).toMatchObject({ ok: true, created: { shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 } });
    expect(json(await call(client, "get_live_params", { operator: "mirror" })).mirror.segments).toBe(4);

    // (the first frames summary comes a second after start)
    const stats = await poll("a frames summary in get_stats", async () => {
      const result = json(await call(client, "get_stats"));
      return result.frames.fps > 0 ? result : undefined;
    });
    expect(stats.frames.fps).toBeGreaterThan(0);
    expect(stats.census.live.renderPipeline).toBeGreaterThan(0);
    expect(typeof stats.memory.rssMB).toBe("number");

    // A broken save: the status carries file, line, column and message.
    project.save(staticChain(4).replace("  noise.scale = 3;", "  noise.scale = ;"));
    const broken = await poll("the failed reload in the status", async () => {
      const status = json(await call(client, "get_runtime_status"));
      return status.ok === false ? status : undefined;
    });
    expect(broken.error).toMatchObject({ file: project.file, line: 7, sourceLine: "  noise.scale = ;" });
    expect(typeof broken.error.column).toBe("number");
    expect(typeof broken.error.message).toBe("string");
  }, 400_000);
});
