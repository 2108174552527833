/**
 * The inspector's HTTP and WebSocket server (Bun.serve): the page (plain HTML, JS and CSS from
 * runtime/inspector/page, no build step) and the socket that speaks runtime/inspector/protocol.ts.
 *
 * Security, since a web page the user visits could otherwise reach a port on their machine: it binds
 * 127.0.0.1 unless `--inspect-host` names another address, and then every request needs the token
 * printed in the link; a request whose Host is not this server's (DNS rebinding) and a WebSocket
 * upgrade whose Origin is another site's are refused with 403. Clients without an Origin (an editor,
 * the MCP proxy) are let in. The socket's callbacks only parse and queue (Inspector.enqueue): nothing
 * touches the chain before the frame boundary.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Server, ServerWebSocket } from "bun";
import type { Inspector, InspectorClient } from "./inspector.ts";
import { parseClientMessage } from "./protocol.ts";

export const DEFAULT_INSPECT_PORT = 9876;
export const LOOPBACK = "127.0.0.1";
const PAGE_DIR = join(import.meta.dir, "page");
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};
/** A client that has not read this many bytes is sent no more thumbnails until it catches up. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface InspectServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** The address to bind; anything but 127.0.0.1 / localhost / ::1 requires the token. */
  host: string;
}

export interface InspectServer {
  /** The page's address, with the token when one is required. */
  url: string;
  port: number;
  token?: string;
  stop(): void;
}

interface SocketData {
  client?: InspectorClient;
}

export function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "::1";
}

/** Starts the server; throws a message naming the port when it cannot bind (another vivid on 9876). */
export function startInspectServer(inspector: Inspector, options: InspectServerOptions): InspectServer {
  const token = isLoopback(options.host) ? undefined : randomBytes(18).toString("base64url");
  let server: Server<SocketData>;
  const hostsFor = (port: number) => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${options.host}:${port}`]);
  let allowedHosts = new Set<string>();
  const tokenOk = (url: URL) => {
    if (!token) return true;
    const given = Buffer.from(url.searchParams.get("token") ?? "");
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  try {
    server = Bun.serve<SocketData>({
      hostname: options.host,
      port: options.port,
      fetch(request, srv) {
        const url = new URL(request.url);
        const host = request.headers.get("host") ?? "";
        if (!allowedHosts.has(host)) return new Response(`inspector: Host "${host}" is not this server\n`, { status: 403 });
        if (!tokenOk(url)) return new Response("inspector: this address needs the token printed in the link (?token=…)\n", { status: 401 });
        if (url.pathname === "/ws") {
          const origin = request.headers.get("origin");
          if (origin !== null && !allowedHosts.has(originHost(origin))) {
            return new Response(`inspector: WebSocket from origin ${origin} refused (only this inspector's own page may connect)\n`, { status: 403 });
          }
          if (srv.upgrade(request, { data: {} })) return undefined;
          return new Response("inspector: expected a WebSocket upgrade\n", { status: 400 });
        }
        const page = PAGE_FILES[url.pathname];
        if (!page) return new Response("not found\n", { status: 404 });
        // Read per request: the page is small, and an edit to it shows on the next reload of the page.
        return new Response(readFileSync(join(PAGE_DIR, page.file)), { headers: { "content-type": page.type, "cache-control": "no-store", "x-frame-options": "DENY" } });
      },
      websocket: {
        maxPayloadLength: 1024 * 1024,
        open(ws: ServerWebSocket<SocketData>) {
          const client: InspectorClient = {
            watchesThumbnails: false,
            send(message) {
              if (typeof message !== "string" && ws.getBufferedAmount() > MAX_BUFFERED_BYTES) return;
              ws.send(message);
            },
          };
          ws.data.client = client;
          inspector.connect(client);
        },
        message(ws: ServerWebSocket<SocketData>, data) {
          const client = ws.data.client!;
          const parsed = parseClientMessage(typeof data === "string" ? data : new TextDecoder().decode(data));
          if (parsed.ok) inspector.enqueue(client, parsed.message);
          else inspector.refuse(client, parsed.request, parsed.message, parsed.id);
        },
        close(ws: ServerWebSocket<SocketData>) {
          if (ws.data.client) inspector.disconnect(ws.data.client);
        },
      },
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const reason = code === "EADDRINUSE" ? "is in use (another vivid running?)" : err instanceof Error ? err.message : String(err);
    throw new Error(`inspector: port ${options.port} on ${options.host} ${reason}; use --inspect-port <N> or --no-inspect`);
  }
  const port = server.port!;
  allowedHosts = hostsFor(port);
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/${token ? `?token=${token}` : ""}`,
    port,
    token,
    stop: () => void server.stop(true),
  };
}

/** "http://127.0.0.1:9876" → "127.0.0.1:9876" (the form Host headers take); "" for anything else. */
function originHost(origin: string): string {
  try {
    const url = new URL(origin);
    return url.protocol === "http:" ? url.host : "";
  } catch {
    return "";
  }
}
