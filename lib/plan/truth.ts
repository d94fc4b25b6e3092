/**
 * The true answers under the assumptions, against which a simulated evaluation's answer is scored
 * correct or not.
 *
 * - Success-rate gap: the task-equal success rate a variant would have on the population of tasks the
 *   assumptions describe (the listed lengths, equally likely, every random effect integrated out), minus
 *   the other's. That is the quantity `elicitationGap`'s paired success-rate interval estimates.
 * - p50 horizon: 2^(−intercept / slope) of the curve. The random effects are symmetric about 0, so the
 *   population-averaged success curve crosses 50% at the same length (other probabilities, e.g. 80%, move).
 *
 * @module
 */
import { normalPdf } from "./normal_grid.ts";
import type { ResolvedAssumptions } from "./assumptions.ts";

/** SD of all the random effects on one run's logit together. */
export function totalSd(a: ResolvedAssumptions): number {
  return Math.sqrt(a.taskSd ** 2 + a.variantTaskSd ** 2 + a.familySd ** 2 + a.runSd ** 2);
}

/** E[sigmoid(eta + Z)], Z ~ N(0, sd²), by the trapezoid rule on ±8 SD (error far below 1e-6). */
export function meanSigmoid(eta: number, sd: number): number {
  if (sd === 0) return 1 / (1 + Math.exp(-eta));
  const K = 160;
  let sum = 0, wsum = 0;
  for (let k = 0; k <= K; k++) {
    const z = -8 + (16 * k) / K;
    const w = (k === 0 || k === K ? 0.5 : 1) * normalPdf(z);
    sum += w / (1 + Math.exp(-(eta + sd * z)));
    wsum += w;
  }
  return sum / wsum;
}

/** Population task-equal success rate of variant `v` (index into the assumptions' variants). */
export function trueSuccessRate(a: ResolvedAssumptions, v: number): number {
  const sd = totalSd(a);
  let s = 0;
  for (const m of a.taskMinutes) s += meanSigmoid(a.intercept[v] + a.slope[v] * Math.log2(m), sd);
  return s / a.taskMinutes.length;
}

/** True success-rate gap, variant `va` minus variant `vb`. */
export function trueGap(a: ResolvedAssumptions, va: number, vb: number): number {
  return trueSuccessRate(a, va) - trueSuccessRate(a, vb);
}

/** True p50 horizon (minutes) of variant `v`. */
export function trueP50(a: ResolvedAssumptions, v: number): number {
  const s = a.slope[v], b = a.intercept[v];
  if (s === 0) return b >= 0 ? Infinity : 0;
  return 2 ** (-b / s);
}
