// The inspector's WebSocket protocol against a live run (real socket on 127.0.0.1, real GPU): one
// check per message, the refusals (foreign Origin and Host, no token), and a flood of param edits.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { ServerMessage } from "../../../runtime/inspector/protocol.ts";
import { changedShare, maxDifference, pngPixels, staticChain, startInspected, STATIC_LINES } from "../../helpers/inspector-run.ts";
import { tempProject, waitFor } from "../../helpers/live-run.ts";

type Of<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;
const only = <T extends ServerMessage["type"]>(replies: ServerMessage[], type: T): Of<T> => {
  const found = replies.find((reply) => reply.type === type);
  if (!found) throw new Error(`no ${type} among ${replies.map((r) => r.type).join(", ")}: ${JSON.stringify(replies)}`);
  return found as Of<T>;
};

describe("inspector protocol", () => {
  it("answers every message of the protocol, applying edits at the frame boundary", async () => {
    const project = tempProject("vivid-inspect-proto-", staticChain());
    const run = await startInspected(project.dir);
    const client = await run.connect();
    const broadcasts: ServerMessage[] = [];
    client.onBroadcast = (message) => broadcasts.push(message);

    // request_operators → operator_list + param_values + solo_state
    let replies = await client.request({ type: "request_operators" }, ["operator_list", "param_values", "solo_state"]);
    const list = only(replies, "operator_list");
    expect(list.operators.map((op) => [op.name, op.displayName, op.outputType, op.sourceLine, op.inputs, op.output])).toEqual([
      ["noise", "Noise", "texture", STATIC_LINES.noiseAdd, [], false],
      ["mirror", "Mirror", "texture", STATIC_LINES.mirrorAdd, ["noise"], false],
      ["lfo", "LFO", "value", STATIC_LINES.lfoAdd, [], false],
      ["hsv", "HSV", "texture", STATIC_LINES.hsvAdd, ["mirror"], true],
    ]);
    const segments = only(replies, "param_values").params.find((p) => p.operator === "mirror" && p.name === "segments")!;
    // The original's declaration (inventory: segments int=6 [2–32]); the chain sets 8.
    expect(segments).toMatchObject({ type: "int", value: 8, default: 6, min: 2, max: 32, bound: false });
    expect(typeof only(replies, "param_values").values.lfo).toBe("number");
    expect(only(replies, "solo_state")).toMatchObject({ active: false, operator: null });

    // snapshot of the screen before any edit
    const before = pngPixels(only(await client.request({ type: "snapshot" }, ["snapshot"]), "snapshot").png);
    expect([before.width, before.height]).toEqual([160, 90]);

    // param_change → param_applied (at a frame), pending_changes names the line commit will rewrite
    replies = await client.request({ type: "param_change", operator: "mirror", param: "segments", value: 3 }, ["param_applied"]);
    expect(only(replies, "param_applied")).toMatchObject({ operator: "mirror", param: "segments", value: 3 });
    replies = await client.request({ type: "request_pending_changes" }, ["pending_changes"]);
    expect(only(replies, "pending_changes")).toMatchObject({
      hasChanges: true,
      changes: [{ operator: "mirror", param: "segments", paramType: "int", oldValue: 8, newValue: 3, sourceLine: STATIC_LINES.segments, writeBack: { kind: "replace", text: "8" } }],
    });
    const edited = pngPixels(only(await client.request({ type: "snapshot" }, ["snapshot"]), "snapshot").png);
    expect(changedShare(before.data, edited.data)).toBeGreaterThan(0.2);

    // bad input: a reply naming the problem, never a throw into the frame
    const refused = async (message: Parameters<typeof client.request>[0]) => only(await client.request(message, ["param_applied", "solo_state", "operator_list", "snapshot"]), "request_error").message;
    expect(await refused({ type: "param_change", operator: "mirorr", param: "segments", value: 4 })).toMatch(/no operator named "mirorr" — did you mean "mirror"\?/);
    expect(await refused({ type: "param_change", operator: "mirror", param: "segmnets", value: 4 })).toMatch(/Mirror "mirror" has no param "segmnets" — did you mean "segments"\?/);
    expect(await refused({ type: "param_change", operator: "mirror", param: "segments", value: "many" })).toMatch(/mirror\.segments expects a finite number, got "many"/);
    expect(await refused({ type: "param_change", operator: "mirror", param: "mode", value: "spiral" })).toMatch(/mirror\.mode expects one of "horizontal"/);
    expect(await refused({ type: "solo_node", operator: "lfo" })).toMatch(/LFO "lfo" outputs a value, not a texture/);
    expect(await refused({ type: "bypass_node", operator: "noise", bypass: true })).toMatch(/only a filter can be bypassed/);
    expect(await refused({ type: "snapshot", operator: "nope" })).toMatch(/no operator named "nope"/);
    expect(await refused({ type: "request_stats", gc: "yes" } as unknown as Parameters<typeof client.request>[0])).toMatch(/request_stats's "gc" is true or false/);
    // out of range: applied clamped, and said
    replies = await client.request({ type: "param_change", operator: "mirror", param: "segments", value: 99 }, ["param_applied", "request_error"]);
    expect(only(replies, "param_applied").value).toBe(32);
    expect(only(replies, "request_error").message).toMatch(/outside its range 2\.\.32: clamped to 32/);
    replies = await client.request({ type: "param_change", operator: "mirror", param: "segments", value: 3 }, ["param_applied"]);

    // solo_node → the screen shows the operator; solo_exit → the output again
    replies = await client.request({ type: "solo_node", operator: "noise" }, ["solo_state"]);
    expect(only(replies, "solo_state")).toMatchObject({ active: true, operator: "noise" });
    const noise = pngPixels(only(await client.request({ type: "snapshot", operator: "noise" }, ["snapshot"]), "snapshot").png);
    const soloScreen = pngPixels(only(await client.request({ type: "snapshot" }, ["snapshot"]), "snapshot").png);
    expect(maxDifference(soloScreen.data, noise.data)).toBe(0);
    expect(changedShare(soloScreen.data, edited.data)).toBeGreaterThan(0.2);
    await client.request({ type: "solo_exit" }, ["solo_state"]);
    expect(maxDifference(pngPixels(only(await client.request({ type: "snapshot" }, ["snapshot"]), "snapshot").png).data, edited.data)).toBe(0);

    // bypass_node → hsv passes mirror through
    replies = await client.request({ type: "bypass_node", operator: "hsv", bypass: true }, ["operator_list"]);
    expect(only(replies, "operator_list").operators.find((op) => op.name === "hsv")!.bypass).toBe(true);
    const mirrorShot = pngPixels(only(await client.request({ type: "snapshot", operator: "mirror" }, ["snapshot"]), "snapshot").png);
    expect(maxDifference(pngPixels(only(await client.request({ type: "snapshot" }, ["snapshot"]), "snapshot").png).data, mirrorShot.data)).toBe(0);
    await client.request({ type: "bypass_node", operator: "hsv", bypass: false }, ["operator_list"]);

    // discard_changes → back to the file's value, nothing pending
    replies = await client.request({ type: "discard_changes" }, ["pending_changes"]);
    expect(only(replies, "pending_changes")).toMatchObject({ hasChanges: false, changes: [] });
    replies = await client.request({ type: "request_operators" }, ["param_values"]);
    expect(only(replies, "param_values").params.find((p) => p.operator === "mirror" && p.name === "segments")!.value).toBe(8);
    expect(maxDifference(pngPixels(only(await client.request({ type: "snapshot" }, ["snapshot"]), "snapshot").png).data, before.data)).toBe(0);

    // commit_changes → the line is rewritten, the reload's ledger entry is ok with 0 objects created
    await client.request({ type: "param_change", operator: "mirror", param: "segments", value: 5 }, ["param_applied"]);
    const ledgerBefore = broadcasts.filter((m) => m.type === "ledger").length;
    replies = await client.request({ type: "commit_changes" }, ["commit_result"]);
    expect(only(replies, "commit_result")).toMatchObject({ ok: true, edits: [{ operator: "mirror", param: "segments", kind: "replace", line: STATIC_LINES.segments, text: "  mirror.segments = 5;" }] });
    expect(readFileSync(project.file, "utf8")).toBe(staticChain(5));
    const ledger = await waitFor("the commit's reload in the ledger", () => broadcasts.filter((m): m is Of<"ledger"> => m.type === "ledger")[ledgerBefore], 120_000);
    expect(ledger.entry).toMatchObject({ ok: true, file: "chain.ts", created: { shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 } });
    replies = await client.request({ type: "request_operators" }, ["param_values"]);
    expect(only(replies, "param_values").params.find((p) => p.operator === "mirror" && p.name === "segments")!.value).toBe(5);

    // reload → a manual reload, then compile_status; request_status → compile_status + runtime_status
    const ledgerCount = broadcasts.filter((m) => m.type === "ledger").length;
    client.send({ type: "reload" });
    const manual = await waitFor("the manual reload", () => broadcasts.filter((m): m is Of<"ledger"> => m.type === "ledger")[ledgerCount], 120_000);
    expect(manual.entry).toMatchObject({ ok: true, file: "manual" });
    replies = await client.request({ type: "request_status" }, ["compile_status", "runtime_status"]);
    expect(only(replies, "compile_status")).toMatchObject({ success: true, error: null });
    expect(only(replies, "runtime_status")).toMatchObject({ project: project.dir.split("/").pop(), chainFile: project.file, error: null, lastReload: { ok: true } });

    // request_stats → performance_stats, census, memory and our own counters
    // (the stats stream's first frames summary comes a second after start: wait for its broadcast)
    await waitFor("the first performance_stats broadcast", () => broadcasts.find((m): m is Of<"performance_stats"> => m.type === "performance_stats" && m.fps > 0));
    replies = await client.request({ type: "request_stats" }, ["performance_stats", "census", "memory", "inspector_stats"]);
    expect(only(replies, "performance_stats").fps).toBeGreaterThan(0);
    expect(only(replies, "census").live.renderPipeline).toBeGreaterThan(0);
    expect(only(replies, "memory").rssMB).toBeGreaterThan(10);

    // debug values stream while a client is connected
    const debug = await waitFor("debug values", () => broadcasts.find((m): m is Of<"debug_values"> => m.type === "debug_values"));
    expect(debug.values[0]!.name).toBe("wave");

    // a syntax error: compile_status with file:line:col and the source line; the last good chain keeps running
    project.save(staticChain(5).replace("  noise.scale = 3;", "  noise.scale = ;"));
    const failed = await waitFor("the failed reload", () => broadcasts.find((m): m is Of<"compile_status"> => m.type === "compile_status" && !m.success), 120_000);
    expect(failed.error).toMatchObject({ file: project.file, line: 7 });
    expect(failed.error!.sourceLine).toBe("  noise.scale = ;");
    replies = await client.request({ type: "request_status" }, ["runtime_status"]);
    expect(only(replies, "runtime_status").error).toMatchObject({ line: 7 });
    replies = await client.request({ type: "param_change", operator: "mirror", param: "segments", value: 6 }, ["param_applied"]);
    expect(only(replies, "param_applied").value).toBe(6);

    // malformed messages are refused before they are queued
    const raw = new WebSocket(run.wsUrl);
    const answers: string[] = [];
    raw.onmessage = (event) => answers.push(String(event.data));
    await new Promise((resolve) => (raw.onopen = resolve));
    raw.send("{not json");
    raw.send(JSON.stringify({ type: "make_coffee", id: 7 }));
    await waitFor("two refusals", () => (answers.filter((a) => a.includes("request_error")).length >= 2 ? true : undefined));
    expect(answers.map((a) => JSON.parse(a)).filter((a) => a.type === "request_error").map((a) => a.message)).toEqual([expect.stringMatching(/^not JSON/), expect.stringMatching(/^unknown message type "make_coffee"/)]);
    raw.close();
  }, 400_000);

  it("refuses a foreign Origin and a foreign Host, admits its own page and clients without an Origin", async () => {
    const project = tempProject("vivid-inspect-origin-", staticChain());
    const run = await startInspected(project.dir);
    const upgrade = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${run.port}/ws`, { headers: { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13", ...headers } });
    const foreign = await upgrade({ Origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toMatch(/origin https:\/\/evil\.example refused/);
    expect((await upgrade({ Origin: `http://localhost:${run.port + 1}` })).status).toBe(403);
    expect((await upgrade({ Origin: `http://127.0.0.1:${run.port}` })).status).toBe(101);
    expect((await upgrade({})).status).toBe(101);
    // DNS rebinding: a name that resolves to 127.0.0.1 is still not this server's Host
    const rebound = await fetch(`http://127.0.0.1:${run.port}/`, { headers: { Host: `attacker.example:${run.port}` } });
    expect(rebound.status).toBe(403);
    const page = await fetch(run.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Vivid inspector</title>");
  }, 200_000);

  it("off loopback (--inspect-host) every request needs the printed token", async () => {
    const project = tempProject("vivid-inspect-token-", staticChain());
    const run = await startInspected(project.dir, ["--inspect-host", "127.0.0.2"]);
    const token = new URL(run.url).searchParams.get("token");
    expect(token).toMatch(/^[\w-]{20,}$/);
    expect(new URL(run.url).host).toBe(`127.0.0.2:${run.port}`);
    expect((await fetch(`http://127.0.0.2:${run.port}/`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.2:${run.port}/?token=wrong${token!.slice(5)}`)).status).toBe(401);
    expect((await fetch(run.url)).status).toBe(200);
  }, 200_000);

  it("a flood of 1000 param_change a second is applied at frame boundaries only, in bounded memory", async () => {
    const project = tempProject("vivid-inspect-flood-", staticChain());
    const run = await startInspected(project.dir);
    const client = await run.connect();
    // Collected first: the heap then says what the edits left behind, not where the collector was.
    const stats = async () => only(await client.request({ type: "request_stats", gc: true }, ["inspector_stats"]), "inspector_stats");
    const flood = async (seconds: number) => {
      let last = 0;
      for (let tick = 0; tick < seconds * 10; tick++) {
        for (let i = 0; i < 100; i++) {
          last = 2 + ((tick * 100 + i) % 31);
          client.send({ type: "param_change", operator: "mirror", param: "segments", value: last });
        }
        await Bun.sleep(100);
      }
      return last;
    };
    await flood(1);
    const start = await stats();
    const last = await flood(3);
    const end = await stats();
    const received = end.received - start.received;
    const applied = end.applied - start.applied;
    const boundaries = end.boundaries - start.boundaries;
    console.log(`flood: ${received} received, ${applied} applied over ${boundaries} frame boundaries, queue at most ${end.queuedMax}`);
    // 3000 edits arrived (plus the stats request); each boundary applied at most one (the latest).
    expect(received).toBeGreaterThanOrEqual(3000);
    expect(applied).toBeLessThanOrEqual(boundaries);
    expect(applied).toBeLessThan(received / 2);
    // The queue never held more than the one coalesced edit and a request or two.
    expect(end.queuedMax).toBeLessThanOrEqual(3);
    // The last value sent is the one that stays.
    const replies = await client.request({ type: "request_operators" }, ["param_values"]);
    expect(only(replies, "param_values").params.find((p) => p.operator === "mirror" && p.name === "segments")!.value).toBe(last);
    // JS heap after 3 more seconds of flood is within a few MB of after the first (no per-edit residue).
    await flood(3);
    const after = await stats();
    expect((after.heapBytes - end.heapBytes) / 1048576).toBeLessThan(8);
  }, 300_000);
});
