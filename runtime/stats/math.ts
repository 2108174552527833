/** The few statistics the stats stream needs, as plain functions over numeric arrays. */

/**
 * Nearest-rank percentile of an ascending-sorted array: the smallest value with at least p% of the
 * values at or below it. Nearest-rank always returns a value that occurred (a real frame time),
 * never an interpolation. Empty input gives 0.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n - 1, Math.max(0, rank - 1))]!;
}

/**
 * Least-squares slope of y over x for the first n pairs (order does not matter, so ring-buffer
 * storage can be passed as is). Centred sums keep it exact for large x (hours since start).
 * Returns null with fewer than two distinct x values.
 */
export function leastSquaresSlope(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length): number | null {
  if (n < 2) return null;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += xs[i]!;
    meanY += ys[i]!;
  }
  meanX /= n;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - meanX;
    sxy += dx * (ys[i]! - meanY);
    sxx += dx * dx;
  }
  return sxx === 0 ? null : sxy / sxx;
}

/** The median of the first n values (the mean of the middle two for an even count); NaN when empty. Sorts a copy. */
export function median(values: ArrayLike<number>, n = values.length): number {
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from({ length: n }, (_, i) => values[i]!).sort();
  const mid = n >> 1;
  return n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The value at a 1-based rank of an ascending array, interpolated between neighbours; ±Infinity past either end. */
function rankValue(sorted: Float64Array, rank: number): number {
  if (rank < 1) return Number.NEGATIVE_INFINITY;
  if (rank > sorted.length) return Number.POSITIVE_INFINITY;
  const below = Math.floor(rank);
  const fraction = rank - below;
  const low = sorted[below - 1]!;
  return fraction === 0 ? low : low + fraction * (sorted[below]! - low);
}

export interface SenSlope {
  /** Theil–Sen slope: the median of the slopes of all pairs of points. */
  slope: number;
  /** Confidence bounds on the slope; -Infinity / +Infinity when there are too few points to bound it. */
  lower: number;
  upper: number;
}

/**
 * Theil–Sen slope of y over x with Sen's distribution-free confidence interval (Sen 1968; as in
 * Gilbert, "Statistical Methods for Environmental Pollution Monitoring", 1987, §16.5): of the N
 * pairwise slopes in ascending order, the bounds are those of rank (N − C)/2 and (N + C)/2 + 1,
 * where C = z·sqrt(n(n−1)(2n+5)/18) is z standard deviations of Kendall's S for n points (no tie
 * correction), interpolated between ranks. z = 1.645 gives a two-sided 90 % interval: each bound
 * alone holds with 95 % confidence. The interval assumes the residuals are independent, not that
 * they are normal; a few wild points move the slope and its bounds little (the slope tolerates
 * up to 29 % of them). Null with fewer than two distinct x values.
 */
export function senSlope(xs: ArrayLike<number>, ys: ArrayLike<number>, z = 1.645, n = xs.length): SenSlope | null {
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let count = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) slopes[count++] = (ys[j]! - ys[i]!) / dx;
    }
  }
  if (count === 0) return null;
  const sorted = slopes.subarray(0, count).sort();
  const c = z * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  return { slope: median(sorted), lower: rankValue(sorted, (count - c) / 2), upper: rankValue(sorted, (count + c) / 2 + 1) };
}

/**
 * One value per block of `blockWidth` x units, counted from `x0`: the points with
 * x0 + k·width ≤ x < x0 + (k+1)·width make block k, whose point is (mean x, `reduce` of its y:
 * the median unless told otherwise). Blocks with fewer than `minCount` points (a gap, the
 * unfinished last block) are left out. A median per block keeps a spike shorter than half a block
 * out of the series, a minimum one shorter than the whole block, and neighbouring blocks are much
 * less alike than neighbouring samples (which a confidence interval assumes).
 */
export function blockMedians(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  x0: number,
  blockWidth: number,
  minCount: number,
  reduce: (values: Float64Array) => number = median,
): { x: number[]; y: number[] } {
  const out = { x: [] as number[], y: [] as number[] };
  let i = 0;
  while (i < xs.length) {
    const block = Math.floor((xs[i]! - x0) / blockWidth);
    const start = i;
    while (i < xs.length && Math.floor((xs[i]! - x0) / blockWidth) === block) i++;
    const count = i - start;
    if (block < 0 || count < minCount) continue;
    let sumX = 0;
    const values = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      sumX += xs[start + k]!;
      values[k] = ys[start + k]!;
    }
    out.x.push(sumX / count);
    out.y.push(reduce(values));
  }
  return out;
}

/**
 * The floor of a block of samples: its second-lowest value (its lowest when it has fewer than four).
 * Of six normal samples this scatters by 0.53 of their spread (the minimum by 0.64, the median by
 * 0.46), and it ignores anything that lifts up to four of the six, and one that drops one.
 * NaN when empty.
 */
export function floorValue(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let lowest = Number.POSITIVE_INFINITY;
  let second = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < lowest) {
      second = lowest;
      lowest = v;
    } else if (v < second) second = v;
  }
  return n < 4 ? lowest : second;
}

/**
 * Robust standard deviation of the residuals of y around the line y = slope·x + intercept, with
 * the intercept the median of y − slope·x: 1.4826 × the median absolute residual, which equals the
 * standard deviation for normal noise and ignores a few wild points. NaN when empty.
 */
export function robustResidualSd(xs: ArrayLike<number>, ys: ArrayLike<number>, slope: number): number {
  const n = xs.length;
  const offsets = Float64Array.from({ length: n }, (_, i) => ys[i]! - slope * xs[i]!);
  const intercept = median(offsets);
  const absolute = offsets.map((offset) => Math.abs(offset - intercept));
  return 1.4826 * median(absolute);
}

/** Rounds to two decimals: the precision of every number in the stats stream. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export const BYTES_PER_MB = 1024 * 1024;
