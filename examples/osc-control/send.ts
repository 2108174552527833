#!/usr/bin/env bun
/**
 * A small OSC sender, to try examples/osc-control without TouchOSC:
 *
 *   bun examples/osc-control/send.ts /noise/scale 9              one message to 127.0.0.1:8000
 *   bun examples/osc-control/send.ts /noise/offset 1 2 0         several floats (a vector)
 *   bun examples/osc-control/send.ts /noise/type worley          a string
 *   bun examples/osc-control/send.ts /vivid/param /noise/scale   a query: prints the answer
 *   bun examples/osc-control/send.ts --listen 9000               prints what the chain sends
 *   --host <h> --port <p>                                        somewhere else than 127.0.0.1:8000
 *
 * Arguments that read as numbers go as float32, "true"/"false" as T/F, the rest as strings.
 */
import dgram from "node:dgram";
import { decodePacket, encodeMessage, type OscArg } from "../../runtime/control/osc-codec.ts";

const argv = process.argv.slice(2);
let host = "127.0.0.1";
let port = 8000;
let listen: number | undefined;
const words: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i]!;
  if (arg === "--host") host = argv[++i]!;
  else if (arg === "--port") port = Number(argv[++i]);
  else if (arg === "--listen") listen = Number(argv[++i]);
  else words.push(arg);
}

const show = (bytes: Uint8Array) => {
  for (const message of decodePacket(bytes)) console.log(`${message.address} ${message.args.map((a) => JSON.stringify(a)).join(" ")}`);
};

if (listen !== undefined) {
  const socket = dgram.createSocket("udp4");
  socket.on("message", show);
  socket.bind(listen, () => console.log(`listening on UDP ${listen}; Ctrl-C ends`));
} else {
  const [address, ...rest] = words;
  if (!address?.startsWith("/")) {
    console.error("usage: bun examples/osc-control/send.ts /address [args…] | --listen <port>  (--host, --port)");
    process.exit(2);
  }
  const args: OscArg[] = rest.map((word) => (word === "true" ? true : word === "false" ? false : word.trim() !== "" && Number.isFinite(Number(word)) ? Number(word) : word));
  const socket = dgram.createSocket("udp4");
  // A snapshot is answered once, when its PNG is written: then there is nothing more to wait for.
  socket.on("message", (bytes) => {
    show(bytes);
    if (address === "/vivid/snapshot") socket.close();
  });
  socket.bind(0, () => {
    socket.send(encodeMessage(address, args), port, host, (error) => {
      if (error) {
        console.error(`send to ${host}:${port} failed: ${error.message}`);
        process.exit(1);
      }
      console.log(`sent ${address} ${args.map((a) => JSON.stringify(a)).join(" ")} to ${host}:${port}`);
      // A query's answer comes back to this socket; wait a moment for it.
      const timer = setTimeout(() => socket.close(), address === "/vivid/snapshot" ? 10_000 : address.startsWith("/vivid/") ? 1000 : 0);
      socket.on("close", () => clearTimeout(timer));
    });
  });
}
