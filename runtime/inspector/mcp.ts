/**
 * `vivid mcp`: a Model Context Protocol server on stdio (the official SDK) for coding agents. Each
 * tool is a request to the running instance's inspector socket (runtime/inspector/protocol.ts), so an
 * agent sees what the user sees: the live operators and params, the pending slider edits, the current
 * error with file/line/column, the stats, and snapshots as PNG images. `search_docs` reads docs/ and
 * needs no instance. With no instance running, a tool's result says so (and how to start one) rather
 * than failing the call.
 *
 * Stdout is the protocol's channel: nothing else may be printed there.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { InspectorConnection, NoInstanceError } from "./client.ts";
import type { ClientMessage, ServerMessage } from "./protocol.ts";

export interface McpOptions {
  port: number;
  host: string;
  token?: string;
  version: string;
}

const DOCS_DIR = join(import.meta.dir, "..", "..", "docs");

type Reply = ServerMessage & { id?: string | number };

function text(value: unknown, isError = false): CallToolResult {
  return { content: [{ type: "text", text: typeof value === "string" ? value : JSON.stringify(value, null, 2) }], ...(isError ? { isError } : {}) };
}

/** The MCP server with its tools, talking to the instance at `options` (exported for tests that run it in-process). */
export function createMcpServer(options: McpOptions): { server: McpServer; close: () => void } {
  const url = `ws://${options.host.includes(":") ? `[${options.host}]` : options.host}:${options.port}/ws${options.token ? `?token=${encodeURIComponent(options.token)}` : ""}`;
  let connection: InspectorConnection | undefined;
  const connect = async (): Promise<InspectorConnection> => {
    if (connection?.open) return connection;
    connection = await InspectorConnection.connect(url);
    return connection;
  };
  /** One request to the instance; a missing instance or a refused request becomes the tool's (error) result. */
  const ask = async (message: ClientMessage, expect: readonly ServerMessage["type"][], use: (replies: Map<string, Reply>) => CallToolResult | Promise<CallToolResult>): Promise<CallToolResult> => {
    let replies: Reply[];
    try {
      replies = await (await connect()).request(message, expect);
    } catch (err) {
      if (err instanceof NoInstanceError) return text(`No Vivid instance is running on port ${options.port} (${err.message}). Start one with \`bun vivid <project>\` (it serves the inspector on port ${options.port} by default), then call this tool again.`, true);
      return text(`The Vivid instance did not answer: ${err instanceof Error ? err.message : String(err)}`, true);
    }
    const refused = replies.find((reply) => reply.type === "request_error");
    if (refused && refused.type === "request_error") return text(refused.message, true);
    return use(new Map(replies.map((reply) => [reply.type, reply])));
  };

  const server = new McpServer({ name: "vivid", version: options.version });

  server.registerTool(
    "list_operators",
    { description: "The running chain's operators: name, class, output kind, inputs, the chain.ts line that adds it, bypass, and which one goes to the screen." },
    () => ask({ type: "request_operators" }, ["operator_list", "param_values", "solo_state"], (r) => text({ operators: (r.get("operator_list") as Extract<Reply, { type: "operator_list" }>).operators, solo: r.get("solo_state") })),
  );

  server.registerTool(
    "get_operator",
    { description: "One operator of the running chain with every param: live value, type, default, min/max or options, whether a binding drives it.", inputSchema: { name: z.string().describe("the operator's name in the chain, e.g. mirror") } },
    ({ name }) =>
      ask({ type: "request_operators" }, ["operator_list", "param_values"], (r) => {
        const list = r.get("operator_list") as Extract<Reply, { type: "operator_list" }>;
        const op = list.operators.find((o) => o.name === name);
        if (!op) return text(`No operator named "${name}" in the running chain (have: ${list.operators.map((o) => o.name).join(", ")})`, true);
        const values = r.get("param_values") as Extract<Reply, { type: "param_values" }>;
        return text({ ...op, params: values.params.filter((p) => p.operator === name).map(({ operator: _operator, ...p }) => p), ...(name in values.values ? { value: values.values[name] } : {}) });
      }),
  );

  server.registerTool(
    "get_runtime_status",
    { description: "Whether the chain runs or failed: the current error with file, line, column, message and source line, and the last reload's ledger entry (ok, ms, GPU objects created/released)." },
    () =>
      ask({ type: "request_status" }, ["compile_status", "runtime_status"], (r) => {
        const status = r.get("runtime_status") as Extract<Reply, { type: "runtime_status" }>;
        const compile = r.get("compile_status") as Extract<Reply, { type: "compile_status" }>;
        const { type: _type, id: _id, ...rest } = status;
        return text({ ok: compile.success && status.error === null, ...rest });
      }),
  );

  server.registerTool(
    "get_live_params",
    { description: "Live param values of the running chain (all operators, or one), as they are this frame.", inputSchema: { operator: z.string().optional().describe("only this operator's params") } },
    ({ operator }) =>
      ask({ type: "request_operators" }, ["param_values", "operator_list"], (r) => {
        const values = r.get("param_values") as Extract<Reply, { type: "param_values" }>;
        const names = new Set((r.get("operator_list") as Extract<Reply, { type: "operator_list" }>).operators.map((o) => o.name));
        if (operator !== undefined && !names.has(operator)) return text(`No operator named "${operator}" in the running chain (have: ${[...names].join(", ")})`, true);
        const live: Record<string, Record<string, unknown>> = {};
        for (const p of values.params) if (operator === undefined || p.operator === operator) (live[p.operator] ??= {})[p.name] = p.value;
        return text(live);
      }),
  );

  server.registerTool(
    "set_param",
    {
      description: "Sets a param of the running chain at the next frame (a pending change, like a slider edit: commit_pending_changes writes it into chain.ts).",
      inputSchema: { operator: z.string(), param: z.string(), value: z.union([z.number(), z.boolean(), z.string(), z.array(z.number())]).describe("a number, true/false, an enum option, or [x, y(, z, w)] / [r, g, b, a]") },
    },
    ({ operator, param, value }) =>
      ask({ type: "param_change", operator, param, value }, ["param_applied"], (r) => {
        const applied = r.get("param_applied") as Extract<Reply, { type: "param_applied" }>;
        return text(`${applied.operator}.${applied.param} = ${JSON.stringify(applied.value)} (applied at frame ${applied.frame}; pending until committed)`);
      }),
  );

  server.registerTool(
    "get_pending_changes",
    { description: "Edits made from the inspector (or set_param) not yet written into chain.ts: old and new value, and the line commit will rewrite (or the line a new statement goes after)." },
    () => ask({ type: "request_pending_changes" }, ["pending_changes"], (r) => text((r.get("pending_changes") as Extract<Reply, { type: "pending_changes" }>).changes)),
  );

  server.registerTool(
    "commit_pending_changes",
    { description: "Writes every pending change into chain.ts (the literal on its line is rewritten; a param with no literal assignment gets a new line), saved like an editor saves; the hot reload then applies it." },
    () =>
      ask({ type: "commit_changes" }, ["commit_result"], (r) => {
        const result = r.get("commit_result") as Extract<Reply, { type: "commit_result" }>;
        return text({ ok: result.ok, message: result.message, edits: result.edits }, !result.ok);
      }),
  );

  server.registerTool(
    "get_stats",
    { description: "Frames per second and frame time, process and GPU memory, the leak verdict (RSS slope bound against the limit), and the census of live GPU objects." },
    () =>
      ask({ type: "request_stats" }, ["performance_stats", "census", "memory"], (r) => {
        const strip = (reply: Reply | undefined) => {
          if (!reply) return undefined;
          const { type: _type, id: _id, ...rest } = reply as Reply & { id?: unknown };
          return rest;
        };
        return text({ frames: strip(r.get("performance_stats")), memory: strip(r.get("memory")), census: strip(r.get("census")) });
      }),
  );

  server.registerTool(
    "snapshot",
    { description: "A PNG of what the screen shows (or of one operator's output), from the running instance.", inputSchema: { operator: z.string().optional().describe("an operator's name; absent: the screen") } },
    ({ operator }) =>
      ask({ type: "snapshot", ...(operator !== undefined ? { operator } : {}) }, ["snapshot"], (r) => {
        const shot = r.get("snapshot") as Extract<Reply, { type: "snapshot" }>;
        return { content: [{ type: "image", data: shot.png, mimeType: "image/png" }, { type: "text", text: `${shot.operator}, ${shot.width}x${shot.height}` }] };
      }),
  );

  server.registerTool(
    "search_docs",
    { description: "Searches Vivid's documentation (docs/*.md: operators, first project, WGSL operators, the inspector protocol, memory, performance) and returns the best-matching sections.", inputSchema: { query: z.string().min(1) } },
    ({ query }) => {
      const hits = searchDocs(query);
      if (hits.length === 0) return text(`Nothing in docs/ matches "${query}".`);
      return text(hits.map((hit) => `## ${hit.file} — ${hit.heading}\n\n${hit.excerpt}`).join("\n\n---\n\n"));
    },
  );

  return { server, close: () => connection?.close() };
}

/** Runs the server on stdio until stdin closes. */
export async function runMcpServer(options: McpOptions): Promise<number> {
  const { server, close } = createMcpServer(options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await server.connect(transport);
  process.stdin.on("end", () => void server.close());
  await closed;
  close();
  return 0;
}

export interface DocHit {
  file: string;
  heading: string;
  excerpt: string;
  score: number;
}

/** Splits docs/*.md into sections by heading and ranks them by how often the query's words occur (heading words count thrice). */
export function searchDocs(query: string, docsDir = DOCS_DIR, limit = 5): DocHit[] {
  const words = query.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((word) => word.length > 1);
  if (words.length === 0) return [];
  const hits: DocHit[] = [];
  for (const file of markdownFiles(docsDir)) {
    const source = readFileSync(file, "utf8");
    let heading = "";
    let body: string[] = [];
    const flush = () => {
      const textBody = body.join("\n");
      const lowerBody = textBody.toLowerCase();
      const lowerHeading = heading.toLowerCase();
      let score = 0;
      for (const word of words) score += count(lowerBody, word) + 3 * count(lowerHeading, word);
      if (score > 0) hits.push({ file: relative(join(docsDir, ".."), file), heading: heading || "(top)", excerpt: textBody.trim().slice(0, 1500), score });
    };
    for (const line of source.split("\n")) {
      if (/^#{1,4} /.test(line)) {
        flush();
        heading = line.replace(/^#+ /, "");
        body = [];
      } else body.push(line);
    }
    flush();
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, limit);
}

function markdownFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...markdownFiles(path));
    else if (entry.name.endsWith(".md")) files.push(path);
  }
  return files;
}

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}
