/**
 * Sample quantiles with linear interpolation between order statistics (numpy's default, "type 7"),
 * ignoring NaN values.
 *
 * @module
 */

/**
 * The `p`-quantile (0 ≤ p ≤ 1) of the finite-or-infinite, non-NaN values of `values`; NaN if none.
 * Same definition as `numpy.percentile(values, 100 * p)`.
 */
export function quantile(values: ArrayLike<number>, p: number): number {
  return quantiles(values, [p])[0];
}

/** Several quantiles of the same sample (sorts once). */
export function quantiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  const sorted = sortedFinite(values);
  return ps.map((p) => quantileSorted(sorted, p));
}

/** Non-NaN values, ascending. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let k = 0;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) out[k++] = v;
  }
  return out.subarray(0, k).sort();
}

/** Type-7 quantile of an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability must be in [0, 1], got ${p}`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const frac = h - lo;
  if (frac === 0 || sorted[lo] === sorted[hi]) return sorted[lo];
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}
