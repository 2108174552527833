/**
 * Is memory growing? One judgement for the soak's verdict and for the leak line of a normal run,
 * so both say the same thing about the same samples. Why this method, with the noise it was
 * measured against: docs/memory.md, "How the verdict reads a slope".
 *
 * The samples (every 10 s) become one value per minute — the median, or for a series whose noise
 * only ever adds (RSS: memory taken for a moment and given back) its floor, the second-lowest — and the
 * slope is the Theil–Sen slope of those values, with Sen's 90 % interval (each bound holds with
 * 95 % confidence):
 *   pass          the upper bound is at or under the limit: the data rules growth above it out;
 *   fail          the lower bound is over the limit, and so is that of each half of the window
 *                 fitted alone: growth that is sustained, not one step or one bump;
 *   inconclusive  anything else, with an estimate of how many more minutes would decide.
 */
import type { GrowthSummary } from "./events.ts";
import { blockMedians, floorValue, median, robustResidualSd, senSlope } from "./math.ts";

export type GrowthState = GrowthSummary["state"];

export interface GrowthOptions {
  /** Highest slope that passes, MB/h. */
  limitMBh: number;
  /** Block length, seconds. Default 60. */
  blockSeconds?: number;
  /**
   * What stands for a block: "median" (default), or "floor", its second-lowest sample (math.ts,
   * floorValue) — for RSS, where a transient allocation only ever adds to what is retained, so a
   * bump over up to four of a minute's six samples leaves its floor alone while memory that is
   * kept raises every floor after it.
   */
  block?: "median" | "floor";
  /** Standard normal quantile of the interval. Default 1.645 (two-sided 90 %, each bound 95 %). */
  z?: number;
  /** The longest wait the estimate of `moreMinutes` reports; longer is null. Default 24 h. */
  maxMinutes?: number;
}

export interface GrowthJudgement extends GrowthSummary {
  /** Minutes from the first to the last sample judged. */
  measuredMinutes: number;
  /** Block values (medians or floors) the slope was fitted to. */
  blocks: number;
  /** What stood for each block. */
  block: "median" | "floor";
  /** Theil–Sen slope of each half of the blocks (null until each half has MIN_BLOCKS). */
  halvesMBh: [number, number] | null;
  /** Robust standard deviation of the block values around the fitted line, MB. */
  noiseMB: number | null;
  /** One sentence: why this state. */
  reason: string;
}

/** Sen's interval needs five points before both of its bounds are finite at z = 1.645. */
export const MIN_BLOCKS = 5;

const HOUR = 3600;

/**
 * Judges the growth of `mb` over `tSeconds` (ascending; only the samples that count: after the
 * warm-up). See the file comment for the rule.
 */
export function judgeGrowth(tSeconds: ArrayLike<number>, mb: ArrayLike<number>, options: GrowthOptions): GrowthJudgement {
  const limit = options.limitMBh;
  const blockSeconds = options.blockSeconds ?? 60;
  const block = options.block ?? "median";
  const z = options.z ?? 1.645;
  const maxMinutes = options.maxMinutes ?? 24 * 60;
  const n = tSeconds.length;
  const measuredMinutes = n >= 2 ? (tSeconds[n - 1]! - tSeconds[0]!) / 60 : 0;
  const hours = Float64Array.from({ length: n }, (_, i) => tSeconds[i]! / HOUR);
  const intervals = Float64Array.from({ length: Math.max(0, n - 1) }, (_, i) => tSeconds[i + 1]! - tSeconds[i]!);
  const perBlock = n >= 2 ? Math.max(1, Math.round(blockSeconds / median(intervals))) : 1;
  const blocks = n >= 2 ? blockMedians(hours, mb, hours[0]!, blockSeconds / HOUR, Math.ceil(perBlock / 2), block === "floor" ? floorValue : median) : { x: [], y: [] };
  const nb = blocks.x.length;

  const fit = nb >= 2 ? senSlope(blocks.x, blocks.y, z) : null;
  const rawFit = !fit && n >= 2 ? senSlope(hours, mb, z) : null;
  const slope = fit?.slope ?? rawFit?.slope ?? null;
  // The noise of one block value, for the estimate of minutes more: from the samples (a median
  // of k normal samples has ~1.25/sqrt(k) of their spread; a floor of six about as much), or
  // from the block values themselves when that is larger (samples that wander together within a
  // minute); a spread measured on a few block values alone comes out far too small as often as not.
  let noise: number | null = null;
  if (n >= 3 && slope !== null) noise = (1.2533 * robustResidualSd(hours, mb, slope)) / Math.sqrt(perBlock);
  if (nb >= 3) noise = Math.max(noise ?? 0, robustResidualSd(blocks.x, blocks.y, fit!.slope));
  const finite = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? null : value);
  const lower = finite(fit?.lower);
  const upper = finite(fit?.upper);
  // Each half judged alone: its slope, and whether its own lower bound is over the limit.
  let halves: [number, number] | null = null;
  let halvesOver = false;
  if (nb >= 2 * MIN_BLOCKS) {
    const mid = nb >> 1;
    const first = senSlope(blocks.x.slice(0, mid), blocks.y.slice(0, mid), z)!;
    const second = senSlope(blocks.x.slice(mid), blocks.y.slice(mid), z)!;
    halves = [first.slope, second.slope];
    halvesOver = first.lower > limit && second.lower > limit;
  }
  const judgement: GrowthJudgement = {
    state: "inconclusive",
    limitMBh: limit,
    measuredMinutes,
    blocks: nb,
    block,
    slopeMBh: slope,
    lowerMBh: lower,
    upperMBh: upper,
    halvesMBh: halves,
    noiseMB: noise,
    moreMinutes: null,
    reason: "",
  };
  const fmt = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(2)} MB/h`;
  if (upper !== null && upper <= limit) {
    judgement.state = "pass";
    judgement.reason = `slope ≤ ${fmt(upper)} (95 % bound) ≤ limit ${fmt(limit)}`;
  } else if (lower !== null && lower > limit && halvesOver) {
    judgement.state = "fail";
    judgement.reason = `slope ≥ ${fmt(lower)} (95 % bound) > limit ${fmt(limit)}, and over it in each half alone (${fmt(halves![0])}, ${fmt(halves![1])})`;
  } else if (lower !== null && lower > limit) {
    // Over the limit, but not in each half on its own: one step, or growth that has only just
    // begun. A window twice as long shows which.
    judgement.moreMinutes = Math.max(Math.ceil(measuredMinutes), ((2 * MIN_BLOCKS - nb) * blockSeconds) / 60);
    const halvesText = halves ? ` (halves ${fmt(halves[0])}, ${fmt(halves[1])})` : "";
    judgement.reason = `slope ≥ ${fmt(lower)} (95 % bound) but not over the limit in each half on its own${halvesText}: a step, or growth not yet sustained`;
  } else {
    const side = upper === null || lower === null || slope === null ? null : limit > slope ? upper - slope : slope - lower;
    judgement.moreMinutes = minutesToDecide(nb, slope, side, noise, limit, z, blockSeconds, maxMinutes);
    judgement.reason =
      lower === null || upper === null
        ? `${nb} of the ${MIN_BLOCKS} one-minute ${block === "floor" ? "floors" : "medians"} a bound needs`
        : `slope between ${fmt(lower)} and ${fmt(upper)} (90 %): the limit ${fmt(limit)} is inside`;
  }
  return judgement;
}

/**
 * How many more minutes until the interval, at the present slope, clears the limit on one side.
 * A slope's interval over n evenly spaced points narrows like 1 / sqrt(n(n² − 1)), i.e. like
 * T^-1.5: once the interval is bounded, its present half-width on the limit's side (`side`) is
 * scaled by that; before, the half-width is computed from the noise, z·σ / (h·sqrt(n(n² − 1)/12))
 * for spacing h. An estimate: the slope will move as data comes in. Null when it would take longer
 * than maxMinutes (the slope is about at the limit).
 */
function minutesToDecide(blocks: number, slope: number | null, side: number | null, noise: number | null, limit: number, z: number, blockSeconds: number, maxMinutes: number): number | null {
  const atLeast = ((Math.max(0, MIN_BLOCKS - blocks) * blockSeconds) / 60) || null;
  if (side === null && noise === null) return atLeast;
  const margin = Math.abs(limit - (slope ?? 0));
  const spread = (points: number) => Math.sqrt(points * (points * points - 1));
  const spacingHours = blockSeconds / HOUR;
  const maxBlocks = Math.ceil((maxMinutes * 60) / blockSeconds);
  // Growth is confirmed in each half alone, so a FAIL needs twice the blocks of a PASS.
  const fewest = (slope ?? 0) > limit ? 2 * MIN_BLOCKS : MIN_BLOCKS;
  for (let needed = Math.max(blocks + 1, fewest); needed <= maxBlocks; needed++) {
    const halfWidth = side !== null ? (side * spread(blocks)) / spread(needed) : (z * noise!) / (spacingHours * Math.sqrt(spread(needed) ** 2 / 12));
    if (halfWidth < margin) return Math.ceil(((needed - blocks) * blockSeconds) / 60);
  }
  return null;
}

/** The part of a judgement that travels in the stats stream (events.ts). */
export function growthSummary(j: GrowthJudgement): GrowthSummary {
  return { state: j.state, limitMBh: j.limitMBh, slopeMBh: j.slopeMBh, lowerMBh: j.lowerMBh, upperMBh: j.upperMBh, moreMinutes: j.moreMinutes };
}
