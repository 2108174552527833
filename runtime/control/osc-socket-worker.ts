/**
 * The OSC sockets' thread: a Worker that binds the UDP ports, receives and decodes every datagram
 * (osc.js, runtime/control/osc-codec.ts) and posts the decoded messages to the main thread in
 * batches, one post per turn of this thread's event loop. Receiving a datagram into JavaScript and
 * decoding it cost ~5 µs each on the 2-core machine; on the main thread, 10 000 a second took ~7 % of
 * the frame loop's core. Here the main thread only takes the batches (~0.5 µs a message) and applies
 * them at the frame boundary (runtime/control/hub.ts). Replies (`/vivid/param`) go out from the
 * receiving socket, so the sender gets them from the port it sent to.
 */
import dgram from "node:dgram";
import { decodePacket } from "./osc-codec.ts";
import type { OscMessage } from "./osc-codec.ts";

/** The socket's receive buffer asked of the kernel: ~5000 small datagrams while a thread is busy. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** Main thread → sockets thread. */
export type ToSockets =
  | { type: "bind"; port: number; host: string }
  | { type: "close"; port: number }
  | { type: "reply"; port: number; bytes: Uint8Array; address: string; remotePort: number };

/** Sockets thread → main thread: the whole protocol. */
export type FromSockets =
  | { type: "listening"; port: number }
  | { type: "failed"; port: number; code: string | undefined; message: string }
  | { type: "socket-error"; port: number; code: string | undefined; message: string }
  | { type: "messages"; port: number; messages: Array<[message: OscMessage, address: string, remotePort: number]> }
  | { type: "garbage"; port: number; address: string; remotePort: number; length: number; reason: string };

declare const self: { onmessage: ((event: MessageEvent<ToSockets>) => void) | null; postMessage(message: FromSockets): void };

const sockets = new Map<number, dgram.Socket>();
const batches = new Map<number, Array<[OscMessage, string, number]>>();
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const [port, messages] of batches) self.postMessage({ type: "messages", port, messages });
  batches.clear();
}

function bind(port: number, host: string): void {
  if (sockets.has(port)) return;
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: false });
  sockets.set(port, socket);
  let listening = false;
  socket.on("error", (error: NodeJS.ErrnoException) => {
    if (listening) {
      self.postMessage({ type: "socket-error", port, code: error.code, message: error.message });
      return;
    }
    sockets.delete(port);
    try {
      socket.close();
    } catch {
      // A socket that never bound may refuse to close; it holds nothing.
    }
    self.postMessage({ type: "failed", port, code: error.code, message: error.message });
  });
  socket.on("listening", () => {
    listening = true;
    try {
      socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
    } catch {
      // A system that refuses keeps its default buffer (net.core.rmem_max caps it).
    }
    self.postMessage({ type: "listening", port });
  });
  socket.on("message", (bytes: Buffer, remote: dgram.RemoteInfo) => {
    let messages: OscMessage[];
    try {
      messages = decodePacket(bytes);
    } catch (error) {
      self.postMessage({ type: "garbage", port, address: remote.address, remotePort: remote.port, length: bytes.length, reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    let batch = batches.get(port);
    if (!batch) batches.set(port, (batch = []));
    for (const message of messages) batch.push([message, remote.address, remote.port]);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  });
  socket.bind(port, host);
}

self.onmessage = (event) => {
  const request = event.data;
  switch (request.type) {
    case "bind":
      bind(request.port, request.host);
      return;
    case "close": {
      const socket = sockets.get(request.port);
      sockets.delete(request.port);
      try {
        socket?.close();
      } catch {
        // Closed already.
      }
      return;
    }
    case "reply":
      sockets.get(request.port)?.send(request.bytes, request.remotePort, request.address);
      return;
  }
};
