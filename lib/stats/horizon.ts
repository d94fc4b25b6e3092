/**
 * Time horizons: the task length at which a fitted agent succeeds with a given probability.
 *
 * @module
 */
import type { LogisticFit } from "./fit_logistic.ts";

/** log(q / (1 − q)). */
export function logit(q: number): number {
  return Math.log(q / (1 - q));
}

/**
 * Human minutes at which the fit's success probability equals `q` (default 0.5):
 * 2^((logit(q) − intercept) / coefficient), for a fit on x = log2(minutes).
 * An all-fail fit gives 0 and an all-success fit gives ∞; an undefined fit gives NaN.
 */
export function horizonMinutes(
  fit: Pick<LogisticFit, "intercept" | "coefficient"> & { degenerate?: string },
  q = 0.5,
): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`success probability must be in (0, 1), got ${q}`);
  if (fit.degenerate === "all-fail") return 0;
  if (fit.degenerate === "all-success") return Infinity;
  return 2 ** ((logit(q) - fit.intercept) / fit.coefficient);
}

/** Label used for a success probability in tables: 0.5 → "p50", 0.8 → "p80", 0.95 → "p95". */
export function horizonLabel(q: number): string {
  return `p${Math.round(q * 1000) / 10}`;
}
