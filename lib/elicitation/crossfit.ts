/**
 * Cross-fitted elicitation gap: picking the best of k variants on the same tasks it is then measured on
 * overstates the gap (best-of-k selection optimism). Cross-fitting removes it: split the task families
 * into two halves, choose the best variant on one half, measure its gap over the baseline on the other
 * half, swap the halves, and average; repeat over several random splits and average again.
 *
 * Success rates are task-equal: runs averaged per task, tasks averaged. Each comparison of a variant with
 * the baseline uses the tasks both ran (paired). Splitting by family (default) keeps related tasks on the
 * same side so the selection half does not leak into the measurement half.
 *
 * @module
 */
import {
  fitLogisticUnchecked,
  horizonMinutes,
  makeResampler,
  quantiles,
  type Rng,
  rng,
} from "../stats/mod.ts";
import { z } from "../deps/zod.ts";
import { OptionsError, parseOptions } from "../core/options.ts";
import { resolveAgentName, resolveAgentNames } from "../core/agent_names.ts";
import { column, distinct, requireColumns, type RunsTable } from "../measure/columns.ts";

/** Options shared by the gap estimators. */
export const CrossFitOptions = z.strictObject({
  /** The baseline variant (a variant, alias or model name; see `resolveAgentNames`). */
  baseline: z.string().min(1),
  /** Candidate variants. Default: every variant except the baseline and `human`. */
  variants: z.array(z.string()).readonly().optional(),
  /**
   * Column naming the compared variants. Default `variant` when the table has values there, else `alias`
   * (the same option name as every other analysis).
   */
  agentColumn: z.string().optional(),
  /** Older name of `agentColumn`, still accepted. */
  variantColumn: z.string().optional(),
  scoreColumn: z.string().optional(),
  /** Unit of the split: `family` (default) or `task`. */
  splitBy: z.enum(["family", "task"]).optional(),
  /** Random splits averaged. Default 20. */
  repeats: z.number().int().positive().optional(),
  /** Bootstrap replicates for the interval (each with fewer splits); 0 = none. Default 200. */
  replicates: z.number().int().nonnegative().optional(),
  seed: z.number().int().optional(),
  /** Central interval width. Default 0.8. */
  interval: z.number().gt(0).lt(1).optional(),
});
/** Options shared by the gap estimators. */
export type CrossFitOptions = z.input<typeof CrossFitOptions>;

/**
 * The column a gap estimator compares: `agentColumn` (or its older name `variantColumn`), else `variant`
 * when the table has values there, else `alias`.
 * @throws OptionsError when both names are given and differ.
 */
export function gapColumn(
  table: RunsTable,
  options: Pick<CrossFitOptions, "agentColumn" | "variantColumn">,
  fn: string,
): string {
  if (options.agentColumn && options.variantColumn && options.agentColumn !== options.variantColumn) {
    throw new OptionsError(fn, [
      `options "agentColumn" (${options.agentColumn}) and "variantColumn" (${options.variantColumn}) differ; give one`,
    ]);
  }
  return options.agentColumn ?? options.variantColumn ??
    (table.columnNames().includes("variant") &&
        column(table, "variant").some((v) => v !== null && v !== undefined)
      ? "variant"
      : "alias");
}

/** Result of {@link crossFittedGap}. */
export interface CrossFitResult {
  /** The baseline variant (resolved to a value of the compared column). */
  baseline: string;
  /** The candidate variants compared with the baseline. */
  candidates: string[];
  /** Cross-fitted gap in success rate (best − baseline); null when the data cannot be split (see `note`). */
  gap: number | null;
  /** Best-of-k on all tasks (selection and measurement on the same data); null when no candidate shares a task. */
  naiveGap: number | null;
  /** The variant best on all tasks; null when no candidate shares a task with the baseline. */
  naiveBest: string | null;
  /**
   * Cross-fitted p50-horizon gap, log2(best / baseline) measured on the held-out half (same splits; tasks
   * equally weighted); null when no fold gave two finite non-zero horizons.
   */
  horizonLog2Gap: number | null;
  /**
   * Bootstrap interval of `horizonLog2Gap` (same replicates and width as `lower`/`upper`); null without
   * replicates, or when fewer than half of them gave a finite horizon gap.
   */
  horizonLog2Lower: number | null;
  /** Upper end of the bootstrap interval of `horizonLog2Gap` (see `horizonLog2Lower`). */
  horizonLog2Upper: number | null;
  /** Replicates that gave a finite horizon gap (of `replicates`). */
  horizonReplicates: number;
  /** Folds that contributed to `horizonLog2Gap`. */
  horizonFolds: number;
  /** naiveGap − gap: the selection optimism removed (null without both). */
  optimism: number | null;
  /** How often each variant was chosen on a selection half. */
  chosen: Record<string, number>;
  /**
   * Lower end of the bootstrap interval of `gap` (central width `interval`, default 0.8); null without
   * replicates.
   */
  lower: number | null;
  /** Upper end of the bootstrap interval of `gap`; null without replicates. */
  upper: number | null;
  /** Random splits averaged (default 20). */
  repeats: number;
  /** Bootstrap replicates behind the interval (default 200; 0 = no interval). */
  replicates: number;
  /** Number of split units (task families, or tasks with `splitBy: "task"`). */
  units: number;
  /** Why the gap (or part of it) could not be estimated on these data; null when it was. */
  note: string | null;
}

/** Prepared rows of the baseline (variant 0) and candidates. */
export interface GapPrep {
  /** The compared column. */
  column: string;
  /** Baseline first; only the baseline when there is no candidate. */
  variants: string[];
  tasks: string[];
  units: number;
  /** Per row: variant, task and split-unit indexes, row weight 1/runs(task, variant), score. */
  variantOf: Int32Array;
  taskOf: Int32Array;
  unitOf: Int32Array;
  weight: Float64Array;
  score: Float64Array;
  family: string[];
  taskId: string[];
  tokens: Float64Array;
  /** log2(human minutes) per row; NaN when unknown (then no horizon cross-fit). */
  x: Float64Array;
}

/** Reads and indexes the rows a gap needs. */
export function prepareGap(
  table: RunsTable,
  options: Pick<
    CrossFitOptions,
    "baseline" | "variants" | "agentColumn" | "variantColumn" | "scoreColumn" | "splitBy"
  >,
  analysis: string,
): GapPrep {
  const vcol = gapColumn(table, options, analysis);
  const scol = options.scoreColumn ?? "score";
  requireColumns(table, ["task_id", "task_family", vcol, scol], analysis);
  const variantCol = column<string>(table, vcol).map(String);
  const present = distinct(variantCol);
  const baseline = resolveAgentName(table, vcol, options.baseline, analysis);
  // Default candidates: every other variant except `human` (METR's human baseliners are no elicitation variant).
  const candidates = options.variants
    ? resolveAgentNames(table, vcol, options.variants, analysis)!
    : present.filter((v) => v !== baseline && v !== "human").sort();
  const variants = [baseline, ...candidates.filter((c) => c !== baseline)];
  const vIndex = new Map(variants.map((v, i) => [v, i]));
  const taskCol = column<string>(table, "task_id").map(String);
  const famCol = column<string>(table, "task_family").map(String);
  const scoreCol = column<number | null>(table, scol);
  const tokCol = column<number | null>(table, "total_tokens");
  const minutesCol = column<number | null>(table, "human_minutes");
  const inCol = column<number | null>(table, "input_tokens");
  const outCol = column<number | null>(table, "output_tokens");
  const rows: number[] = [];
  for (let i = 0; i < taskCol.length; i++) {
    const s = scoreCol[i];
    if (vIndex.has(variantCol[i]) && s !== null && s !== undefined && Number.isFinite(Number(s))) {
      rows.push(i);
    }
  }
  const tasks = distinct(rows.map((i) => taskCol[i]));
  const tIndex = new Map(tasks.map((t, i) => [t, i]));
  const unitKeys = rows.map((i) => (options.splitBy ?? "family") === "family" ? famCol[i] : taskCol[i]);
  const units = distinct(unitKeys);
  const uIndex = new Map(units.map((u, i) => [u, i]));
  const variantOf = Int32Array.from(rows, (i) => vIndex.get(variantCol[i])!);
  const taskOf = Int32Array.from(rows, (i) => tIndex.get(taskCol[i])!);
  const count = new Map<number, number>();
  rows.forEach((_, k) => {
    const key = variantOf[k] * tasks.length + taskOf[k];
    count.set(key, (count.get(key) ?? 0) + 1);
  });
  return {
    column: vcol,
    variants,
    tasks,
    units: units.length,
    variantOf,
    taskOf,
    unitOf: Int32Array.from(unitKeys, (u) => uIndex.get(u)!),
    weight: Float64Array.from(rows, (_, k) => 1 / count.get(variantOf[k] * tasks.length + taskOf[k])!),
    score: Float64Array.from(rows, (i) => Math.min(1, Math.max(0, Number(scoreCol[i])))),
    family: rows.map((i) => famCol[i]),
    taskId: rows.map((i) => taskCol[i]),
    x: Float64Array.from(rows, (i) => {
      const m = Number(minutesCol[i]);
      return m > 0 && Number.isFinite(m) ? Math.log2(m) : NaN;
    }),
    tokens: Float64Array.from(rows, (i) => {
      const t = tokCol[i] ??
        ((inCol[i] ?? null) !== null || (outCol[i] ?? null) !== null
          ? Number(inCol[i] ?? 0) + Number(outCol[i] ?? 0)
          : null);
      return t === null || t === undefined ? NaN : Number(t);
    }),
  };
}

/** Per (variant, task): Σ m·w·s, Σ m·w, and the task's split unit. */
export interface TaskSums {
  num: Float64Array;
  den: Float64Array;
  unitOfTask: Int32Array;
}

/** Kernel: per-(variant, task) weighted sums under multiplicities `m` (omitted = 1). */
export function _taskSums(p: GapPrep, m?: ArrayLike<number>): TaskSums {
  const T = p.tasks.length;
  const num = new Float64Array(p.variants.length * T), den = new Float64Array(p.variants.length * T);
  const unitOfTask = new Int32Array(T).fill(-1);
  for (let k = 0; k < p.variantOf.length; k++) {
    const w = p.weight[k] * (m ? m[k] : 1);
    unitOfTask[p.taskOf[k]] = p.unitOf[k];
    if (w === 0) continue;
    const c = p.variantOf[k] * T + p.taskOf[k];
    num[c] += w * p.score[k];
    den[c] += w;
  }
  return { num, den, unitOfTask };
}

/**
 * Gap of variant `v` over the baseline (variant 0) on tasks whose unit is in `inHalf` (all when null):
 * each task's run-averaged score, over tasks both ran (weighted by resampled copies). NaN when none.
 */
export function _pairGap(s: TaskSums, T: number, v: number, inHalf: Uint8Array | null): number {
  let gv = 0, gb = 0, n = 0;
  for (let t = 0; t < T; t++) {
    if (inHalf && !inHalf[s.unitOfTask[t]]) continue;
    const dv = s.den[v * T + t], db = s.den[t];
    if (!(dv > 0 && db > 0)) continue;
    // Task copies: the resampled weight of a task is the smaller of the two variants' run multiplicity sums,
    // normalised by runs; with m = 1 it is 1.
    const copies = Math.min(dv, db);
    gv += copies * (s.num[v * T + t] / dv);
    gb += copies * (s.num[t] / db);
    n += copies;
  }
  return n > 0 ? (gv - gb) / n : NaN;
}

/** Best candidate on a half: largest paired gap (ties → first). */
function bestOn(s: TaskSums, T: number, V: number, half: Uint8Array | null): number {
  let best = -1, bestGap = -Infinity;
  for (let v = 1; v < V; v++) {
    const g = _pairGap(s, T, v, half);
    if (g > bestGap) {
      bestGap = g;
      best = v;
    }
  }
  return best;
}

/**
 * Kernel: cross-fitted gap averaged over `repeats` random splits; counts choices into `chosen`, and with
 * `horizon` accumulates the held-out log2 horizon ratios (fits weighted by the multiplicities `m`, if given).
 */
export function _crossFit(
  p: GapPrep,
  s: TaskSums,
  r: Rng,
  repeats: number,
  chosen?: Float64Array,
  horizon?: { sum: number; n: number },
  m?: ArrayLike<number>,
): number {
  const T = p.tasks.length, V = p.variants.length, U = p.units;
  let total = 0, n = 0;
  const order = new Int32Array(U);
  const half = new Uint8Array(U);
  const other = new Uint8Array(U);
  for (let rep = 0; rep < repeats; rep++) {
    for (let u = 0; u < U; u++) order[u] = u;
    for (let u = U - 1; u > 0; u--) {
      const j = r.int(u + 1);
      [order[u], order[j]] = [order[j], order[u]];
    }
    half.fill(0);
    for (let k = 0; k < Math.floor(U / 2); k++) half[order[k]] = 1;
    for (let u = 0; u < U; u++) other[u] = half[u] ? 0 : 1;
    for (const [select, measure] of [[half, other], [other, half]]) {
      const best = bestOn(s, T, V, select);
      if (best < 0) continue;
      const g = _pairGap(s, T, best, measure);
      if (Number.isNaN(g)) continue;
      if (chosen) chosen[best]++;
      total += g;
      n++;
      if (horizon) {
        const hb = _halfHorizon(p, best, measure, m), h0 = _halfHorizon(p, 0, measure, m);
        if (hb > 0 && h0 > 0 && Number.isFinite(hb) && Number.isFinite(h0)) {
          horizon.sum += Math.log2(hb / h0);
          horizon.n++;
        }
      }
    }
  }
  return n > 0 ? total / n : NaN;
}

/**
 * p50 horizon (minutes) of variant `v` fitted on the rows of the units in `half` (tasks equally weighted;
 * each row's weight times its bootstrap multiplicity in `m`, when given).
 */
export function _halfHorizon(p: GapPrep, v: number, half: Uint8Array, m?: ArrayLike<number>): number {
  const rows: number[] = [];
  const weights: number[] = [];
  let total = 0;
  for (let i = 0; i < p.variantOf.length; i++) {
    const w = p.weight[i] * (m ? m[i] : 1);
    if (w > 0 && p.variantOf[i] === v && half[p.unitOf[i]] && !Number.isNaN(p.x[i])) {
      rows.push(i);
      weights.push(w);
      total += w;
    }
  }
  if (rows.length === 0 || !(total > 0)) return NaN;
  const fit = fitLogisticUnchecked(
    Float64Array.from(rows, (i) => p.x[i]),
    Float64Array.from(rows, (i) => p.score[i]),
    Float64Array.from(weights, (w) => w / total),
  );
  return fit.degenerate === "no-weight" ? NaN : horizonMinutes(fit, 0.5);
}

/**
 * The cross-fitted elicitation gap in success rate, with the naive best-of-k gap beside it and a
 * hierarchical-bootstrap interval (family → task → runs, draws shared by all variants). On data too thin
 * to split (one family, no candidate, no shared task) the gaps are null and `note` says why.
 * @throws OptionsError on a bad option; AgentNameError when the baseline or a variant has no runs;
 *   MissingColumnError when a needed column is absent.
 */
export function crossFittedGap(table: RunsTable, options: CrossFitOptions): CrossFitResult {
  return crossFitChecked(table, parseOptions(CrossFitOptions, options, "crossFittedGap"));
}

/** {@link crossFittedGap} on options already checked (extra keys of a wider option set are ignored). */
export function crossFitChecked(table: RunsTable, options: CrossFitOptions): CrossFitResult {
  const p = prepareGap(table, options, "crossFittedGap");
  const T = p.tasks.length, V = p.variants.length;
  const s = _taskSums(p);
  const naive = V > 1 ? bestOn(s, T, V, null) : -1;
  const R = options.replicates ?? 200;
  const repeats = options.repeats ?? 20;
  const thin = (note: string, naiveIndex: number): CrossFitResult => ({
    baseline: p.variants[0],
    candidates: p.variants.slice(1),
    gap: null,
    naiveGap: naiveIndex >= 0 ? _pairGap(s, T, naiveIndex, null) : null,
    naiveBest: naiveIndex >= 0 ? p.variants[naiveIndex] : null,
    horizonLog2Gap: null,
    horizonFolds: 0,
    horizonLog2Lower: null,
    horizonLog2Upper: null,
    horizonReplicates: 0,
    optimism: null,
    chosen: Object.fromEntries(p.variants.slice(1).map((v) => [v, 0])),
    lower: null,
    upper: null,
    repeats,
    replicates: R,
    units: p.units,
    note,
  });
  if (V < 2) return thin(`no candidate variant besides the baseline "${p.variants[0]}" (${p.column})`, -1);
  if (naive < 0) return thin(`no candidate shares a task with baseline "${p.variants[0]}"`, -1);
  if (p.units < 2) {
    return thin(
      `${p.units} ${options.splitBy ?? "family"} unit(s): cross-fitting needs at least 2 to split` +
        ((options.splitBy ?? "family") === "family" ? ' (splitBy: "task" splits one family\'s tasks)' : ""),
      naive,
    );
  }
  const naiveGap = _pairGap(s, T, naive, null);
  const seed = options.seed ?? 1;
  const chosenCounts = new Float64Array(V);
  const horizonAcc = { sum: 0, n: 0 };
  const gap = _crossFit(p, s, rng(seed, 1_000_003), repeats, chosenCounts, horizonAcc);
  if (Number.isNaN(gap)) {
    return thin("no split gave a half on which a candidate and the baseline share a task", naive);
  }
  let lower: number | null = null, upper: number | null = null;
  let horizonLower: number | null = null, horizonUpper: number | null = null;
  const horizonReps: number[] = [];
  // Horizon fits per replicate only when the point estimate has one (the data carry human minutes).
  const withHorizon = horizonAcc.n > 0;
  if (R > 0) {
    const resample = makeResampler({ family: p.family, task: p.taskId, group: p.variantOf });
    const buffer = new Uint32Array(p.variantOf.length);
    const reps = new Float64Array(R);
    const perReplicate = Math.max(1, Math.min(repeats, 4));
    for (let b = 0; b < R; b++) {
      const r = rng(seed, b);
      const m = resample(r, buffer);
      const sb = _taskSums(p, m);
      const acc = { sum: 0, n: 0 };
      reps[b] = _crossFit(p, sb, r, perReplicate, undefined, withHorizon ? acc : undefined, m);
      if (acc.n > 0) horizonReps.push(acc.sum / acc.n);
    }
    const w = options.interval ?? 0.8;
    const probs = [(1 - w) / 2, (1 + w) / 2];
    [lower, upper] = quantiles(reps, probs).map((v) => (Number.isNaN(v) ? null : v));
    if (withHorizon && horizonReps.length >= R / 2) {
      [horizonLower, horizonUpper] = quantiles(Float64Array.from(horizonReps), probs)
        .map((v) => (Number.isNaN(v) ? null : v));
    }
  }
  const chosen: Record<string, number> = {};
  for (let v = 1; v < V; v++) chosen[p.variants[v]] = chosenCounts[v];
  return {
    baseline: p.variants[0],
    candidates: p.variants.slice(1),
    gap,
    naiveGap,
    naiveBest: p.variants[naive],
    horizonLog2Gap: horizonAcc.n > 0 ? horizonAcc.sum / horizonAcc.n : null,
    horizonFolds: horizonAcc.n,
    horizonLog2Lower: horizonLower,
    horizonLog2Upper: horizonUpper,
    horizonReplicates: horizonReps.length,
    optimism: naiveGap - gap,
    chosen,
    lower,
    upper,
    repeats,
    replicates: R,
    units: p.units,
    note: null,
  };
}
