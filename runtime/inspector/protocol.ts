/**
 * The inspector's WebSocket protocol: one union per direction is the whole of it (docs/inspector.md
 * describes each message). JSON text messages with a `type`; thumbnails are the one binary message.
 * The names of the original's editor bridge are kept (`param_change`, `solo_node`, `request_operators`
 * → `operator_list` + `param_values`, `compile_status`, `performance_stats`, `pending_changes` …), so
 * an editor extension written for it finds what it expects; the rest is ours. A client may put an `id`
 * on any request; the replies to it carry the same `id`.
 */
import type { ParamType, ParamValue } from "../chain/params.ts";
import type { ErrorLocation, GrowthSummary, ReloadEvent } from "../stats/events.ts";

export type ClientMessage =
  | { type: "reload"; id?: RequestId }
  | { type: "param_change"; id?: RequestId; operator: string; param: string; value: unknown }
  | { type: "solo_node"; id?: RequestId; operator: string }
  | { type: "solo_exit"; id?: RequestId }
  | { type: "bypass_node"; id?: RequestId; operator: string; bypass: boolean }
  | { type: "request_operators"; id?: RequestId }
  | { type: "request_pending_changes"; id?: RequestId }
  | { type: "commit_changes"; id?: RequestId }
  | { type: "discard_changes"; id?: RequestId }
  | { type: "request_status"; id?: RequestId }
  /** `gc: true` runs a full collection first (a few ms on the frame thread), so `heapBytes` is what is kept: for leak checks. */
  | { type: "request_stats"; id?: RequestId; gc?: boolean }
  | { type: "snapshot"; id?: RequestId; operator?: string }
  | { type: "watch_thumbnails"; id?: RequestId; on: boolean };

export type RequestId = string | number;

export interface OperatorEntry {
  name: string;
  /** The operator's class (the original's displayName). */
  displayName: string;
  outputType: string;
  /** 1-based line of its `chain.add` in the chain file (0 when setup does not add it by a string name). */
  sourceLine: number;
  inputs: string[];
  bypass: boolean;
  /** Whether this operator is the one `chain.output` names. */
  output: boolean;
}

export interface ParamEntry {
  operator: string;
  name: string;
  type: ParamType;
  value: ParamValue;
  default: ParamValue;
  min?: number;
  max?: number;
  options?: readonly string[];
  /** Driven by `bind`/`bindDirect` every frame: a slider edit drops the binding, as assignment does. */
  bound: boolean;
}

export interface PendingChange {
  operator: string;
  param: string;
  paramType: ParamType;
  /** The value before the first uncommitted edit (what discard goes back to). */
  oldValue: ParamValue;
  newValue: ParamValue;
  /** The line commit rewrites, or the line a new statement goes after (see `writeBack`). */
  sourceLine: number;
  /** `replace`: the literal on `sourceLine` is rewritten; `insert`: a new line, with `reason`. */
  writeBack: { kind: "replace" | "insert"; reason?: string; text?: string } | { kind: "none"; reason: string };
  timestamp: number;
}

export type ServerMessage =
  | { type: "hello"; project: string; chainFile: string; version: string }
  | { type: "operator_list"; id?: RequestId; operators: OperatorEntry[] }
  | { type: "param_values"; id?: RequestId; params: ParamEntry[]; values: Record<string, number> }
  | { type: "solo_state"; id?: RequestId; active: boolean; operator: string | null }
  | { type: "pending_changes"; id?: RequestId; hasChanges: boolean; changes: PendingChange[] }
  | { type: "param_applied"; id?: RequestId; operator: string; param: string; value: ParamValue; frame: number }
  | { type: "commit_result"; id?: RequestId; ok: boolean; message?: string; edits: Array<{ operator: string; param: string; kind: "replace" | "insert"; line: number; text: string }> }
  | { type: "compile_status"; id?: RequestId; success: boolean; message: string; error: ErrorLocation | null }
  | { type: "runtime_status"; id?: RequestId; project: string; chainFile: string; frame: number; error: (ErrorLocation & { count?: number }) | null; lastReload: ReloadEvent | null }
  | { type: "performance_stats"; id?: RequestId; fps: number; frameTimeMs: number; frameTimeP99Ms: number; frameTimeHistory: number[]; textureMemoryBytes: number; bufferMemoryBytes: number }
  | { type: "memory"; id?: RequestId; rssMB: number; heapMB: number; gpuMB: number; leak: GrowthSummary | null }
  | { type: "census"; id?: RequestId; live: Record<string, number>; owners: Record<string, { live: number; bytes: number }> }
  | { type: "ledger"; entry: ReloadEvent }
  | { type: "runtime_error"; error: ErrorLocation & { count?: number } }
  | { type: "debug_values"; values: Array<{ name: string; value: number | boolean | string }> }
  | { type: "inspector_stats"; id?: RequestId; received: number; applied: number; boundaries: number; queuedMax: number; thumbnails: number; heapBytes: number }
  | { type: "snapshot"; id?: RequestId; operator: string; width: number; height: number; png: string }
  | { type: "request_error"; id?: RequestId; request: string; message: string };

const REQUEST_TYPES = new Set<ClientMessage["type"]>([
  "reload",
  "param_change",
  "solo_node",
  "solo_exit",
  "bypass_node",
  "request_operators",
  "request_pending_changes",
  "commit_changes",
  "discard_changes",
  "request_status",
  "request_stats",
  "snapshot",
  "watch_thumbnails",
]);

/**
 * Checks a text frame's shape (not its operator or param names: those are checked at the frame
 * boundary against the running chain). Returns the message or a reason it was refused.
 */
export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; message: string; id?: RequestId; request: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, message: `not JSON: ${text.slice(0, 80)}`, request: "?" };
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return { ok: false, message: "a message is a JSON object with a \"type\"", request: "?" };
  const record = data as Record<string, unknown>;
  const id = typeof record.id === "string" || typeof record.id === "number" ? record.id : undefined;
  const type = record.type;
  const fail = (message: string) => ({ ok: false as const, message, id, request: String(type) });
  if (typeof type !== "string" || !REQUEST_TYPES.has(type as ClientMessage["type"])) {
    return fail(`unknown message type ${JSON.stringify(type)} (known: ${[...REQUEST_TYPES].join(", ")})`);
  }
  const needString = (field: string) => (typeof record[field] === "string" && record[field] !== "" ? undefined : `${type} needs "${field}" (a non-empty string)`);
  let problem: string | undefined;
  if (type === "param_change") problem = needString("operator") ?? needString("param") ?? (record.value === undefined ? `param_change needs "value"` : undefined);
  else if (type === "solo_node") problem = needString("operator");
  else if (type === "bypass_node") problem = needString("operator") ?? (typeof record.bypass === "boolean" ? undefined : `bypass_node needs "bypass" (true or false)`);
  else if (type === "snapshot") problem = record.operator === undefined || typeof record.operator === "string" ? undefined : `snapshot's "operator" is a string (or absent: the screen)`;
  else if (type === "request_stats") problem = record.gc === undefined || typeof record.gc === "boolean" ? undefined : `request_stats's "gc" is true or false (or absent)`;
  else if (type === "watch_thumbnails") problem = typeof record.on === "boolean" ? undefined : `watch_thumbnails needs "on" (true or false)`;
  if (problem) return fail(problem);
  return { ok: true, message: record as unknown as ClientMessage };
}

/**
 * Thumbnails travel as one binary message: a 4-byte little-endian length, that many bytes of JSON
 * `{ cellWidth, cellHeight, columns, operators: [name…] }`, then the atlas's RGBA8 rows (`columns`
 * cells across, rows of cells in the order of `operators`).
 */
export function encodeThumbnails(header: { cellWidth: number; cellHeight: number; columns: number; operators: string[] }, rgba: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.length + rgba.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(rgba, 4 + json.length);
  return out;
}

export function decodeThumbnails(data: Uint8Array): { header: { cellWidth: number; cellHeight: number; columns: number; operators: string[] }; rgba: Uint8Array } {
  const length = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + length)));
  return { header, rgba: data.subarray(4 + length) };
}
