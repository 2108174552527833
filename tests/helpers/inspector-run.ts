/**
 * Shared by the inspector's tests: a live `bun runtime/cli.ts` run with its inspector on a free port
 * (the link read from its output, as a user reads it), a static test chain whose pixels do not move
 * with time (so two snapshots of the same params are equal), protocol connections, and PNG decoding.
 */
import { readPng } from "../../runtime/snapshot.ts";
import { InspectorConnection } from "../../runtime/inspector/client.ts";
import { cleanup, waitFor } from "./live-run.ts";
import { REPO } from "./render.ts";

/**
 * A chain that stands still: Noise with speed 0 → Mirror (kaleidoscope, 8 segments) → HSV to the
 * screen, and an LFO whose value the page shows. 160×90, so lavapipe on a busy box keeps up.
 * `segments` is the value written on the `mirror.segments` line (line SEGMENTS_LINE).
 */
export function staticChain(segments = 8): string {
  return `import { HSV, LFO, Mirror, Noise, type Context } from "vivid";

export function setup(ctx: Context) {
  const chain = ctx.chain;
  const noise = chain.add(Noise, "noise").resolution(160, 90);
  noise.speed = 0;
  noise.scale = 3;
  const mirror = chain.add(Mirror, "mirror").input("noise");
  mirror.mode = "kaleidoscope";
  mirror.segments = ${segments};
  chain.add(LFO, "lfo");
  const hsv = chain.add(HSV, "hsv").input("mirror");
  hsv.saturation = 0.8;
  chain.output("hsv");
}

export function update(ctx: Context) {
  ctx.debug("wave", Math.sin(ctx.frame * 0.2));
}
`;
}
/** 1-based lines of staticChain(). */
export const STATIC_LINES = { noiseAdd: 5, mirrorAdd: 8, segments: 10, lfoAdd: 11, hsvAdd: 12 };

export interface InspectedRun {
  child: ReturnType<typeof Bun.spawn>;
  /** The page's address as printed. */
  url: string;
  wsUrl: string;
  port: number;
  output: () => string;
  connect: () => Promise<InspectorConnection>;
}

/**
 * Starts `bun runtime/cli.ts <project> --headless --no-dashboard --inspect-port 0 …` and waits for its
 * inspector link. A frame may take a minute on the GPU (--gpu-timeout): lavapipe on a busy 2-core box
 * takes seconds for a 1280×720 kaleidoscope frame, which the default 2 s would call a hang.
 */
export async function startInspected(project: string, extra: string[] = []): Promise<InspectedRun> {
  const child = Bun.spawn(["nice", "-n", "19", "bun", "runtime/cli.ts", project, "--headless", "--no-dashboard", "--inspect-port", "0", "--size", "160x90", "--gpu-timeout", "60000", ...extra], {
    cwd: REPO,
    stdout: "pipe",
    stderr: "pipe",
  });
  let shown = "";
  const read = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) shown += new TextDecoder().decode(chunk);
  };
  void read(child.stdout as ReadableStream<Uint8Array>);
  void read(child.stderr as ReadableStream<Uint8Array>);
  const connections: InspectorConnection[] = [];
  cleanup.push(async () => {
    for (const connection of connections) connection.close();
    if (child.exitCode === null) child.kill();
    await child.exited;
  });
  const url = await waitFor(`the inspector link (output so far: ${shown})`, () => /vivid: inspector at (http:\/\/\S+)/.exec(shown)?.[1], 120_000);
  const port = Number(new URL(url).port);
  const wsUrl = `ws://127.0.0.1:${port}/ws`;
  return {
    child,
    url,
    wsUrl,
    port,
    output: () => shown,
    connect: async () => {
      const connection = await InspectorConnection.connect(wsUrl);
      connections.push(connection);
      return connection;
    },
  };
}

/** A PNG (base64, as the snapshot message carries it) as its RGBA bytes. */
export function pngPixels(base64: string): { width: number; height: number; data: Uint8Array } {
  return readPng(Buffer.from(base64, "base64"));
}

/** The largest difference of any channel between two same-sized RGBA images. */
export function maxDifference(a: Uint8Array, b: Uint8Array): number {
  expectSameLength(a, b);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** The share of pixels whose colour differs by more than 8 levels in some channel. */
export function changedShare(a: Uint8Array, b: Uint8Array): number {
  expectSameLength(a, b);
  let changed = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (Math.abs(a[i]! - b[i]!) > 8 || Math.abs(a[i + 1]! - b[i + 1]!) > 8 || Math.abs(a[i + 2]! - b[i + 2]!) > 8) changed++;
  }
  return changed / (a.length / 4);
}

function expectSameLength(a: Uint8Array, b: Uint8Array): void {
  if (a.length !== b.length) throw new Error(`images of different sizes: ${a.length} vs ${b.length} bytes`);
}

export { REPO };
