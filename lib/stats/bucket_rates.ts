/**
 * Weighted empirical success rates per duration bucket, as reported beside METR's fits.
 *
 * @module
 */
import type { Bucket } from "../task/buckets.ts";

/** METR's time-horizon duration buckets: [1,4), [4,16), [16,64), [64,256), [256,960) minutes. */
export const HORIZON_BUCKETS: readonly Bucket[] = [
  { id: "1-4", label: "1–4 min", minMinutes: 1, maxMinutes: 4 },
  { id: "4-16", label: "4–16 min", minMinutes: 4, maxMinutes: 16 },
  { id: "16-64", label: "16–64 min", minMinutes: 16, maxMinutes: 64 },
  { id: "64-256", label: "64–256 min", minMinutes: 64, maxMinutes: 256 },
  { id: "256-960", label: "256–960 min", minMinutes: 256, maxMinutes: 960 },
];

/** One bucket's weighted success rate (NaN when the bucket holds no weighted run). */
export interface BucketRate {
  /** Bucket id, e.g. `"1-4"`. */
  bucket: string;
  /** Lower bound in human minutes (inclusive). */
  minMinutes: number;
  /** Upper bound in human minutes (exclusive). */
  maxMinutes: number;
  /** Weighted success rate Σ w·y / Σ w in [0, 1]; NaN when the bucket holds no weighted run. */
  rate: number;
  /** Sum of weights in the bucket. */
  weight: number;
  /** Number of runs in the bucket. */
  runs: number;
}

/**
 * Σ w·y / Σ w over the rows `rows` (or all) falling in each bucket by `minutes`. Rows with NaN y are skipped.
 */
export function bucketRates(
  minutes: ArrayLike<number>,
  y: ArrayLike<number>,
  w: ArrayLike<number> | null,
  buckets: readonly Bucket[] = HORIZON_BUCKETS,
  rows?: ArrayLike<number>,
): BucketRate[] {
  const sw = new Float64Array(buckets.length), swy = new Float64Array(buckets.length);
  const runs = new Uint32Array(buckets.length);
  const m = rows ? rows.length : minutes.length;
  for (let k = 0; k < m; k++) {
    const i = rows ? rows[k] : k;
    if (Number.isNaN(y[i])) continue;
    const t = minutes[i];
    for (let b = 0; b < buckets.length; b++) {
      if (t >= buckets[b].minMinutes && t < buckets[b].maxMinutes) {
        const wi = w ? w[i] : 1;
        sw[b] += wi;
        swy[b] += wi * y[i];
        runs[b]++;
        break;
      }
    }
  }
  return buckets.map((b, k) => ({
    bucket: b.id,
    minMinutes: b.minMinutes,
    maxMinutes: b.maxMinutes,
    rate: sw[k] > 0 ? swy[k] / sw[k] : NaN,
    weight: sw[k],
    runs: runs[k],
  }));
}

/** Weighted mean of y (NaN skipped) over `rows` (or all). */
export function weightedMean(
  y: ArrayLike<number>,
  w: ArrayLike<number> | null,
  rows?: ArrayLike<number>,
): number {
  let s = 0, sw = 0;
  const m = rows ? rows.length : y.length;
  for (let k = 0; k < m; k++) {
    const i = rows ? rows[k] : k;
    if (Number.isNaN(y[i])) continue;
    const wi = w ? w[i] : 1;
    s += wi * y[i];
    sw += wi;
  }
  return sw > 0 ? s / sw : NaN;
}
