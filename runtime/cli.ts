#!/usr/bin/env bun
/**
 * `bun vivid [project-dir | chain.ts] [flags]` and its subcommands (`new`, `operators`, `soak`, `devices`).
 * Arguments are parsed with node:util's parseArgs (built in, strict), then checked here so every bad
 * value names its flag.
 * Exit codes: 0 ok, 1 the project failed (missing, bad chain, no GPU), 2 bad command line (an output
 * path that cannot be written included: checked before any work starts).
 */
import { accessSync, constants, existsSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { SOAK_DEFAULTS, type SoakOptions } from "./soak.ts";
import { DISPATCHES, type Dispatch } from "./gpu/dispatch.ts";
import type { NewProjectOptions } from "./new-project.ts";
import { recordTarget, type RecordTarget } from "./record/formats.ts";

export const HELP = `Vivid for Bun ${pkg.version} — live-coded real-time visuals in TypeScript

Usage:
  bun vivid [project-dir | chain.ts] [flags]   run a project (default: the current folder)
  bun vivid new <dir> [--template <name>] [--force] [--no-install]
                                          start a project: chain.ts, package.json, tsconfig.json,
                                          .gitignore, AGENTS.md, then bun install there
  bun vivid operators [name] [--json | --markdown]
                                          list operators and their params
  bun vivid devices                       list audio outputs and inputs (ALSA; AudioIn.device picks one) and the cameras a Webcam can open
  bun vivid soak <project> [soak flags]   run for a long time, re-saving the chain; PASS/FAIL/INCONCLUSIVE on leaks
  bun vivid soak --judge <soak.json> [--max-slope <MB/h>] [--png <out.png>]
                                          judge a saved soak again from its samples (and plot it)
  bun vivid mcp [--inspect-port <N>] [--inspect-host <addr> --inspect-token <T>]
                                          a Model Context Protocol server on stdio for coding
                                          agents, proxying to the running instance's inspector

Flags:
  --headless             render offscreen (no window)
  --frames <N>           exit after N frames (default: run until closed)
  --snapshot <out.png>   save the output as a PNG at --snapshot-frame, then exit (unless --frames)
  --snapshot-frame <N>   frame to capture (default 5)
  --size <WxH>           window / context size (default 1280x720); --window <WxH> is the same
  --fixed-fps <F>        deterministic time: time = frame / F, dt = 1 / F
  --fullscreen           start fullscreen
  --no-vsync             present immediately instead of waiting for vsync
  --fit                  letterbox the output to keep its aspect ratio (default: stretch to the window)
  --no-esc-quit          leave Esc to the chain (default: Esc quits)
  --stats <file.jsonl>   append the stats stream (frames, memory, reloads, errors, debug values, audio, recording, control) as JSON lines
  --no-dashboard         plain lines instead of the terminal dashboard
  --inspect-port <N>     the web inspector's port (default 9876; 0 picks a free one); its link is
                         printed on start (docs/inspector.md)
  --inspect-host <addr>  bind the inspector to this address instead of 127.0.0.1; the link then
                         carries a token every request needs
  --no-inspect           no inspector (a run with --frames or --snapshot has none either)
  --setup-loop-limit <ms>  stop a loop (or recursion) of the chain's that runs longer than this in a
                         module's top level, setup, a build's first cook (its pipelines), a timer or
                         dispose (default 1000)
  --update-loop-limit <ms> the same for one frame's update and cook (default 250)
  --setup-timeout <ms>   fail a reload whose async setup has not settled by then (default 10000);
                         the running chain keeps playing while a new one builds
  --gpu-timeout <ms>     a frame not finished on the GPU by then is reported with its operators, and
                         the run moves to a new device, as after a device loss (default 2000; 30000
                         on a software adapter such as lavapipe, whose frames slow with the machine's load)
  --record <out>         record the output: out.mp4 / out.mov (H.264), out.webm (VP9) or dir/%05d.png
                         (PNGs numbered from 1, file n = --snapshot-frame n); encoded by ffmpeg. With
                         an AudioOutput in the chain, its sound too: AAC (.mp4/.mov), Opus (.webm),
                         or dir/audio.wav beside the PNGs; frame n carries exactly [n/F, (n+1)/F) of it
  --record-fps <F>       frames per second of the recording (default 60, or --fixed-fps); switches on
                         deterministic time like --fixed-fps, and no frame is dropped
  --record-duration <S>  stop after S seconds of video (S × fps frames), then exit
  --record-codec <c>     h264 | h265 (.mp4, .mov), prores (.mov), vp9 (.webm), png (default: the file's)
  --list-monitors        list the monitors (the numbers ctx.outputWindow's monitor takes), then exit
  --osc <port>           listen for OSC on this UDP port: /<operator>/<param> <value…> sets any param
                         (also on while the chain has an OscIn; docs/control.md)
  --midi-learn           a prompt: type operator.param, move a MIDI controller, and it is mapped
                         (prints the ctx.midi.map line to keep it; plain lines, no dashboard)
  --dispatch <path>      fragment | compute: how per-pixel operators run (default: by the GPU — compute
                         on NVIDIA data-centre parts, fragment elsewhere; printed at start)
  -h, --help             this text
  -v, --version          the version
Output paths (--snapshot, --record, --stats, --json, --png) are checked before anything starts: one whose folder
is missing or cannot be written exits 2, naming the flag.

New-project flags:
  -t, --template <name>  blank (default: a gradient and a shape), noise (coloured fractal noise),
                         feedback (trails, params driven by LFOs), 3d (meshes, lights, camera);
                         planned: audio (meanwhile see examples/audio-reactive)
  --force                write into a folder that is not empty (files of the same name are replaced)
  --no-install           write the files only; run bun install yourself

Soak flags (and --headless, --size / --window, --stats, --no-dashboard as for a run: like a run, a
soak shows a window unless --headless or there is no display):
  --minutes <M>          how long (default 30)
  --reload-every <S>     re-save the chain file every S seconds, alternating a param (default: never)
  --warmup-reloads <N>   with --reload-every: first N saves back to back, not counted (default 500)
  --warmup <S>           then S seconds not counted (default 60)
  --warmup-frames <N>    and not before N frames have been drawn (default 10000)
  --max-slope <MB/h>     highest RSS slope after warm-up that passes (default 1). PASS needs the
                         slope's upper 95 % bound under it; FAIL its lower bound over it, in the
                         whole run and in each half alone; else INCONCLUSIVE, with the minutes more
                         that would decide (docs/memory.md)
  --json <out.json>      record and series;  --png <out.png>  RSS plot
  --jit-defaults         keep JavaScriptCore's tier-up thresholds (a soak runs in a child process
                         that lowers them, so code run once a second or every 10 s is compiled in
                         the warm-up, not over the first hour: docs/memory.md, "The JIT's warm-up")
  Exit codes: 0 PASS, 1 FAIL, 3 INCONCLUSIVE.

Examples:
  bun vivid new my-piece --template noise && cd my-piece && bun vivid
  bun vivid examples/02-hello-noise
  bun vivid examples/02-hello-noise --headless --frames 30 --snapshot out.png
`;

export interface RunOptions {
  projectDir: string;
  chainFile: string;
  projectName: string;
  headless: boolean;
  frames?: number;
  snapshot?: string;
  snapshotFrame: number;
  width: number;
  height: number;
  fixedFps?: number;
  fullscreen: boolean;
  vsync: boolean;
  fit: boolean;
  escQuits: boolean;
  stats?: string;
  dashboard: boolean;
  /** `--osc <port>`: a UDP port the runtime listens on for OSC auto-mapping. */
  osc?: number;
  /** `--midi-learn`: map MIDI controllers to params from a terminal prompt. */
  midiLearn?: boolean;
  /** --dispatch: how per-pixel operators run; unset, the adapter rule picks (runtime/gpu/dispatch.ts). */
  dispatch?: Dispatch;
  soak?: SoakOptions;
  /** The web inspector's address; undefined: none (--no-inspect, a batch run, a soak). */
  inspect?: { port: number; host: string };
  /** --setup-loop-limit / --update-loop-limit (ms): how long the chain's code may hold the thread. */
  loopLimits?: { setupMs?: number; updateMs?: number };
  /** --setup-timeout (ms): how long an async setup may take to settle. */
  setupTimeoutMs?: number;
  /** --gpu-timeout (ms): how long a frame may take on the GPU before the device is replaced. */
  gpuTimeoutMs?: number;
  /** --record: what to write; its fps is also fixedFps (deterministic time). */
  record?: RecordRunOptions;
}

export interface RecordRunOptions {
  target: RecordTarget;
  fps: number;
  /** --record-duration in seconds; undefined: until the run ends. */
  durationS?: number;
}

export class UsageError extends Error {
  override name = "UsageError";
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} expects a whole number ≥ 1, got "${value}"`);
  return n;
}

function udpPort(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new UsageError(`${flag} expects a UDP port, a whole number in 1..65535, got "${value}"`);
  return n;
}

function dispatchFlag(value: string): Dispatch {
  if (!(DISPATCHES as readonly string[]).includes(value)) throw new UsageError(`--dispatch expects ${DISPATCHES.join(" or ")}, got "${value}"`);
  return value as Dispatch;
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} expects a number > 0, got "${value}"`);
  return n;
}

/** The options both commands share for the size: `--size` and `--window` are one flag under two names. */
const SIZE_OPTIONS = { size: { type: "string" }, window: { type: "string" } } as const;

/** The window / context size from --size or --window (default 1280x720). */
function sizeFlag(values: { size?: string; window?: string }): [number, number] {
  if (values.size !== undefined && values.window !== undefined) throw new UsageError("--size and --window are the same flag; give one");
  if (values.size !== undefined) return size("--size", values.size);
  if (values.window !== undefined) return size("--window", values.window);
  return [1280, 720];
}

function size(flag: string, value: string): [number, number] {
  const match = /^(\d+)x(\d+)$/i.exec(value);
  const w = Number(match?.[1]);
  const h = Number(match?.[2]);
  if (!match || w < 1 || h < 1 || w > 16384 || h > 16384) throw new UsageError(`${flag} expects WIDTHxHEIGHT such as 1280x720, got "${value}"`);
  return [w, h];
}

/** Where the chain file is for a project argument: a folder (its chain.ts) or a .ts file. */
export function locateProject(arg: string): { projectDir: string; chainFile: string } {
  const path = resolve(arg);
  if (!existsSync(path)) throw new ProjectError(`project not found: ${arg} (expected a folder with chain.ts, or a chain .ts file)`);
  if (statSync(path).isDirectory()) {
    const chainFile = join(path, "chain.ts");
    if (!existsSync(chainFile)) throw new ProjectError(`${arg === "." ? "this folder" : arg}: no chain.ts in this folder (bun vivid new <dir> starts a project)`);
    return { projectDir: path, chainFile };
  }
  return { projectDir: dirname(path), chainFile: path };
}

/**
 * Checks an output path before any work starts, so a run never renders for minutes and then fails to
 * write: it is not a folder, its folder exists (with `createsFolder`, as --stats does, the nearest
 * folder that exists) and can be written into, and an existing file can be overwritten. Throws a
 * UsageError naming the flag (exit 2).
 */
export function checkOutputPath(flag: string, path: string, createsFolder = false): void {
  const full = resolve(path);
  if (existsSync(full)) {
    if (statSync(full).isDirectory()) throw new UsageError(`${flag} ${path}: is a folder; give a file path`);
    requireWritable(flag, path, full, "the file");
    return;
  }
  let folder = dirname(full);
  if (createsFolder) while (!existsSync(folder)) folder = dirname(folder);
  else if (!existsSync(folder)) throw new UsageError(`${flag} ${path}: folder ${folder} does not exist`);
  if (!statSync(folder).isDirectory()) throw new UsageError(`${flag} ${path}: ${folder} is a file, not a folder`);
  requireWritable(flag, path, folder, `folder ${folder}`);
}

function requireWritable(flag: string, path: string, target: string, what: string): void {
  try {
    accessSync(target, constants.W_OK);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UsageError(`${flag} ${path}: cannot write to ${what}${typeof code === "string" ? ` (${code === "EROFS" ? "read-only file system" : code === "EACCES" ? "permission denied" : code})` : ""}`);
  }
}

export class ProjectError extends Error {
  override name = "ProjectError";
}

export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "run"; options: RunOptions }
  | { kind: "operators"; name?: string; format: "text" | "json" | "markdown" }
  | { kind: "devices" }
  | { kind: "monitors" }
  | { kind: "new"; options: NewProjectOptions }
  | { kind: "judge"; file: string; maxSlopeMBh?: number; png?: string }
  | { kind: "mcp"; port: number; host: string; token?: string };

/** Parses argv (without `bun` and the script). Throws UsageError for a bad command line. */
export function parseCommand(argv: string[]): Command {
  if (argv[0] === "operators") return parseOperatorsCommand(argv.slice(1));
  if (argv[0] === "soak") return parseSoakCommand(argv.slice(1));
  if (argv[0] === "new") return parseNewCommand(argv.slice(1));
  if (argv[0] === "mcp") return parseMcpCommand(argv.slice(1));
  if (argv[0] === "devices") {
    if (argv.length > 1) throw new UsageError(`devices takes no arguments (got ${argv.slice(1).join(" ")})`);
    return { kind: "devices" };
  }
  const parsed = parseFlags(argv, {
    headless: { type: "boolean" },
    frames: { type: "string" },
    snapshot: { type: "string" },
    "snapshot-frame": { type: "string" },
    ...SIZE_OPTIONS,
    "fixed-fps": { type: "string" },
    fullscreen: { type: "boolean" },
    "no-vsync": { type: "boolean" },
    fit: { type: "boolean" },
    "no-esc-quit": { type: "boolean" },
    stats: { type: "string" },
    "no-dashboard": { type: "boolean" },
    "inspect-port": { type: "string" },
    "inspect-host": { type: "string" },
    "no-inspect": { type: "boolean" },
    "setup-loop-limit": { type: "string" },
    "update-loop-limit": { type: "string" },
    "setup-timeout": { type: "string" },
    "gpu-timeout": { type: "string" },
    record: { type: "string" },
    "record-fps": { type: "string" },
    "record-duration": { type: "string" },
    "record-codec": { type: "string" },
    "list-monitors": { type: "boolean" },
    osc: { type: "string" },
    "midi-learn": { type: "boolean" },
    dispatch: { type: "string" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
  });
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  if (values["list-monitors"]) return { kind: "monitors" };
  if (positionals.length > 1) throw new UsageError(`expected one project, got ${positionals.length}: ${positionals.join(" ")}`);
  const [width, height] = sizeFlag(values);
  if (values.snapshot !== undefined && !/\.png$/i.test(values.snapshot)) throw new UsageError(`--snapshot expects a .png path, got "${values.snapshot}"`);
  if (values.snapshot !== undefined) checkOutputPath("--snapshot", values.snapshot);
  if (values.stats !== undefined) checkOutputPath("--stats", values.stats, true);
  const fixedFps = values["fixed-fps"] !== undefined ? positiveNumber("--fixed-fps", values["fixed-fps"]) : undefined;
  const record = recordFlags(values, fixedFps);
  // No argument: the current folder, as in a project made by `vivid new`.
  const project = positionals[0] ?? ".";
  const options: RunOptions = {
    projectDir: "",
    chainFile: "",
    projectName: basename(resolve(project)).replace(/\.ts$/, ""),
    headless: values.headless ?? false,
    frames: values.frames !== undefined ? positiveInt("--frames", values.frames) : undefined,
    snapshot: values.snapshot,
    snapshotFrame: values["snapshot-frame"] !== undefined ? positiveInt("--snapshot-frame", values["snapshot-frame"]) : 5,
    width,
    height,
    fixedFps: record?.fps ?? fixedFps,
    fullscreen: values.fullscreen ?? false,
    vsync: !values["no-vsync"],
    fit: values.fit ?? false,
    escQuits: !values["no-esc-quit"],
    stats: values.stats,
    dashboard: !values["no-dashboard"],
    inspect: inspectFlags(values, values.frames !== undefined || values.snapshot !== undefined),
    loopLimits: {
      setupMs: values["setup-loop-limit"] !== undefined ? positiveNumber("--setup-loop-limit", values["setup-loop-limit"]) : undefined,
      updateMs: values["update-loop-limit"] !== undefined ? positiveNumber("--update-loop-limit", values["update-loop-limit"]) : undefined,
    },
    setupTimeoutMs: values["setup-timeout"] !== undefined ? positiveNumber("--setup-timeout", values["setup-timeout"]) : undefined,
    gpuTimeoutMs: values["gpu-timeout"] !== undefined ? positiveNumber("--gpu-timeout", values["gpu-timeout"]) : undefined,
    record,
    osc: values.osc !== undefined ? udpPort("--osc", values.osc) : undefined,
    midiLearn: values["midi-learn"] ?? false,
    dispatch: values.dispatch !== undefined ? dispatchFlag(values.dispatch) : undefined,
  };
  const located = locateProject(project);
  options.projectDir = located.projectDir;
  options.chainFile = located.chainFile;
  return { kind: "run", options };
}

/**
 * --record and its companions. The recording's fps is also the run's fixed fps (deterministic time,
 * as the original's --record-fps): --record-fps, else --fixed-fps, else 60; the two flags given with
 * different values is a usage error. The output path is checked like --snapshot's.
 */
function recordFlags(
  values: { record?: string; "record-fps"?: string; "record-duration"?: string; "record-codec"?: string },
  fixedFps: number | undefined,
): RecordRunOptions | undefined {
  if (values.record === undefined) {
    for (const flag of ["record-fps", "record-duration", "record-codec"] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --record <out>`);
    }
    return undefined;
  }
  const target = recordTarget(resolve(values.record), values["record-codec"]);
  if ("error" in target) throw new UsageError(target.error.startsWith("--") ? target.error : `--record ${target.error}`);
  checkOutputPath("--record", values.record);
  let fps = fixedFps ?? 60;
  if (values["record-fps"] !== undefined) {
    fps = positiveNumber("--record-fps", values["record-fps"]);
    if (fixedFps !== undefined && fixedFps !== fps) throw new UsageError(`--record-fps ${fps} and --fixed-fps ${fixedFps} disagree: --record-fps sets the fixed fps too, give one`);
  }
  const durationS = values["record-duration"] !== undefined ? positiveNumber("--record-duration", values["record-duration"]) : undefined;
  return { target, fps, durationS };
}

/** --inspect-port / --inspect-host / --no-inspect; a batch run (`batch`) has no inspector. */
function inspectFlags(values: { "inspect-port"?: string; "inspect-host"?: string; "no-inspect"?: boolean }, batch: boolean): RunOptions["inspect"] {
  const port = values["inspect-port"] !== undefined ? portFlag("--inspect-port", values["inspect-port"]) : 9876;
  const host = values["inspect-host"] ?? "127.0.0.1";
  if (values["inspect-host"] !== undefined && host.trim() === "") throw new UsageError(`--inspect-host expects an address such as 0.0.0.0, got ""`);
  if (values["no-inspect"]) {
    if (values["inspect-port"] !== undefined || values["inspect-host"] !== undefined) throw new UsageError("--no-inspect and --inspect-port / --inspect-host contradict each other; give one");
    return undefined;
  }
  return batch ? undefined : { port, host };
}

function portFlag(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new UsageError(`${flag} expects a port number 0..65535, got "${value}"`);
  return n;
}

function parseMcpCommand(argv: string[]): Command {
  const parsed = parseFlags(argv, { "inspect-port": { type: "string" }, "inspect-host": { type: "string" }, "inspect-token": { type: "string" }, help: { type: "boolean", short: "h" } });
  if (parsed.values.help) return { kind: "help" };
  if (parsed.positionals.length) throw new UsageError(`mcp takes no project: it talks to the instance already running (got ${parsed.positionals.join(" ")})`);
  const port = parsed.values["inspect-port"] !== undefined ? portFlag("--inspect-port", parsed.values["inspect-port"]) : 9876;
  if (port === 0) throw new UsageError("--inspect-port for mcp is the running instance's port, not 0");
  return { kind: "mcp", port, host: parsed.values["inspect-host"] ?? "127.0.0.1", token: parsed.values["inspect-token"] };
}

/** node:util's strict parseArgs over `options`; a bad flag becomes a UsageError naming it (exit 2). */
function parseFlags<const O extends ParseArgsOptionsConfig>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (err) {
    throw new UsageError(usageMessage(err));
  }
}

function parseSoakCommand(argv: string[]): Command {
  const parsed = parseFlags(argv, {
    minutes: { type: "string" },
    "reload-every": { type: "string" },
    headless: { type: "boolean" },
    ...SIZE_OPTIONS,
    warmup: { type: "string" },
    "warmup-reloads": { type: "string" },
    "warmup-frames": { type: "string" },
    "max-slope": { type: "string" },
    json: { type: "string" },
    png: { type: "string" },
    stats: { type: "string" },
    "no-dashboard": { type: "boolean" },
    "jit-defaults": { type: "boolean" },
    judge: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.judge !== undefined) {
    const runOnly = ["minutes", "reload-every", "headless", "window", "size", "warmup", "warmup-reloads", "warmup-frames", "json", "stats", "no-dashboard", "jit-defaults"] as const;
    const stray = runOnly.filter((flag) => values[flag] !== undefined);
    if (stray.length) throw new UsageError(`--judge re-judges a saved soak; it takes only --max-slope and --png, not --${stray.join(", --")}`);
    if (positionals.length) throw new UsageError(`--judge takes a saved soak.json, not a project (got ${positionals.join(" ")})`);
    const maxSlope = values["max-slope"];
    if (maxSlope !== undefined && (maxSlope.trim() === "" || !Number.isFinite(Number(maxSlope)) || Number(maxSlope) < 0)) throw new UsageError(`--max-slope expects a number ≥ 0, got "${maxSlope}"`);
    if (values.png !== undefined) checkOutputPath("--png", values.png);
    return { kind: "judge", file: values.judge, maxSlopeMBh: maxSlope === undefined ? undefined : Number(maxSlope), png: values.png };
  }
  if (positionals.length !== 1) throw new UsageError("soak expects one project (try: bun vivid soak examples/02-hello-noise --minutes 1)");
  const nonNegative = (flag: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} expects a number ≥ 0, got "${value}"`);
    return n;
  };
  const [width, height] = sizeFlag(values);
  if (values.json !== undefined) checkOutputPath("--json", values.json);
  if (values.png !== undefined) checkOutputPath("--png", values.png);
  if (values.stats !== undefined) checkOutputPath("--stats", values.stats, true);
  const located = locateProject(positionals[0]!);
  const soak: SoakOptions = {
    minutes: nonNegative("--minutes", values.minutes, SOAK_DEFAULTS.minutes),
    reloadEvery: nonNegative("--reload-every", values["reload-every"], SOAK_DEFAULTS.reloadEvery),
    warmupSeconds: nonNegative("--warmup", values.warmup, SOAK_DEFAULTS.warmupSeconds),
    warmupReloads: nonNegative("--warmup-reloads", values["warmup-reloads"], SOAK_DEFAULTS.warmupReloads),
    warmupFrames: nonNegative("--warmup-frames", values["warmup-frames"], SOAK_DEFAULTS.warmupFrames),
    maxSlopeMBh: nonNegative("--max-slope", values["max-slope"], SOAK_DEFAULTS.maxSlopeMBh),
    jitDefaults: values["jit-defaults"] ?? SOAK_DEFAULTS.jitDefaults,
    json: values.json,
    png: values.png,
  };
  return {
    kind: "run",
    options: {
      ...located,
      projectName: basename(located.projectDir),
      headless: values.headless ?? false,
      snapshotFrame: 5,
      width,
      height,
      fullscreen: false,
      vsync: true,
      fit: false,
      escQuits: true,
      stats: values.stats,
      dashboard: !values["no-dashboard"],
      soak,
    },
  };
}

function parseOperatorsCommand(argv: string[]): Command {
  const parsed = parseFlags(argv, { json: { type: "boolean" }, markdown: { type: "boolean" }, help: { type: "boolean", short: "h" } });
  if (parsed.values.help) return { kind: "help" };
  if (parsed.positionals.length > 1) throw new UsageError(`operators takes at most one name, got ${parsed.positionals.join(" ")}`);
  if (parsed.values.json && parsed.values.markdown) throw new UsageError("--json and --markdown are two formats; give one");
  const format = parsed.values.json ? "json" : parsed.values.markdown ? "markdown" : "text";
  return { kind: "operators", name: parsed.positionals[0], format };
}

function parseNewCommand(argv: string[]): Command {
  const parsed = parseFlags(argv, {
    template: { type: "string", short: "t" },
    force: { type: "boolean" },
    "no-install": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (positionals.length !== 1) throw new UsageError(`new expects one folder, got ${positionals.length ? positionals.join(" ") : "none"} (try: bun vivid new my-piece)`);
  return { kind: "new", options: { dir: positionals[0]!, template: values.template ?? "blank", force: values.force ?? false, install: !values["no-install"] } };
}

/** parseArgs' messages, reworded so each names the flag and what to do. */
function usageMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]} (see bun vivid --help)`;
  const missing = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value (see bun vivid --help)`;
  const boolean = /Option '(--[\w-]+)' does not take an argument/.exec(message);
  if (boolean) return `${boolean[1]} takes no value`;
  return message;
}

export async function main(argv: string[]): Promise<number> {
  // React's development build makes an Error object per element per dashboard redraw.
  process.env.NODE_ENV ??= "production";
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`vivid: ${err.message}`);
      return 2;
    }
    if (err instanceof ProjectError) {
      console.error(`vivid: ${err.message}`);
      return 1;
    }
    throw err;
  }
  if (command.kind === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  if (command.kind === "version") {
    console.log(pkg.version);
    return 0;
  }
  if (command.kind === "operators") {
    const { listOperators } = await import("./operators-list.ts");
    return listOperators(command.name, command.format);
  }
  if (command.kind === "monitors") {
    const { listMonitors } = await import("./window/window.ts");
    const monitors = listMonitors();
    if ("error" in monitors) {
      console.error(`vivid: ${monitors.error}`);
      return 1;
    }
    for (const m of monitors) console.log(`${m.index}  ${m.name}  ${m.width}x${m.height} @ ${m.refreshRate} Hz  at (${m.x}, ${m.y})${m.primary ? "  primary" : ""}`);
    return 0;
  }
  if (command.kind === "devices") {
    const { printDevices } = await import("./devices.ts");
    return printDevices();
  }
  if (command.kind === "new") {
    const { NewProjectError, newProject } = await import("./new-project.ts");
    try {
      return newProject(command.options);
    } catch (err) {
      if (!(err instanceof NewProjectError)) throw err;
      console.error(`vivid: ${err.message}`);
      return err.exitCode;
    }
  }
  if (command.kind === "judge") {
    const { SOAK_EXIT_CODES, formatVerdict, judgeSavedSoak, plotRss } = await import("./soak.ts");
    let verdict;
    try {
      verdict = judgeSavedSoak(command.file, command.maxSlopeMBh);
    } catch (err) {
      console.error(`vivid: ${err instanceof Error ? err.message : String(err)}`);
      return 2;
    }
    console.log(formatVerdict(verdict));
    if (command.png) writeFileSync(command.png, plotRss(verdict, basename(command.file)));
    return SOAK_EXIT_CODES[verdict.result];
  }
  if (command.kind === "mcp") {
    const { runMcpServer } = await import("./inspector/mcp.ts");
    return runMcpServer({ port: command.port, host: command.host, token: command.token, version: pkg.version });
  }
  if (command.options.soak) {
    const { soakNeedsChild, runSoakChild } = await import("./soak-jit.ts");
    if (soakNeedsChild(command.options.soak.jitDefaults)) return runSoakChild(import.meta.path, argv);
  }
  const { run } = await import("./main.ts");
  return run(command.options);
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
