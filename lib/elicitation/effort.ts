/**
 * The elicitation gap as a function of elicitation effort: for n = 1 … k variants tried, the expected
 * gap over the baseline when the best of n randomly chosen variants is kept — naively (chosen and
 * measured on the same tasks) and cross-fitted — and the tokens those n variants' runs spent. Subsets are
 * enumerated when few, else sampled (seeded).
 *
 * @module
 */
import { from } from "../deps/arquero.ts";
import type { ColumnTable } from "../deps/arquero.ts";
import { rng } from "../stats/mod.ts";
import type { RunsTable } from "../measure/columns.ts";
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import { _crossFit, _pairGap, _taskSums, CrossFitOptions, prepareGap } from "./crossfit.ts";

/** Options of {@link gapVsEffort}. */
export const EffortOptions = CrossFitOptions.omit({ replicates: true, interval: true }).extend({
  /** Subsets per n at most (sampled beyond). Default 64. */
  maxSubsets: z.number().int().positive().optional(),
});
/** Options of {@link gapVsEffort}. */
export type EffortOptions = z.input<typeof EffortOptions>;

/** One point of the effort curve. */
export interface EffortPoint {
  /** n: how many candidate variants were tried (1 … number of candidates). */
  variants_tried: number;
  /** Subsets of n variants averaged over (all of them when few, else at most `maxSubsets`, sampled). */
  subsets: number;
  /** Mean tokens spent by the tried variants' runs (null when the table has no token counts). */
  tokens_spent: number | null;
  /** Null when no subset's variants share a task with the baseline. */
  naive_gap: number | null;
  /**
   * Mean cross-fitted gap of the best of n (success rate, best − baseline); null with fewer than 2 split
   * units or no estimable split.
   */
  crossfit_gap: number | null;
}

function combinations(k: number, n: number, limit: number, seed: number): number[][] {
  const out: number[][] = [];
  let total = 1;
  for (let i = 0; i < n; i++) total = (total * (k - i)) / (i + 1);
  if (total <= limit) {
    const rec = (start: number, acc: number[]) => {
      if (acc.length === n) return void out.push([...acc]);
      for (let i = start; i < k; i++) rec(i + 1, [...acc, i]);
    };
    rec(0, []);
    return out;
  }
  const r = rng(seed, n);
  const seen = new Set<string>();
  while (out.length < limit) {
    const pool = Array.from({ length: k }, (_, i) => i);
    for (let i = k - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const pick = pool.slice(0, n).sort((a, b) => a - b);
    const key = pick.join(",");
    if (!seen.has(key)) {
      seen.add(key);
      out.push(pick);
    }
  }
  return out;
}

/** The effort curve as plain points. */
export function gapVsEffortPoints(table: RunsTable, options: EffortOptions): EffortPoint[] {
  options = parseOptions(EffortOptions, options, "gapVsEffort");
  const p = prepareGap(table, options, "gapVsEffort");
  const s = _taskSums(p);
  const T = p.tasks.length, k = p.variants.length - 1;
  const tokensOf = new Float64Array(p.variants.length);
  let anyTokens = false;
  for (let i = 0; i < p.variantOf.length; i++) {
    if (!Number.isNaN(p.tokens[i])) {
      tokensOf[p.variantOf[i]] += p.tokens[i];
      anyTokens = true;
    }
  }
  const seed = options.seed ?? 1;
  const repeats = options.repeats ?? 10;
  const points: EffortPoint[] = [];
  for (let n = 1; n <= k; n++) {
    const subsets = combinations(k, n, options.maxSubsets ?? 64, seed);
    let naive = 0, naiveN = 0, cross = 0, crossN = 0, tokens = 0;
    subsets.forEach((subset, j) => {
      // Candidates are variants 1..k; map subset indexes to them.
      const members = subset.map((i) => i + 1);
      let best = -Infinity;
      for (const v of members) {
        const g = _pairGap(s, T, v, null);
        if (!Number.isNaN(g)) best = Math.max(best, g);
      }
      if (best > -Infinity) {
        naive += best;
        naiveN++;
      }
      const sub = { ...p, variants: [p.variants[0], ...members.map((v) => p.variants[v])] };
      const remap = new Int32Array(p.variants.length).fill(-1);
      remap[0] = 0;
      members.forEach((v, m) => (remap[v] = m + 1));
      const keep: number[] = [];
      for (let i = 0; i < p.variantOf.length; i++) if (remap[p.variantOf[i]] >= 0) keep.push(i);
      const subPrep = {
        ...sub,
        variantOf: Int32Array.from(keep, (i) => remap[p.variantOf[i]]),
        taskOf: Int32Array.from(keep, (i) => p.taskOf[i]),
        unitOf: Int32Array.from(keep, (i) => p.unitOf[i]),
        weight: Float64Array.from(keep, (i) => p.weight[i]),
        score: Float64Array.from(keep, (i) => p.score[i]),
        family: keep.map((i) => p.family[i]),
        taskId: keep.map((i) => p.taskId[i]),
        tokens: Float64Array.from(keep, (i) => p.tokens[i]),
        x: Float64Array.from(keep, (i) => p.x[i]),
      };
      if (p.units >= 2) {
        const g = _crossFit(subPrep, _taskSums(subPrep), rng(seed, 7919 * n + j), repeats);
        if (!Number.isNaN(g)) {
          cross += g;
          crossN++;
        }
      }
      for (const v of members) tokens += tokensOf[v];
    });
    points.push({
      variants_tried: n,
      subsets: subsets.length,
      tokens_spent: anyTokens ? tokens / subsets.length : null,
      naive_gap: naiveN > 0 ? naive / naiveN : null,
      crossfit_gap: crossN > 0 ? cross / crossN : null,
    });
  }
  return points;
}

/** The effort curve as an arquero table (one row per number of variants tried). */
export function gapVsEffort(table: RunsTable, options: EffortOptions): ColumnTable {
  return from(gapVsEffortPoints(table, options));
}
