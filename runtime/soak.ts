/**
 * `bun vivid soak`: runs a chain for M minutes, re-saving its chain file every S seconds with a
 * harmless edit (the first numeric param assignment alternates between its value and value + 1%,
 * written like an editor does: temp file + rename, so it goes through the real watcher), and ends
 * with a verdict:
 *
 * Warm-up: with reloads, first `warmupReloads` of them saved back to back (the next save as soon as
 * the last one's reload has landed); then `warmupSeconds` at the normal pace, so the memory the fast
 * saves had in flight settles before the first sample that counts; and in any case not before
 * `warmupFrames` frames have been drawn. JavaScriptCore compiles code to its faster tiers by
 * execution counts, and each tier-up keeps memory (the new code and what the compiler records
 * about it). The code that runs once per save needs a few hundred saves: at one save every 2 s that
 * alone would be the first ~20 minutes, so the warm-up runs those saves first. The code that runs
 * once per frame reaches its last tier (FTL) after some thousands of frames: on the 2-core box,
 * where hello-noise draws 13 frames a second, its FTL compiles came until ~7 300 frames (9 min).
 * Code that runs once a second or every 10 s (the stats, the dashboard) would need an hour or more:
 * the soak runs in a child process whose JavaScriptCore tiers code up after far fewer runs
 * (runtime/soak-jit.ts). The measured part then holds only the steady state (docs/memory.md).
 *
 *   FAIL when GPU bytes at the end differ from those at warm-up, a census live count differs, a
 *   long-lived GPU object (pipeline, bind group, texture, buffer…) was created after warm-up, a
 *   reload failed, or RSS grows over maxSlopeMBh in a sustained way (judgeGrowth: the lower 95 %
 *   bound of the Theil–Sen slope of 1-minute floors (second-lowest sample of each minute) over the limit, also in each half alone);
 *   PASS when the census checks hold and the upper bound is at or under maxSlopeMBh;
 *   INCONCLUSIVE otherwise (too short to tell), with the minutes more that would decide.
 *
 * The record and its series go to --json (and an RSS plot to --png) for the docs table;
 * `bun vivid soak --judge` judges a saved record again.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { GPU_KINDS, PER_FRAME_KINDS, createdSince, type CensusSnapshot, type GpuKind } from "./gpu/census.ts";
import type { Gpu } from "./gpu/gpu.ts";
import { type GrowthJudgement, growthSummary, judgeGrowth } from "./stats/growth.ts";
import { formatGrowthShort, formatLocation } from "./stats/format.ts";
import { median } from "./stats/math.ts";
import { Raster, type Rgb, niceTicks } from "./plot.ts";
import type { ErrorLocation, MemoryEvent, SoakEntry, StatsEvent } from "./stats/events.ts";
import { encodePng } from "./snapshot.ts";
import { type MemoryBreakdown, memoryBreakdown } from "./stats/breakdown.ts";

/** What JavaScriptCore accounts for, as a sample records it (MemoryBreakdown.owners), one column each. */
const OWNER_KEYS = ["jsHeapMB", "jsCapacityMB", "jsExtraMB"] as const;

export interface SoakOptions {
  minutes: number;
  /** Seconds between re-saves of the chain file; 0 = no reloads. */
  reloadEvery: number;
  /** Seconds that do not count (first compiles, allocator growth); with reloads, after the back-to-back ones. */
  warmupSeconds: number;
  /** With reloads: saves made back to back before measuring (JIT warm-up of the reload path). */
  warmupReloads: number;
  /** Frames drawn before measuring, whatever the time (JIT warm-up of the frame path). */
  warmupFrames: number;
  /** Highest RSS slope after warm-up that passes (MB/h). */
  maxSlopeMBh: number;
  /** `--jit-defaults`: soak in this process with JavaScriptCore's own tier-up thresholds (runtime/soak-jit.ts). */
  jitDefaults: boolean;
  json?: string;
  png?: string;
}

export const SOAK_DEFAULTS = { minutes: 30, reloadEvery: 0, warmupSeconds: 60, warmupReloads: 500, warmupFrames: 10_000, maxSlopeMBh: 1, jitDefaults: false } as const;

export interface Sample {
  t: number;
  rssMB: number;
  heapMB: number;
  gpuMB: number;
  /** Where the RSS is (mappings, JIT time), read right after the sample: what grew, when something grows. */
  detail?: MemoryBreakdown;
}

/**
 * The soak's memory samples, column by column in arrays sized for the whole run at the start, so
 * that the soak's own record does not grow the heap it measures (an array of sample objects with
 * their breakdowns grew it by ~0.2 MB/h). Only a mapping kind seen for the first time adds a column.
 */
export class SampleSeries {
  length = 0;
  private capacity: number;
  private columns = new Map<string, Float64Array>();

  constructor(expected: number) {
    this.capacity = Math.max(8, Math.ceil(expected));
  }

  private column(name: string): Float64Array {
    let column = this.columns.get(name);
    if (!column) {
      column = new Float64Array(this.capacity).fill(Number.NaN);
      this.columns.set(name, column);
    }
    return column;
  }

  push(sample: Sample): void {
    if (this.length === this.capacity) {
      // Ran past the expected length (a slow last frame): grow once by half.
      this.capacity = Math.ceil(this.capacity * 1.5);
      for (const [name, old] of this.columns) {
        const grown = new Float64Array(this.capacity).fill(Number.NaN);
        grown.set(old);
        this.columns.set(name, grown);
      }
    }
    const i = this.length++;
    this.column("t")[i] = sample.t;
    this.column("rssMB")[i] = sample.rssMB;
    this.column("heapMB")[i] = sample.heapMB;
    this.column("gpuMB")[i] = sample.gpuMB;
    if (!sample.detail) return;
    this.column("jitCompileMs")[i] = sample.detail.jitCompileMs ?? Number.NaN;
    for (const name in sample.detail.regionsMB) this.column(`region:${name}`)[i] = sample.detail.regionsMB[name]!;
    const owners = sample.detail.owners;
    if (owners) for (const name of OWNER_KEYS) this.column(`owner:${name}`)[i] = owners[name];
  }

  /** One column's values so far (a view, not a copy): "t", "rssMB", "heapMB", "gpuMB". */
  values(name: "t" | "rssMB" | "heapMB" | "gpuMB"): Float64Array {
    return this.column(name).subarray(0, this.length);
  }

  /** The samples as objects, for the verdict and its JSON. */
  toArray(): Sample[] {
    const out: Sample[] = [];
    const col = (name: string) => this.columns.get(name)!;
    const regions = [...this.columns.keys()].filter((name) => name.startsWith("region:"));
    for (let i = 0; i < this.length; i++) {
      const sample: Sample = { t: col("t")[i]!, rssMB: col("rssMB")[i]!, heapMB: col("heapMB")[i]!, gpuMB: col("gpuMB")[i]! };
      const jit = this.columns.get("jitCompileMs")?.[i];
      if (jit !== undefined) {
        const regionsMB: Record<string, number> = {};
        for (const name of regions) {
          const value = col(name)[i]!;
          if (!Number.isNaN(value)) regionsMB[name.slice("region:".length)] = value;
        }
        sample.detail = { jitCompileMs: Number.isNaN(jit) ? null : jit, regionsMB };
        const heap = this.columns.get("owner:jsHeapMB")?.[i];
        if (heap !== undefined && !Number.isNaN(heap)) {
          const owners = {} as NonNullable<MemoryBreakdown["owners"]>;
          for (const name of OWNER_KEYS) owners[name] = col(`owner:${name}`)[i]!;
          sample.detail.owners = owners;
        }
      }
      out.push(sample);
    }
    return out;
  }
}

/**
 * What a soak measured: everything its verdict is judged from. `--json` saves it (with the
 * verdict beside it, for reading) and `bun vivid soak --judge` judges it again from these facts
 * alone, never from a stored verdict.
 */
export interface SoakRecord {
  minutes: number;
  frames: number;
  reloads: number;
  reloadsFailed: number;
  /** Reloads during the warm-up (the back-to-back ones and those at the normal pace after them). */
  warmupReloads: number;
  /** Seconds from start to the end of the warm-up (the first sample counted), null if never warm. */
  warmupEndS: number | null;
  /** Frames drawn during the warm-up. */
  warmupFrames: number;
  errors: number;
  /**
   * What the failed reloads and the errors said, the first SOAK_PROBLEMS_KEPT of them, each once with
   * the time it first came (`412.3 s reload failed: chain.ts:34:28: LoopStarvedError: …`): a FAIL for
   * a failed reload names it.
   */
  problems?: string[];
  frameMsP99: number;
  gpuBytesStart: number;
  gpuBytesEnd: number;
  liveStart: Partial<Record<GpuKind, number>>;
  liveEnd: Partial<Record<GpuKind, number>>;
  createdAfterWarmup: Partial<Record<GpuKind, number>>;
  samples: Sample[];
}

export type SoakResult = "PASS" | "FAIL" | "INCONCLUSIVE";

/** How many distinct failed-reload and error messages a soak's record keeps. */
export const SOAK_PROBLEMS_KEPT = 10;

export interface SoakVerdict extends SoakRecord {
  /**
   * PASS: the RSS slope is bounded under --max-slope and the census checks hold. FAIL: a census
   * check failed, or RSS grows over the limit in a sustained way. INCONCLUSIVE: the samples cannot
   * tell yet (the `rss` judgement says how many more minutes would).
   */
  result: SoakResult;
  reasons: string[];
  maxSlopeMBh: number;
  /** The RSS judgement (runtime/stats/growth.ts): slope, bounds, halves, noise, minutes more. */
  rss: GrowthJudgement;
  rssStartMB: number;
  rssEndMB: number;
  /** Theil–Sen slopes after warm-up: of 1-minute floors for RSS (rss.slopeMBh), of medians for the heap and GPU bytes. */
  rssSlopeMBh: number | null;
  heapSlopeMBh: number | null;
  gpuSlopeMBh: number | null;
}

/** What the verdict needs to know of the soak's options; a saved record carries them in `options`. */
export interface SoakJudgeOptions {
  maxSlopeMBh: number;
  /** With reloads, failed reloads fail the soak. */
  reloadEvery: number;
}

/** The samples that count: from the end of the warm-up on. */
export function samplesAfterWarmup(samples: readonly Sample[], warmupEndS: number | null): Sample[] {
  return warmupEndS === null ? [] : samples.filter((s) => s.t >= warmupEndS);
}

/**
 * The verdict on a soak's record. The census checks are exact (equal or not); RSS is judged by
 * judgeGrowth against --max-slope, which may also say that the run was too short to tell.
 */
export function judgeSoak(record: SoakRecord, options: SoakJudgeOptions): SoakVerdict {
  const after = samplesAfterWarmup(record.samples, record.warmupEndS);
  const t = after.map((s) => s.t);
  const growth = (pick: (s: Sample) => number, block: "median" | "floor" = "median") => judgeGrowth(t, after.map(pick), { limitMBh: options.maxSlopeMBh, block });
  const rounded = (value: number | null) => (value === null ? null : Number(value.toFixed(3)));
  const rss = growth((s) => s.rssMB, "floor");
  const v: SoakVerdict = {
    ...record,
    result: "PASS",
    reasons: [],
    maxSlopeMBh: options.maxSlopeMBh,
    rss,
    rssStartMB: after[0]?.rssMB ?? 0,
    rssEndMB: after.at(-1)?.rssMB ?? 0,
    rssSlopeMBh: rounded(rss.slopeMBh),
    heapSlopeMBh: rounded(growth((s) => s.heapMB).slopeMBh),
    gpuSlopeMBh: rounded(growth((s) => s.gpuMB).slopeMBh),
  };
  const failures: string[] = [];
  // A warm-up that never ended took no census to compare with (its counts are zeros, not the chain's).
  if (v.warmupEndS !== null) {
    if (v.gpuBytesEnd !== v.gpuBytesStart) failures.push(`GPU bytes ${v.gpuBytesStart} at warm-up, ${v.gpuBytesEnd} at the end`);
    for (const kind of Object.keys(v.liveStart) as GpuKind[]) {
      if (v.liveStart[kind] !== v.liveEnd[kind]) failures.push(`live ${kind}: ${v.liveStart[kind]} at warm-up, ${v.liveEnd[kind]} at the end`);
    }
    for (const [kind, count] of Object.entries(v.createdAfterWarmup)) failures.push(`${count} ${kind} created after warm-up`);
  }
  if (options.reloadEvery > 0 && v.reloadsFailed > 0) failures.push(`${v.reloadsFailed} ${v.reloadsFailed === 1 ? "reload" : "reloads"} failed`);
  if (rss.state === "fail") failures.push(`RSS ${rss.reason}`);
  if (failures.length) {
    v.result = "FAIL";
    v.reasons = failures;
  } else if (v.warmupEndS === null) {
    v.result = "INCONCLUSIVE";
    v.reasons = [`the warm-up never ended (${v.frames} frames, ${v.reloads} reloads in ${v.minutes} min): run longer`];
  } else if (rss.state === "inconclusive") {
    v.result = "INCONCLUSIVE";
    const more = rss.moreMinutes === null ? "the slope is too close to the limit to decide within a day" : `about ${rss.moreMinutes} min more would decide`;
    v.reasons = [`RSS ${rss.reason}; ${more}`];
  } else v.reasons = [`RSS ${rss.reason}`];
  return v;
}

/** Exit codes of a soak: 0 PASS, 1 FAIL (as a failed run), 3 INCONCLUSIVE (2 is a bad command line). */
export const SOAK_EXIT_CODES: Readonly<Record<SoakResult, number>> = { PASS: 0, FAIL: 1, INCONCLUSIVE: 3 };

/**
 * `bun vivid soak --judge <soak.json>`: judges a saved soak again from its record (samples, warm-up
 * end, census counts), with `maxSlopeMBh` or else the limit the soak ran with. Throws an Error
 * naming the file and the field when the file is not a soak record.
 */
export function judgeSavedSoak(path: string, maxSlopeMBh?: number): SoakVerdict {
  let saved: Record<string, unknown>;
  try {
    saved = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const bad = (field: string, expected: string) => new Error(`${path}: "${field}" should be ${expected} (is this a soak --json file?)`);
  if (typeof saved !== "object" || saved === null) throw bad("(top level)", "an object");
  const samples = saved.samples;
  if (!Array.isArray(samples)) throw bad("samples", "an array of {t, rssMB, heapMB, gpuMB}");
  samples.forEach((sample, i) => {
    for (const key of ["t", "rssMB", "heapMB", "gpuMB"]) if (typeof sample?.[key] !== "number") throw bad(`samples[${i}].${key}`, "a number");
  });
  if (saved.warmupEndS !== null && typeof saved.warmupEndS !== "number") throw bad("warmupEndS", "a number of seconds or null");
  const number = (field: string, fallback: number) => {
    const value = saved[field] ?? fallback;
    if (typeof value !== "number") throw bad(field, "a number");
    return value;
  };
  const counts = (field: string) => {
    const value = saved[field] ?? {};
    if (typeof value !== "object" || value === null || Object.values(value).some((count) => typeof count !== "number")) throw bad(field, "an object of counts");
    return value as Partial<Record<GpuKind, number>>;
  };
  const options = (typeof saved.options === "object" && saved.options !== null ? saved.options : {}) as Partial<SoakOptions>;
  const record: SoakRecord = {
    minutes: number("minutes", 0),
    frames: number("frames", 0),
    reloads: number("reloads", 0),
    reloadsFailed: number("reloadsFailed", 0),
    warmupReloads: number("warmupReloads", 0),
    warmupEndS: (saved.warmupEndS as number | null | undefined) ?? null,
    warmupFrames: number("warmupFrames", 0),
    errors: number("errors", 0),
    problems: Array.isArray(saved.problems) ? saved.problems.filter((line): line is string => typeof line === "string") : undefined,
    frameMsP99: number("frameMsP99", 0),
    gpuBytesStart: number("gpuBytesStart", 0),
    gpuBytesEnd: number("gpuBytesEnd", 0),
    liveStart: counts("liveStart"),
    liveEnd: counts("liveEnd"),
    createdAfterWarmup: counts("createdAfterWarmup"),
    samples: samples as Sample[],
  };
  return judgeSoak(record, { maxSlopeMBh: maxSlopeMBh ?? options.maxSlopeMBh ?? SOAK_DEFAULTS.maxSlopeMBh, reloadEvery: options.reloadEvery ?? 0 });
}

/** The first `.name = number;` in the chain file: the param the soak alternates. */
export function findSoakEdit(text: string): { index: number; length: number; value: number } | undefined {
  const match = /(\.\w+\s*=\s*)(-?\d+(?:\.\d+)?)(\s*;)/.exec(text);
  if (!match) return undefined;
  return { index: match.index + match[1]!.length, length: match[2]!.length, value: Number(match[2]) };
}

/**
 * Frame times in 0.1 ms bins up to 10 s (the last bin takes anything longer): one fixed array for
 * a run of any length. Percentiles are exact to the bin.
 */
export class FrameHistogram {
  static readonly BIN_MS = 0.1;
  private bins = new Uint32Array(100_001);
  count = 0;

  add(ms: number): void {
    if (!(ms >= 0)) return; // NaN (the first frame has no interval)
    this.bins[Math.min(this.bins.length - 1, Math.round(ms / FrameHistogram.BIN_MS))]!++;
    this.count++;
  }

  /** The smallest bin value at or below which p % of the frames fall (0 with no frames). */
  percentile(p: number): number {
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= rank && seen > 0) return i * FrameHistogram.BIN_MS;
    }
    return 0;
  }
}

export class SoakDriver {
  private original: string;
  private edit: ReturnType<typeof findSoakEdit>;
  private startMs = performance.now();
  private nextSaveMs: number;
  private saves = 0;
  private samples: SampleSeries;
  /** Frame intervals as a histogram, so the soak's own bookkeeping does not grow with the frames it counts. */
  private frameTimes = new FrameHistogram();
  private frames = 0;
  private reloads = 0;
  private reloadsFailed = 0;
  private errors = 0;
  private readonly problems: string[] = [];
  private warmCensus?: CensusSnapshot;
  private warmGpuBytes = 0;
  private warmT?: number;
  private warmReloads = 0;
  private warmFrames = 0;
  /** Hub seconds when the back-to-back reloads were done (0 without reloads). */
  private fastDoneT?: number;
  /** During warm-up: when the last save was written, until its reload lands (then the next save goes). */
  private savedAt?: number;
  /** A memory sample came in since the last progress report. */
  private progressDue = false;

  /** `report` receives the soak's progress after each memory sample (the hub's `soak`, for the views). */
  constructor(
    private chainFile: string,
    private gpu: Gpu,
    readonly options: SoakOptions,
    private report?: (progress: SoakEntry) => void,
  ) {
    this.original = readFileSync(chainFile, "utf8");
    this.edit = findSoakEdit(this.original);
    if (options.reloadEvery > 0 && !this.edit) throw new Error(`${chainFile}: no "op.param = <number>;" line for the soak to alternate`);
    this.nextSaveMs = this.startMs + options.reloadEvery * 1000;
    this.samples = new SampleSeries((options.minutes * 60) / 10 + 4);
  }

  /** The stats stream: memory samples, reloads and errors. */
  listener = (event: StatsEvent): void => {
    if (event.type === "memory") this.onMemory(event);
    else if (event.type === "reload") {
      this.reloads++;
      if (!event.ok) {
        this.reloadsFailed++;
        this.noteProblem(event.t, "reload failed", event.error);
      }
      this.savedAt = undefined;
      if (this.fastDoneT === undefined && this.warmedReloads()) this.fastDoneT = event.t;
    } else if (event.type === "error") {
      this.errors++;
      if (event.severity !== "warning") this.noteProblem(event.t, "error", event);
    }
  };

  private noteProblem(t: number, what: string, error: ErrorLocation | undefined): void {
    if (this.problems.length >= SOAK_PROBLEMS_KEPT) return;
    const where = error ? formatLocation(error) : "";
    // A failed reload is reported as an error too: the same text is kept once, as the reload's.
    const text = `${where ? `${where}: ` : ""}${error?.message.split("\n")[0] ?? "(no message)"}`;
    if (!this.problems.some((line) => line.endsWith(`: ${text}`))) this.problems.push(`${t.toFixed(1)} s ${what}: ${text}`);
  }

  private onMemory(event: MemoryEvent): void {
    this.samples.push({ t: event.t, rssMB: event.rssMB, heapMB: event.heapMB, gpuMB: event.gpuMB, detail: memoryBreakdown() });
    const settledFrom = this.options.reloadEvery === 0 ? 0 : this.fastDoneT;
    if (!this.warmCensus && this.frames >= this.options.warmupFrames && settledFrom !== undefined && event.t >= settledFrom + this.options.warmupSeconds) {
      this.warmCensus = this.gpu.census.snapshot();
      this.warmGpuBytes = this.gpu.census.gpuBytes;
      this.warmT = event.t;
      this.warmReloads = this.reloads;
      this.warmFrames = this.frames;
    }
    this.progressDue = true;
  }

  /**
   * Where the soak is: what the warm-up still waits for, or the RSS judgement so far over the
   * samples after it (against --max-slope, as the verdict will be).
   */
  progress(now: number): SoakEntry {
    const elapsedS = Math.min((now - this.startMs) / 1000, this.options.minutes * 60);
    const entry: SoakEntry = { phase: "measuring", waitingFor: {}, elapsedS: Math.round(elapsedS), totalS: this.options.minutes * 60, rss: null };
    if (this.warmT === undefined) {
      entry.phase = "warm-up";
      const reloading = this.options.reloadEvery > 0;
      if (reloading && !this.warmedReloads()) entry.waitingFor.reloads = [this.reloads, this.options.warmupReloads];
      if (this.frames < this.options.warmupFrames) entry.waitingFor.frames = [this.frames, this.options.warmupFrames];
      const settledFrom = reloading ? this.fastDoneT : 0;
      const lastT = this.samples.length ? this.samples.values("t")[this.samples.length - 1]! : 0;
      const settleS = settledFrom === undefined ? this.options.warmupSeconds : settledFrom + this.options.warmupSeconds - lastT;
      if (settleS > 0) entry.waitingFor.settleS = settleS;
      return entry;
    }
    const t = this.samples.values("t");
    let first = 0;
    while (first < t.length && t[first]! < this.warmT) first++;
    entry.rss = growthSummary(judgeGrowth(t.subarray(first), this.samples.values("rssMB").subarray(first), { limitMBh: this.options.maxSlopeMBh, block: "floor" }));
    return entry;
  }

  private warmedReloads(): boolean {
    return this.options.reloadEvery === 0 || this.reloads >= this.options.warmupReloads;
  }

  /** A save whose reload never reported (it should not happen) does not stall the warm-up. */
  private static readonly SAVE_TIMEOUT_MS = 5000;

  /** Called once per frame: records the frame time and re-saves the chain file when due. */
  tick(now: number, frameMs: number): void {
    this.frames++;
    this.frameTimes.add(frameMs);
    if (this.progressDue) {
      this.progressDue = false;
      this.report?.(this.progress(now));
    }
    if (this.options.reloadEvery === 0) return;
    if (!this.warmedReloads()) {
      // Warm-up: back to back, each save once the previous one's reload has landed.
      if (this.savedAt === undefined || now - this.savedAt > SoakDriver.SAVE_TIMEOUT_MS) {
        this.save();
        this.savedAt = now;
        this.nextSaveMs = now + this.options.reloadEvery * 1000;
      }
    } else if (now >= this.nextSaveMs) {
      this.nextSaveMs = now + this.options.reloadEvery * 1000;
      this.save();
    }
  }

  private save(): void {
    this.saves++;
    this.write(this.saves % 2 === 1 ? this.alternate() : this.original);
  }

  done(now: number): boolean {
    return now - this.startMs >= this.options.minutes * 60_000;
  }

  /** Puts the chain file back as it was. */
  restore(): void {
    if (readFileSync(this.chainFile, "utf8") !== this.original) this.write(this.original);
  }

  private alternate(): string {
    const { index, length, value } = this.edit!;
    const next = Number((value === 0 ? 0.01 : value * 1.01).toPrecision(6));
    return this.original.slice(0, index) + String(next) + this.original.slice(index + length);
  }

  /** Saves like an editor: a temp file beside it, renamed over it. */
  private write(text: string): void {
    const temp = join(dirname(this.chainFile), `.${basename(this.chainFile)}.soak-tmp`);
    writeFileSync(temp, text);
    renameSync(temp, this.chainFile);
  }

  /** What the soak measured so far: the facts the verdict is judged from. */
  record(): SoakRecord {
    const end = this.gpu.census.snapshot();
    const warm = this.warmCensus ?? end;
    const created = createdSince(warm, end);
    const createdAfterWarmup: Partial<Record<GpuKind, number>> = {};
    const liveStart: Partial<Record<GpuKind, number>> = {};
    const liveEnd: Partial<Record<GpuKind, number>> = {};
    for (const kind of GPU_KINDS) {
      if (PER_FRAME_KINDS.has(kind)) continue;
      if (created[kind]) createdAfterWarmup[kind] = created[kind];
      liveStart[kind] = warm.kinds[kind].live;
      liveEnd[kind] = end.kinds[kind].live;
    }
    return {
      minutes: Number(((performance.now() - this.startMs) / 60_000).toFixed(2)),
      frames: this.frames,
      reloads: this.reloads,
      reloadsFailed: this.reloadsFailed,
      warmupReloads: this.warmReloads,
      warmupEndS: this.warmT ?? null,
      warmupFrames: this.warmFrames,
      errors: this.errors,
      problems: [...this.problems],
      frameMsP99: Number(this.frameTimes.percentile(99).toFixed(2)),
      gpuBytesStart: this.warmGpuBytes,
      gpuBytesEnd: this.gpu.census.gpuBytes,
      liveStart,
      liveEnd,
      createdAfterWarmup,
      samples: this.samples.toArray(),
    };
  }

  verdict(): SoakVerdict {
    return judgeSoak(this.record(), this.options);
  }
}

export function formatVerdict(v: SoakVerdict): string {
  const slope = (x: number | null) => (x === null ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(2)} MB/h`);
  const rss = v.rss;
  const bounds = rss.lowerMBh === null || rss.upperMBh === null ? "not bounded yet" : `${slope(rss.lowerMBh)} … ${slope(rss.upperMBh)} (90 %)`;
  const halves = rss.halvesMBh ? `, halves ${slope(rss.halvesMBh[0])} / ${slope(rss.halvesMBh[1])}` : "";
  const noise = rss.noiseMB === null ? "" : `, noise ${rss.noiseMB.toFixed(2)} MB`;
  return [
    `soak: ${v.minutes} min, ${v.frames} frames, p99 frame ${v.frameMsP99} ms, ${v.reloads} reloads (${v.reloadsFailed} failed), ${v.errors} errors`,
    `soak: warm-up ${v.warmupEndS === null ? "never ended" : `${v.warmupEndS.toFixed(0)} s, ${v.warmupFrames} frames`}${v.warmupReloads ? `, ${v.warmupReloads} reloads` : ""}`,
    `soak: RSS ${v.rssStartMB.toFixed(1)} → ${v.rssEndMB.toFixed(1)} MB over ${rss.measuredMinutes.toFixed(1)} min after warm-up; slope (Theil–Sen of ${rss.blocks} 1-min ${rss.block === "floor" ? "floors" : "medians"}) ${slope(rss.slopeMBh)}, ${bounds}${halves}${noise}; heap ${slope(v.heapSlopeMBh)}, GPU ${slope(v.gpuSlopeMBh)}`,
    `soak: GPU bytes ${v.gpuBytesStart} → ${v.gpuBytesEnd}; live objects ${JSON.stringify(v.liveStart)} → ${JSON.stringify(v.liveEnd)}`,
    ...(v.problems ?? []).map((line) => `soak: at ${line}`),
    `soak: ${v.result}: ${v.reasons.join("; ")}`,
  ].join("\n");
}

/** Where plotRss puts things: the plot area in px and the mapping from (seconds, MB) to pixels. */
export interface SoakPlotLayout {
  left: number;
  top: number;
  right: number;
  bottom: number;
  minutes: [number, number];
  mb: [number, number];
  x(tSeconds: number): number;
  y(mb: number): number;
}

export function soakPlotLayout(samples: readonly Sample[], width: number, height: number): SoakPlotLayout {
  const left = 74;
  const top = 40;
  const right = width - 18;
  const bottom = height - 48;
  const tEnd = Math.max(60, samples.at(-1)?.t ?? 60);
  let lo = Math.min(...samples.map((s) => s.rssMB));
  let hi = Math.max(...samples.map((s) => s.rssMB));
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  const pad = Math.max(0.5, (hi - lo) * 0.08);
  const mb: [number, number] = [lo - pad, hi + pad];
  const minutes: [number, number] = [0, tEnd / 60];
  return {
    left,
    top,
    right,
    bottom,
    minutes,
    mb,
    x: (t) => left + (t / 60 / minutes[1]) * (right - left),
    y: (value) => bottom - ((value - mb[0]) / (mb[1] - mb[0])) * (bottom - top),
  };
}

export const PLOT_COLORS = {
  background: [255, 255, 255],
  grid: [228, 228, 228],
  axis: [60, 60, 60],
  text: [30, 30, 30],
  warmup: [255, 224, 178],
  rss: [31, 89, 180],
  fit: [214, 39, 40],
  bound: [240, 140, 140],
} as const satisfies Record<string, Rgb>;

/**
 * The soak's RSS over time as a PNG: RSS in MB against minutes since start, with tick labels, the
 * warm-up shaded (its samples do not count), the Theil–Sen line fitted after it with its 90 %
 * bounds dashed, and the verdict in the title.
 */
export function plotRss(verdict: SoakVerdict, name = "soak", width = 800, height = 360): Buffer {
  const samples = verdict.samples;
  const raster = new Raster(width, height, PLOT_COLORS.background);
  const layout = soakPlotLayout(samples, width, height);
  const { left, top, right, bottom, x, y } = layout;
  const label = 12;

  // Warm-up band, then the grid and its labels.
  const warmupEnd = Math.min(right, x(verdict.warmupEndS ?? samples.at(-1)?.t ?? 0));
  raster.fillRect(left, top, warmupEnd - left, bottom - top, PLOT_COLORS.warmup);
  const yTicks = niceTicks(layout.mb[0], layout.mb[1], 6);
  const yDecimals = Math.max(0, -Math.floor(Math.log10((yTicks[1] ?? yTicks[0]! + 1) - yTicks[0]! + 1e-12)));
  for (const value of yTicks) {
    const py = Math.round(y(value));
    raster.line(left, py, right, py, PLOT_COLORS.grid);
    raster.line(left - 5, py, left, py, PLOT_COLORS.axis);
    raster.text(value.toFixed(yDecimals), left - 8, py + 4, label, PLOT_COLORS.text, "right");
  }
  for (const value of niceTicks(layout.minutes[0], layout.minutes[1], 8)) {
    const px = Math.round(x(value * 60));
    raster.line(px, top, px, bottom, PLOT_COLORS.grid);
    raster.line(px, bottom, px, bottom + 5, PLOT_COLORS.axis);
    raster.text(String(value), px, bottom + 19, label, PLOT_COLORS.text, "center");
  }
  if (warmupEnd - left > 64) {
    // Over the grid, on a patch of the band's colour, so no grid line runs through it.
    raster.fillRect(left + 2, top + 2, raster.textWidth("warm-up", label) + 8, 18, PLOT_COLORS.warmup);
    raster.text("warm-up", left + 6, top + 15, label, PLOT_COLORS.text);
  }
  raster.line(left, top, left, bottom, PLOT_COLORS.axis);
  raster.line(left, bottom, right, bottom, PLOT_COLORS.axis);
  raster.text("minutes since start", left, height - 8, label, PLOT_COLORS.text);
  raster.text("RSS (MB)", 16, (top + bottom) / 2, label, PLOT_COLORS.text, "center", true);

  // The samples, then the fitted line and its bounds over the part that counts.
  for (let i = 1; i < samples.length; i++) {
    raster.line(x(samples[i - 1]!.t), y(samples[i - 1]!.rssMB), x(samples[i]!.t), y(samples[i]!.rssMB), PLOT_COLORS.rss, 2);
  }
  const after = samplesAfterWarmup(samples, verdict.warmupEndS);
  const slope = verdict.rss.slopeMBh;
  if (after.length >= 2 && slope !== null) {
    // Through the median of the samples' offsets from the slope, as the Theil–Sen fit is.
    const intercept = median(after.map((s) => s.rssMB - (slope * s.t) / 3600));
    const t0 = after[0]!.t;
    const t1 = after.at(-1)!.t;
    const tMid = (t0 + t1) / 2;
    const atMid = intercept + (slope * tMid) / 3600;
    for (const bound of [verdict.rss.lowerMBh, verdict.rss.upperMBh]) {
      if (bound === null) continue;
      raster.line(x(t0), y(atMid + (bound * (t0 - tMid)) / 3600), x(t1), y(atMid + (bound * (t1 - tMid)) / 3600), PLOT_COLORS.bound, 1, 6);
    }
    raster.line(x(t0), y(intercept + (slope * t0) / 3600), x(t1), y(intercept + (slope * t1) / 3600), PLOT_COLORS.fit, 2);
  }

  // The verdict as the title, made smaller until it fits.
  // The bundled face (latin subset) has no ≤ or ≥.
  const rssSaysIt = verdict.warmupEndS !== null && (verdict.result !== "FAIL" || verdict.rss.state === "fail");
  const said = rssSaysIt ? `RSS ${formatGrowthShort(verdict.rss)}` : verdict.reasons[0]!;
  const title = `${name}: ${verdict.result} · ${said.replaceAll("≤", "<=").replaceAll("≥", ">=")}`;
  let size = 15;
  while (size > 9 && raster.textWidth(title, size) > width - 20) size--;
  raster.text(title, 10, 22, size, PLOT_COLORS.text);
  // Legend, right to left along the bottom edge: a short stroke of each line's colour, its name.
  let legendX = right;
  for (const [text, color, dash] of [["90 % bounds", PLOT_COLORS.bound, 4], ["Theil–Sen fit", PLOT_COLORS.fit, 0], ["RSS", PLOT_COLORS.rss, 0]] as const) {
    legendX -= raster.textWidth(text, 11);
    raster.text(text, legendX, height - 8, 11, PLOT_COLORS.text);
    raster.line(legendX - 24, height - 12, legendX - 6, height - 12, color, 2, dash);
    legendX -= 40;
  }
  return encodePng(width, height, raster.rgba);
}
