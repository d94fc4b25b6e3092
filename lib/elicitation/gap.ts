/**
 * The elicitation gap: how much better the best variant (scaffold, prompt, tools, …) does than a baseline
 * variant, on the tasks both ran. Reported on success rate (difference) and on the p50 time horizon
 * (ratio, as log2 = doublings), each with a paired hierarchical-bootstrap interval (family and task draws
 * shared by both variants), plus the cross-fitted gap that removes best-of-k selection optimism.
 *
 * @module
 */
import { quantiles } from "../stats/mod.ts";
import { column, type RunsTable } from "../measure/columns.ts";
import { estimateMetrics } from "../measure/estimates.ts";
import { z } from "../deps/zod.ts";
import { withTableDisplay } from "../core/display.ts";
import { parseOptions } from "../core/options.ts";
import { crossFitChecked, CrossFitOptions, type CrossFitResult, prepareGap } from "./crossfit.ts";
import { _pairGap, _taskSums } from "./crossfit.ts";

/** Options of {@link elicitationGap}. */
export const GapOptions = CrossFitOptions.extend({
  /** Replicates of the paired bootstrap. Default 1000. */
  pairedReplicates: z.number().int().nonnegative().optional(),
  /** Horizon fit weighting (METR's columns). Default `invsqrt`. */
  horizonWeighting: z.enum(["equal", "invsqrt"]).optional(),
  /** L2 penalty of the horizon fit. Default 0.01. */
  regularization: z.number().nonnegative().optional(),
});
/** Options of {@link elicitationGap}. */
export type GapOptions = z.input<typeof GapOptions>;

/** One variant's standing against the baseline on their shared tasks. */
export interface VariantStanding {
  /** The candidate variant (a value of the compared column). */
  variant: string;
  /** Tasks both this variant and the baseline have scored runs on. */
  sharedTasks: number;
  /** Paired success-rate gap over the baseline on the shared tasks. */
  gap: number;
}

/** A paired interval. */
export interface PairedInterval {
  /** The baseline's value: success rate in [0, 1], or p50 horizon in minutes. */
  baseline: number;
  /**
   * The best variant's value: success rate in [0, 1], or p50 horizon in minutes (Infinity when unbounded).
   */
  best: number;
  /** best − baseline (success rate) or log2(best / baseline) (horizon). */
  gap: number;
  /**
   * Lower end of the paired-bootstrap interval of `gap` (width `interval`, default 0.8); null without
   * replicates.
   */
  lower: number | null;
  /** Upper end of the paired-bootstrap interval of `gap`; null without replicates. */
  upper: number | null;
  /** Share of replicates with a positive gap. */
  pPositive: number | null;
  /** Replicates used (others skipped: a variant could not be fitted). */
  replicates: number;
  /** Why replicates were skipped or the horizon ratio is undefined/unbounded; null when nothing to note. */
  note: string | null;
}

/** Result of {@link elicitationGap}. */
export interface GapResult {
  /** The compared column (`variant` or `alias`, or the `agentColumn` given). */
  variantColumn: string;
  /** The baseline variant (resolved to a value of `variantColumn`). */
  baseline: string;
  /** The candidate with the largest paired success-rate gap on all tasks; null when none shares a task. */
  best: string | null;
  /**
   * Every candidate's paired success-rate gap over the baseline on all tasks (the best is chosen from these).
   */
  standings: VariantStanding[];
  /**
   * Tasks shared by the baseline and `best` (the paired intervals use only these); 0 without a best
   * candidate.
   */
  sharedTasks: number;
  /** Null when there is no best candidate (see `notes`). */
  successRate: PairedInterval | null;
  /** p50 horizon: `baseline`/`best` in minutes, `gap` = log2(best / baseline). Null without a best candidate. */
  horizon: (Omit<PairedInterval, "gap"> & { gap: number | null; ratio: number | null }) | null;
  /** The cross-fitted gap, free of best-of-k selection optimism (see {@link crossFittedGap}). */
  crossFitted: CrossFitResult;
  /** What could not be estimated on these data, and why (empty when everything was). */
  notes: string[];
}

/**
 * Best variant versus baseline: paired-bootstrap intervals on success rate and p50 horizon, and the
 * cross-fitted gap. Thin data degrade to a result with `notes` (no candidate, no shared task, one family):
 * the parts that cannot be estimated are null.
 * @throws OptionsError on a bad option; AgentNameError when the baseline or a named variant has no runs;
 *   MissingColumnError when a needed column is absent.
 */
export function elicitationGap(table: RunsTable, options: GapOptions): GapResult {
  const result = gapOf(table, parseOptions(GapOptions, options, "elicitationGap"));
  return withTableDisplay(
    result,
    `Elicitation gap: ${result.best ?? "no candidate"} over ${result.baseline} (${result.variantColumn})` +
      (result.notes.length ? ` — ${result.notes.join("; ")}` : ""),
    () => gapRows(result),
  );
}

/** The result as rows: success-rate gap (points), p50 horizon gap (doublings), the cross-fitted gap. */
export function gapRows(result: GapResult): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const paired = (measure: string, r: Omit<PairedInterval, "gap"> & { gap: number | null }) =>
    rows.push({
      measure,
      baseline: r.baseline,
      best: r.best,
      gap: r.gap,
      lower: r.lower,
      upper: r.upper,
      p_positive: r.pPositive,
    });
  if (result.successRate) paired("success rate (naive best)", result.successRate);
  if (result.horizon) paired("p50 horizon, log2 (naive best)", result.horizon);
  const c = result.crossFitted;
  rows.push({
    measure: "success rate (cross-fitted)",
    baseline: null,
    best: null,
    gap: c.gap,
    lower: c.lower,
    upper: c.upper,
    p_positive: null,
  });
  return rows;
}

function gapOf(table: RunsTable, options: GapOptions): GapResult {
  const p = prepareGap(table, options, "elicitationGap");
  const crossFitted = crossFitChecked(table, options);
  const notes = crossFitted.note ? [`cross-fitted gap: ${crossFitted.note}`] : [];
  const s = _taskSums(p);
  const T = p.tasks.length;
  const standings: VariantStanding[] = p.variants.slice(1).map((variant, k) => {
    let shared = 0;
    for (let t = 0; t < T; t++) if (s.den[(k + 1) * T + t] > 0 && s.den[t] > 0) shared++;
    return { variant, sharedTasks: shared, gap: _pairGap(s, T, k + 1, null) };
  });
  const ranked = standings.filter((v) => v.sharedTasks > 0).sort((a, b) => b.gap - a.gap);
  if (ranked.length === 0) {
    notes.unshift(
      p.variants.length < 2
        ? `no candidate variant besides the baseline "${p.variants[0]}" (${p.column})`
        : `no candidate shares a task with baseline "${p.variants[0]}"`,
    );
    return {
      variantColumn: p.column,
      baseline: p.variants[0],
      best: null,
      standings,
      sharedTasks: 0,
      successRate: null,
      horizon: null,
      crossFitted,
      notes,
    };
  }
  const best = ranked[0].variant;
  const vcol = p.column;
  const baseline = p.variants[0];
  // The paired table: baseline and best on their shared tasks.
  const bestIdx = p.variants.indexOf(best);
  const shared = new Set<string>();
  for (let t = 0; t < T; t++) if (s.den[bestIdx * T + t] > 0 && s.den[t] > 0) shared.add(p.tasks[t]);
  const vals = column<string>(table, vcol).map(String);
  const tids = column<string>(table, "task_id").map(String);
  const keep = vals.map((v, i) => (v === best || v === baseline) && shared.has(tids[i]));
  const pair = table.assign({ _keep: keep }).filter((d: Record<string, unknown>) => d._keep as boolean)
    .reify();
  const est = estimateMetrics(pair, {
    agentColumn: vcol,
    scoreColumn: options.scoreColumn,
    replicates: options.pairedReplicates ?? 1000,
    seed: options.seed,
    horizonWeighting: options.horizonWeighting,
    regularization: options.regularization,
    families: [],
  });
  const ia = est.agents.indexOf(best), ib = est.agents.indexOf(baseline);
  const width = options.interval ?? 0.8;
  const paired = (metric: string, transform: (best: number, base: number) => number): PairedInterval => {
    const e = est.estimate[metric];
    const reps: number[] = [];
    for (let r = 0; r < est.replicateCount; r++) {
      const v = transform(est.replicates[metric][r * 2 + ia], est.replicates[metric][r * 2 + ib]);
      if (Number.isFinite(v)) reps.push(v);
    }
    const gap = transform(e[ia], e[ib]);
    const [lo, hi] = reps.length > 0 ? quantiles(reps, [(1 - width) / 2, (1 + width) / 2]) : [NaN, NaN];
    const skipped = est.replicateCount - reps.length;
    return {
      baseline: e[ib],
      best: e[ia],
      gap,
      lower: Number.isFinite(lo) ? lo : null,
      upper: Number.isFinite(hi) ? hi : null,
      pPositive: reps.length > 0 ? reps.filter((v) => v > 0).length / reps.length : null,
      replicates: reps.length,
      note: skipped > 0
        ? `${skipped} of ${est.replicateCount} replicates skipped (a variant not fittable)`
        : null,
    };
  };
  const successRate = paired("success_rate", (a, b) => a - b);
  const h = paired("p50_horizon", (a, b) => Math.log2(a / b));
  const horizonNote = !(h.baseline > 0)
    ? `baseline p50 horizon is ${h.baseline}: the ratio is undefined`
    : !Number.isFinite(h.best)
    ? "best variant succeeded everywhere: its horizon is unbounded"
    : h.note;
  return {
    variantColumn: vcol,
    baseline,
    best,
    standings,
    sharedTasks: shared.size,
    successRate,
    horizon: {
      ...h,
      gap: Number.isFinite(h.gap) ? h.gap : null,
      ratio: Number.isFinite(h.gap) ? 2 ** h.gap : null,
      note: horizonNote,
    },
    crossFitted,
    notes,
  };
}
