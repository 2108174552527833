/**
 * The inspector's state and its one entry point into the frame: `boundary()`, which the frame loop
 * calls between frames. Messages from pages, editors and the MCP proxy arrive on the socket (see
 * server.ts), are checked for shape there and queued here; only `boundary()` applies them to the
 * running chain, so an edit never lands inside a frame or a reload's build. Param edits to the same
 * param coalesce in the queue (the latest value wins), so a flood of slider events costs one write
 * per param per frame and the queue never grows past the number of params.
 *
 * It also keeps the pending changes (edits not yet committed to the chain file), solo and bypass,
 * forwards the stats stream (frames, memory, reloads, errors) and the chain's debug values to the
 * clients, and drives the thumbnails while a page watches them.
 */
import { readFileSync, statSync } from "node:fs";
import { relative } from "node:path";
import type { Chain } from "../chain/chain.ts";
import { TextureOperator, ValueOperator, type Operator } from "../chain/operator.ts";
import { normalize, type ParamValue } from "../chain/params.ts";
import type { Engine } from "../engine.ts";
import type { Frame, TextureHandle } from "../gpu/gpu.ts";
import { suggest } from "../reload/errors.ts";
import { encodePng, readTextureRgba8 } from "../snapshot.ts";
import type { ErrorLocation, ReloadEvent, StatsEvent } from "../stats/events.ts";
import type { StatsHub } from "../stats/hub.ts";
import { encodeThumbnails, type ClientMessage, type OperatorEntry, type ParamEntry, type PendingChange, type RequestId, type ServerMessage } from "./protocol.ts";
import { Thumbnails, type ThumbnailSource } from "./thumbnails.ts";
import { commitToFile, locateOperators, locateParam, type OperatorSite } from "./write-back.ts";

/** A connected client, as the server hands it over: somewhere to send, and whether it watches thumbnails. */
export interface InspectorClient {
  send(message: string | Uint8Array): void;
  watchesThumbnails: boolean;
}

/** Requests other than param edits kept at most; past it a request is refused, not queued. */
export const MAX_QUEUED_REQUESTS = 256;
/** How often values, pending changes and debug values go out while a client is connected. */
const VALUES_EVERY_MS = 250;
const DEBUG_EVERY_MS = 100;
const PENDING_EVERY_MS = 100;

export interface InspectorOptions {
  project: string;
  version: string;
  /** Asks the reloader for a reload (the `reload` message). */
  requestReload: () => void;
  /** Called when a message was queued: a paused loop wakes to apply it. */
  onQueued?: () => void;
}

export class Inspector {
  private readonly clients = new Set<InspectorClient>();
  /** Param edits by "operator\0param": the latest wins, applied at the next boundary. */
  private readonly paramEdits = new Map<string, { client: InspectorClient; message: Extract<ClientMessage, { type: "param_change" }> }>();
  private readonly requests: Array<{ client: InspectorClient; message: ClientMessage }> = [];
  private readonly pending = new Map<string, { operator: string; param: string; oldValue: ParamValue; newValue: ParamValue; timestamp: number }>();
  private solo: string | null = null;
  private lastChain?: Chain;
  private readonly thumbnails: Thumbnails;
  private thumbnailsRecorded = false;
  private lastValuesAt = 0;
  private lastDebugAt = 0;
  private lastPendingAt = 0;
  private pendingDirty = false;
  private lastReload: ReloadEvent | null = null;
  private currentError: (ErrorLocation & { count?: number }) | null = null;
  private frameHistory: number[] = [];
  private sourceCache?: { stamp: string; source: string; sites: Map<string, OperatorSite> | Error };
  private readonly unsubscribe: () => void;
  /** For `inspector_stats`: what arrived, what was applied, how many boundaries, the longest queue. */
  private readonly counts = { received: 0, applied: 0, boundaries: 0, queuedMax: 0 };

  constructor(
    private readonly engine: Engine,
    private readonly hub: StatsHub,
    private readonly options: InspectorOptions,
  ) {
    this.thumbnails = new Thumbnails(() => engine.gpu, (frame) => {
      const data = encodeThumbnails({ cellWidth: frame.cellWidth, cellHeight: frame.cellHeight, columns: frame.columns, operators: frame.operators }, frame.rgba);
      for (const client of this.clients) if (client.watchesThumbnails) client.send(data);
    });
    this.unsubscribe = hub.subscribe((event) => this.onStats(event));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  // ── from the socket (never touches the chain) ──

  connect(client: InspectorClient): void {
    this.clients.add(client);
    this.send(client, { type: "hello", project: this.options.project, chainFile: this.engine.chainFile, version: this.options.version });
  }

  disconnect(client: InspectorClient): void {
    this.clients.delete(client);
    this.updateThumbnailWatch();
  }

  /** A message whose shape server.ts checked: queued for the next boundary. */
  enqueue(client: InspectorClient, message: ClientMessage): void {
    this.counts.received++;
    if (message.type === "param_change") {
      this.paramEdits.set(`${message.operator}\0${message.param}`, { client, message });
    } else if (this.requests.length >= MAX_QUEUED_REQUESTS) {
      this.reject(client, message, `too many requests queued (${MAX_QUEUED_REQUESTS}); wait for the replies`);
      return;
    } else {
      this.requests.push({ client, message });
    }
    this.counts.queuedMax = Math.max(this.counts.queuedMax, this.requests.length + this.paramEdits.size);
    this.options.onQueued?.();
  }

  /** Replies to a client now, for a message that was refused before it was queued (bad JSON, unknown type). */
  refuse(client: InspectorClient, request: string, message: string, id?: RequestId): void {
    this.send(client, { type: "request_error", ...(id !== undefined ? { id } : {}), request, message });
  }

  // ── at the frame boundary ──

  /**
   * Applies everything queued, in arrival order (param edits first, coalesced), and sends what is
   * due. Returns whether anything changed what the next frame shows (a paused loop then draws one).
   */
  boundary(now = performance.now()): boolean {
    this.counts.boundaries++;
    let changed = false;
    const chain = this.engine.chain;
    if (chain !== this.lastChain) {
      this.lastChain = chain;
      if (chain) this.onChainSwapped(chain);
    }
    if (this.paramEdits.size > 0) {
      const edits = [...this.paramEdits.values()];
      this.paramEdits.clear();
      for (const { client, message } of edits) changed = this.applyParamChange(client, message) || changed;
    }
    while (this.requests.length > 0) {
      const { client, message } = this.requests.shift()!;
      changed = this.applyRequest(client, message) || changed;
    }
    if (this.clients.size > 0) this.sendPeriodic(now);
    return changed;
  }

  /** The texture the screen shows: the soloed operator's, else the chain's output. */
  screenTexture(output: TextureHandle | undefined): TextureHandle | undefined {
    if (this.solo === null) return output;
    const op = this.engine.chain?.has(this.solo) ? this.engine.chain.get(this.solo) : undefined;
    return op instanceof TextureOperator ? (op.outputTexture ?? output) : output;
  }

  /** Inside the frame's encoder, after the cook: the thumbnails when due and watched. */
  recordFrame(frame: Frame, output: TextureHandle | undefined): void {
    const chain = this.engine.chain;
    if (!chain) return;
    const sources: ThumbnailSource[] = [{ name: "screen", texture: this.screenTexture(output) }];
    for (const op of chain.processingOrder) if (op instanceof TextureOperator) sources.push({ name: op.name, texture: op.outputTexture });
    this.thumbnailsRecorded = this.thumbnails.record(frame, sources) || this.thumbnailsRecorded;
  }

  /** After the frame's submit: starts reading back what `recordFrame` copied. */
  afterSubmit(): void {
    if (!this.thumbnailsRecorded) return;
    this.thumbnailsRecorded = false;
    this.thumbnails.submitted();
  }

  /** Whether a page watches thumbnails: only then does a frame need `recordFrame` (with no window, the loop passes no display callback otherwise). */
  get wantsFrames(): boolean {
    return this.thumbnails.watched;
  }

  /** Thumbnail readbacks delivered so far. */
  get thumbnailsDelivered(): number {
    return this.thumbnails.delivered;
  }

  /** Before the GPU device is replaced (runtime/main.ts's recovery): the thumbnails' objects are given back. */
  releaseGpuObjects(): void {
    this.thumbnails.releaseForNewDevice();
  }

  dispose(): void {
    this.unsubscribe();
    this.thumbnails.dispose();
    this.clients.clear();
  }

  // ── applying ──

  private onChainSwapped(chain: Chain): void {
    // Edits not committed stay applied across a save of the file (as they would in an editor's buffer).
    for (const change of this.pending.values()) {
      const op = chain.has(change.operator) ? chain.get(change.operator) : undefined;
      if (!op || !op.params().some((p) => p.name === change.param)) {
        this.pending.delete(`${change.operator}\0${change.param}`);
        continue;
      }
      op.setParam(change.param, change.newValue);
    }
    if (this.solo !== null && !(chain.has(this.solo) && chain.get(this.solo) instanceof TextureOperator)) {
      this.solo = null;
      this.broadcast(this.soloState());
    }
    this.pendingDirty = true;
    this.broadcast(this.operatorList());
    this.broadcast(this.paramValues(chain));
  }

  private applyParamChange(client: InspectorClient, message: Extract<ClientMessage, { type: "param_change" }>): boolean {
    const found = this.findOperator(client, message);
    if (!found) return false;
    const decl = found.params().find((p) => p.name === message.param);
    if (!decl) {
      const names = found.params().map((p) => p.name);
      this.reject(client, message, `${found.typeName} "${found.name}" has no param "${message.param}"${suggest(message.param, names)} (has: ${names.join(", ") || "none"})`);
      return false;
    }
    let value: ParamValue;
    let clamped: string | undefined;
    try {
      value = normalize(found.name, message.param, decl, message.value, (warning) => (clamped = warning));
    } catch (err) {
      this.reject(client, message, err instanceof Error ? err.message : String(err));
      return false;
    }
    const key = `${found.name}\0${message.param}`;
    const before = found.getParam(message.param);
    found.setParam(message.param, value);
    this.counts.applied++;
    const known = this.pending.get(key);
    this.pending.set(key, { operator: found.name, param: message.param, oldValue: known?.oldValue ?? before, newValue: value, timestamp: Date.now() });
    this.pendingDirty = true;
    if (message.id !== undefined) this.send(client, { type: "param_applied", id: message.id, operator: found.name, param: message.param, value, frame: this.engine.ctx.frame });
    if (clamped) this.reject(client, message, clamped);
    return true;
  }

  private applyRequest(client: InspectorClient, message: ClientMessage): boolean {
    const id = message.id !== undefined ? { id: message.id } : {};
    const chain = this.engine.chain;
    switch (message.type) {
      case "reload":
        this.options.requestReload();
        return false;
      case "request_operators":
        this.send(client, { ...this.operatorList(), ...id });
        if (chain) this.send(client, { ...this.paramValues(chain), ...id });
        this.send(client, { ...this.soloState(), ...id });
        return false;
      case "request_pending_changes":
        this.send(client, { ...this.pendingChanges(), ...id });
        return false;
      case "request_status":
        this.send(client, { ...this.compileStatus(), ...id });
        this.send(client, { type: "runtime_status", ...id, project: this.options.project, chainFile: this.engine.chainFile, frame: this.engine.ctx.frame, error: this.currentError, lastReload: this.lastReload });
        return false;
      case "request_stats":
        if (message.gc) Bun.gc(true);
        this.send(client, { ...this.performanceStats(), ...id });
        this.send(client, { ...this.census(), ...id });
        this.send(client, { ...this.memory(), ...id });
        this.send(client, { type: "inspector_stats", ...id, ...this.counts, thumbnails: this.thumbnails.delivered, heapBytes: process.memoryUsage().heapUsed });
        return false;
      case "solo_node": {
        const op = this.findOperator(client, message);
        if (!op) return false;
        if (!(op instanceof TextureOperator)) {
          this.reject(client, message, `${op.typeName} "${op.name}" outputs a ${op.outputKind}, not a texture: only a texture can be shown on the screen`);
          return false;
        }
        this.solo = op.name;
        this.broadcast({ ...this.soloState(), ...id });
        return true;
      }
      case "solo_exit":
        this.solo = null;
        this.broadcast({ ...this.soloState(), ...id });
        return true;
      case "bypass_node": {
        const op = this.findOperator(client, message);
        if (!op) return false;
        if (message.bypass && !(op instanceof TextureOperator && op.inputs[0] instanceof TextureOperator)) {
          this.reject(client, message, `${op.typeName} "${op.name}" has no texture input to pass through: only a filter can be bypassed`);
          return false;
        }
        op.bypass = message.bypass;
        this.broadcast({ ...this.operatorList(), ...id });
        return true;
      }
      case "commit_changes":
        this.commit(client, message.id);
        return false;
      case "discard_changes": {
        for (const change of this.pending.values()) {
          const op = chain?.has(change.operator) ? chain.get(change.operator) : undefined;
          if (op) op.setParam(change.param, change.oldValue);
        }
        const had = this.pending.size > 0;
        this.pending.clear();
        this.broadcast({ ...this.pendingChanges(), ...id });
        if (chain) this.broadcast(this.paramValues(chain));
        return had;
      }
      case "snapshot":
        this.snapshot(client, message);
        return false;
      case "watch_thumbnails":
        client.watchesThumbnails = message.on;
        this.updateThumbnailWatch();
        return false;
      case "param_change":
        return false;
    }
  }

  /** Rewrites the chain file with every pending change; the hot reload that follows applies it. */
  private commit(client: InspectorClient, id: RequestId | undefined): void {
    const ids = id !== undefined ? { id } : {};
    const changes = [...this.pending.values()];
    if (changes.length === 0) {
      this.send(client, { type: "commit_result", ...ids, ok: true, message: "nothing to commit", edits: [] });
      return;
    }
    const result = commitToFile(this.engine.chainFile, changes.map((change) => ({ operator: change.operator, param: change.param, value: change.newValue })));
    if (!result.ok) {
      this.send(client, { type: "commit_result", ...ids, ok: false, message: result.message, edits: [] });
      return;
    }
    this.pending.clear();
    this.sourceCache = undefined;
    const edits = result.edits.map(({ operator, param, kind, line, text }) => ({ operator, param, kind, line, text }));
    this.broadcast({ type: "commit_result", ...ids, ok: true, message: `wrote ${edits.length} change${edits.length === 1 ? "" : "s"} to ${relative(this.engine.projectDir, this.engine.chainFile)}`, edits });
    this.broadcast(this.pendingChanges());
  }

  /** Reads a texture back (its copy is recorded now, at the boundary) and replies with a PNG when the GPU is done. */
  private snapshot(client: InspectorClient, message: Extract<ClientMessage, { type: "snapshot" }>): void {
    const chain = this.engine.chain;
    if (!chain) {
      this.reject(client, message, "no chain is running (the first load failed): nothing to snapshot");
      return;
    }
    let texture: TextureHandle | undefined;
    let name = "screen";
    if (message.operator !== undefined) {
      const op = this.findOperator(client, { ...message, operator: message.operator });
      if (!op) return;
      if (!(op instanceof TextureOperator)) {
        this.reject(client, message, `${op.typeName} "${op.name}" outputs a ${op.outputKind}, not a texture`);
        return;
      }
      texture = op.outputTexture;
      name = op.name;
    } else {
      texture = this.screenTexture(chain.outputTexture);
    }
    if (!texture) {
      this.reject(client, message, `"${name}" has no texture yet`);
      return;
    }
    const { width, height } = texture;
    readTextureRgba8(this.engine.gpu, texture, true).then(
      (rgba) => this.send(client, { type: "snapshot", ...(message.id !== undefined ? { id: message.id } : {}), operator: name, width, height, png: encodePng(width, height, rgba).toString("base64") }),
      (err: unknown) => this.reject(client, message, `snapshot of "${name}" failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private findOperator(client: InspectorClient, message: ClientMessage & { operator: string }): Operator | undefined {
    const chain = this.engine.chain;
    if (!chain) {
      this.reject(client, message, "no chain is running (the first load failed); fix the chain file first");
      return undefined;
    }
    if (chain.has(message.operator)) return chain.get(message.operator);
    const names = chain.names();
    this.reject(client, message, `no operator named "${message.operator}"${suggest(message.operator, names)} (have: ${names.join(", ")})`);
    return undefined;
  }

  private reject(client: InspectorClient, message: ClientMessage, text: string): void {
    this.refuse(client, message.type, text, message.id);
  }

  private updateThumbnailWatch(): void {
    let watched = false;
    for (const client of this.clients) if (client.watchesThumbnails) watched = true;
    this.thumbnails.watch(watched);
  }

  // ── what goes out ──

  private sendPeriodic(now: number): void {
    const chain = this.engine.chain;
    if (chain && now - this.lastValuesAt >= VALUES_EVERY_MS) {
      this.lastValuesAt = now;
      this.broadcast(this.paramValues(chain));
    }
    if (now - this.lastDebugAt >= DEBUG_EVERY_MS && this.engine.ctx.debugValues.size > 0) {
      this.lastDebugAt = now;
      const values: Array<{ name: string; value: number | boolean | string }> = [];
      for (const [name, { value }] of this.engine.ctx.debugValues) values.push({ name, value: typeof value === "number" && !Number.isFinite(value) ? String(value) : value });
      this.broadcast({ type: "debug_values", values });
    }
    if (this.pendingDirty && now - this.lastPendingAt >= PENDING_EVERY_MS) {
      this.lastPendingAt = now;
      this.pendingDirty = false;
      this.broadcast(this.pendingChanges());
    }
  }

  private onStats(event: StatsEvent): void {
    if (event.type === "reload") {
      this.lastReload = event;
      if (event.ok) this.currentError = null;
      else if (event.error) this.currentError = event.error;
      this.sourceCache = undefined;
    } else if (event.type === "error") {
      const { type: _type, t: _t, ...error } = event;
      this.currentError = error;
    } else if (event.type === "frames") {
      this.frameHistory.push(event.cpuMs.avg);
      if (this.frameHistory.length > 60) this.frameHistory.shift();
    }
    if (this.clients.size === 0) return;
    if (event.type === "reload") {
      this.broadcast({ type: "ledger", entry: event });
      this.broadcast(this.compileStatus());
    } else if (event.type === "error") {
      this.broadcast({ type: "runtime_error", error: this.currentError! });
    } else if (event.type === "frames") {
      this.broadcast(this.performanceStats());
      this.broadcast(this.census());
    } else if (event.type === "memory") {
      this.broadcast(this.memory());
    }
  }

  private compileStatus(): Extract<ServerMessage, { type: "compile_status" }> {
    const failed = this.lastReload ? !this.lastReload.ok : this.engine.chain === undefined;
    const error = failed ? (this.lastReload?.error ?? this.currentError) : null;
    return { type: "compile_status", success: !failed, message: error ? error.message : "ok", error: error ?? null };
  }

  private performanceStats(): Extract<ServerMessage, { type: "performance_stats" }> {
    const frames = this.hub.view().frames;
    const census = this.engine.gpu.census.snapshot();
    return {
      type: "performance_stats",
      fps: frames?.fps ?? 0,
      frameTimeMs: frames?.cpuMs.avg ?? 0,
      frameTimeP99Ms: frames?.cpuMs.p99 ?? 0,
      frameTimeHistory: [...this.frameHistory],
      textureMemoryBytes: census.textureBytes,
      bufferMemoryBytes: census.bufferBytes,
    };
  }

  private memory(): Extract<ServerMessage, { type: "memory" }> {
    const memory = this.hub.view().memory;
    if (!memory) {
      const usage = process.memoryUsage();
      return { type: "memory", rssMB: usage.rss / 1048576, heapMB: usage.heapUsed / 1048576, gpuMB: this.engine.gpu.census.gpuBytes / 1048576, leak: null };
    }
    return { type: "memory", rssMB: memory.rssMB, heapMB: memory.heapMB, gpuMB: memory.gpuMB, leak: memory.leak };
  }

  private census(): Extract<ServerMessage, { type: "census" }> {
    const snapshot = this.engine.gpu.census.snapshot();
    const live: Record<string, number> = {};
    for (const [kind, count] of Object.entries(snapshot.kinds)) if (count.live !== 0) live[kind] = count.live;
    return { type: "census", live, owners: snapshot.owners };
  }

  private soloState(): Extract<ServerMessage, { type: "solo_state" }> {
    return { type: "solo_state", active: this.solo !== null, operator: this.solo };
  }

  private operatorList(): Extract<ServerMessage, { type: "operator_list" }> {
    const chain = this.engine.chain;
    if (!chain) return { type: "operator_list", operators: [] };
    const sites = this.sites();
    const output = chain.outputOperator.name;
    const operators: OperatorEntry[] = chain.all().map((op) => ({
      name: op.name,
      displayName: op.typeName,
      outputType: op.outputKind,
      sourceLine: sites?.get(op.name)?.addLine ?? 0,
      inputs: [...op.inputNames],
      bypass: op.bypass,
      output: op.name === output,
    }));
    return { type: "operator_list", operators };
  }

  private paramValues(chain: Chain): Extract<ServerMessage, { type: "param_values" }> {
    const params: ParamEntry[] = [];
    const values: Record<string, number> = {};
    for (const op of chain.all()) {
      const bound = op.boundParams;
      for (const info of op.params()) {
        params.push({ operator: op.name, name: info.name, type: info.type, value: op.getParam(info.name), default: info.default, min: info.min, max: info.max, ...(info.options ? { options: info.options } : {}), bound: bound.includes(info.name) });
      }
      if (op instanceof ValueOperator) values[op.name] = op.value;
    }
    return { type: "param_values", params, values };
  }

  private pendingChanges(): Extract<ServerMessage, { type: "pending_changes" }> {
    const sites = this.sites();
    const source = this.sourceCache?.source ?? "";
    const changes: PendingChange[] = [...this.pending.values()].map((change) => {
      const op = this.engine.chain?.has(change.operator) ? this.engine.chain.get(change.operator) : undefined;
      const paramType = op?.params().find((p) => p.name === change.param)?.type ?? "float";
      const site = sites ? locateParam(sites, source, change.operator, change.param) : undefined;
      const writeBack: PendingChange["writeBack"] = !sites
        ? { kind: "none", reason: this.sourceCache?.sites instanceof Error ? this.sourceCache.sites.message : "the chain file cannot be read" }
        : !site
          ? { kind: "none", reason: `setup() does not add "${change.operator}" by name` }
          : site.kind === "replace"
            ? { kind: "replace", text: site.text }
            : { kind: "insert", reason: site.reason };
      return { ...change, paramType, sourceLine: site?.line ?? 0, writeBack };
    });
    return { type: "pending_changes", hasChanges: changes.length > 0, changes };
  }

  /** The chain file's operators as the parser sees them; parsed again only when the file changed. */
  private sites(): Map<string, OperatorSite> | undefined {
    const file = this.engine.chainFile;
    let stamp: string;
    try {
      const stat = statSync(file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return undefined;
    }
    if (this.sourceCache?.stamp !== stamp) {
      const source = readFileSync(file, "utf8");
      let sites: Map<string, OperatorSite> | Error;
      try {
        sites = locateOperators(file, source);
      } catch (err) {
        sites = err instanceof Error ? err : new Error(String(err));
      }
      this.sourceCache = { stamp, source, sites };
    }
    return this.sourceCache.sites instanceof Error ? undefined : this.sourceCache.sites;
  }

  private send(client: InspectorClient, message: ServerMessage): void {
    client.send(JSON.stringify(message));
  }

  private broadcast(message: ServerMessage): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const client of this.clients) client.send(text);
  }
}
