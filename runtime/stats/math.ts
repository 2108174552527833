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

/** Rounds to two decimals: the precision of every number in the stats stream. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export const BYTES_PER_MB = 1024 * 1024;
