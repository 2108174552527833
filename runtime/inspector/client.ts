/**
 * A small client of the inspector's socket for programs (the MCP proxy, tests, an editor): connects,
 * sends a request with an `id` and resolves with the replies that carry it. Runs outside the
 * runtime's process; it never sees the chain, only the protocol.
 */
import type { ClientMessage, ServerMessage } from "./protocol.ts";

type Reply = ServerMessage & { id?: string | number };

export class NoInstanceError extends Error {
  override name = "NoInstanceError";
}

export class InspectorConnection {
  private nextId = 1;
  private readonly waiters = new Map<string, { want: Set<string>; got: Reply[]; resolve: (replies: Reply[]) => void; reject: (err: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  /** Every message received without an id (broadcasts), for whoever wants to watch them. */
  onBroadcast?: (message: ServerMessage) => void;

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") return;
      const message = JSON.parse(event.data) as Reply;
      const waiter = message.id !== undefined ? this.waiters.get(String(message.id)) : undefined;
      if (!waiter) {
        this.onBroadcast?.(message);
        return;
      }
      waiter.got.push(message);
      if (message.type === "request_error" || waiter.want.has(message.type)) waiter.want.delete(message.type);
      if (message.type === "request_error" || waiter.want.size === 0) {
        clearTimeout(waiter.timer);
        this.waiters.delete(String(message.id));
        waiter.resolve(waiter.got);
      }
    });
    socket.addEventListener("close", () => {
      for (const [id, waiter] of this.waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new NoInstanceError("the Vivid instance closed the connection"));
        this.waiters.delete(id);
      }
    });
  }

  /** Connects to ws://host:port/ws; rejects with NoInstanceError when nothing answers there. */
  static connect(url: string, timeoutMs = 3000): Promise<InspectorConnection> {
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(url);
      } catch (err) {
        reject(new NoInstanceError(`no Vivid instance at ${url}: ${err instanceof Error ? err.message : String(err)}`));
        return;
      }
      const timer = setTimeout(() => {
        socket.close();
        reject(new NoInstanceError(`no Vivid instance answered at ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(new InspectorConnection(socket));
      });
      socket.addEventListener("error", () => {
        clearTimeout(timer);
        reject(new NoInstanceError(`no Vivid instance is running at ${url} (start one with: bun vivid <project>)`));
      });
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends `message` and resolves with the replies of the types in `expect` (all of them), or
   * sooner with a `request_error` among them.
   */
  request(message: ClientMessage, expect: readonly ServerMessage["type"][], timeoutMs = 10_000): Promise<Reply[]> {
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`no reply to ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, { want: new Set(expect), got: [], resolve, reject, timer });
      this.socket.send(JSON.stringify({ ...message, id }));
    });
  }

  /** Sends without waiting for a reply. */
  send(message: ClientMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  close(): void {
    this.socket.close();
  }
}
