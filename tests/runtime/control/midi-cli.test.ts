import { afterAll, beforeAll, test } from "vitest";
import { cleanup, events, tempProject, waitFor, type Json } from "../../helpers/live-run.ts";
import { openPtyPair, type PtyPair } from "../../helpers/pty-pair.ts";
import { REPO } from "../../helpers/render.ts";

// `bun vivid … --midi-learn` as a user runs it: type a param at the prompt, move a controller (bytes
// into a pseudo-terminal the chain's MidiIn reads), and the param follows it over its declared range.

let pty: PtyPair;
beforeAll(async () => {
  pty = await openPtyPair();
});
afterAll(() => pty.close());

test("--midi-learn maps the next controller moved to the param typed, over its declared range", async () => {
  const live = tempProject(
    "vivid-midi-learn-",
    `import { MidiIn, Noise, type Context } from "vivid";
export function setup(ctx: Context) {
  ctx.chain.add(MidiIn, "midi").open(${JSON.stringify(pty.b)});
  ctx.chain.add(Noise, "noise").resolution(16, 16);
  ctx.chain.output("noise");
}
`,
  );
  const child = Bun.spawn(["bun", "runtime/cli.ts", live.dir, "--headless", "--midi-learn", "--stats", live.stats], { cwd: REPO, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  cleanup.push(() => {
    if (child.exitCode === null) child.kill();
    return child.exited;
  });
  let shown = "";
  void (async () => {
    for await (const chunk of child.stdout as ReadableStream<Uint8Array>) shown += new TextDecoder().decode(chunk);
  })();
  await waitFor("the prompt", () => (shown.includes("type a param to map") ? true : undefined), 60_000);
  await waitFor("the first frames", () => events(live.stats).find((e) => e.type === "frames"), 60_000);
  child.stdin.write("noise.scale\n");
  child.stdin.flush();
  await waitFor("the learn line", () => (shown.includes("move a controller for noise.scale") ? true : undefined));
  pty.write(Uint8Array.of(0xb0, 21, 127));
  await waitFor("the mapping", () => (shown.includes('cc 21 → noise.scale; to keep it, put ctx.midi.map(21, "noise.scale") in setup') ? true : undefined));
  const changes = () => events(live.stats).filter((e) => e.type === "control" && e.source === `midi:${pty.b}`).map((e) => (e.changes as Json)["noise.scale"]).filter((v) => v !== undefined);
  // Noise.scale is 0.1..20 in the original: CC 127 is its top, CC 0 its bottom.
  await waitFor("scale 20", () => (changes().includes(20) ? true : undefined));
  pty.write(Uint8Array.of(0xb0, 21, 0));
  await waitFor("scale 0.1", () => (changes().includes(0.1) ? true : undefined));
}, 180_000);
