/**
 * Every metric a threshold can name, for every agent, as a point estimate and as hierarchical-bootstrap
 * replicates drawn with one shared resampler (family → task → runs, family and task draws shared by all
 * agents; `lib/stats/resampler.ts`). Sharing the replicates lets the verdict table read P(threshold
 * exceeded) directly and lets gaps between agents be paired.
 *
 * Metric keys: `p50_horizon`, `p80_horizon`, `level_horizon` (minutes), `level`, `success_rate`,
 * `bucket_score:<bucket id>`, `family_success:<family>`.
 *
 * @module
 */
import { fitLogisticUnchecked, horizonMinutes, makeResampler, rng, taskWeights } from "../stats/mod.ts";
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import { BucketScheme, DEFAULT_BUCKETS } from "../task/buckets.ts";
import { distinct, type RunArrays, runArrays, type RunsTable } from "./columns.ts";
import { InsufficientDataError } from "./errors.ts";
import { levelToMinutes } from "./level.ts";
import { _bucketScoreKernel, _levelOf, prepareScore, type ScorePrep } from "./score.ts";

/** Options of {@link estimateMetrics}. */
export const EstimateOptions = z.strictObject({
  scheme: BucketScheme.optional(),
  /** Task weighting of the bucket score. Default `equal`. */
  bucketWeighting: z.enum(["equal", "invsqrt"]).optional(),
  /** Task weighting of the logistic horizon fit, as METR's columns. Default `invsqrt`. */
  horizonWeighting: z.enum(["equal", "invsqrt"]).optional(),
  /** L2 penalty of the logistic fit (METR's default 0.01). */
  regularization: z.number().nonnegative().optional(),
  /** Column holding the compared unit. Default `alias`. */
  agentColumn: z.string().optional(),
  /** `score` (default) or `score_binarized`. */
  scoreColumn: z.string().optional(),
  /** Stand-in lower end (minutes) of a first bucket starting at 0. Default 1. */
  floorMinutes: z.number().positive().optional(),
  /** Bootstrap replicates; 0 = point estimates only. Default 500 (METR's for horizon fits). */
  replicates: z.number().int().nonnegative().optional(),
  /** PRNG seed. Default 1. */
  seed: z.number().int().optional(),
  /** Families to compute `family_success:<family>` for. Default: every family. */
  families: z.array(z.string()).readonly().optional(),
});
/** Options of {@link estimateMetrics}. */
export type EstimateOptions = z.input<typeof EstimateOptions>;

/** Point estimates and replicates, agents × metrics. */
export interface MetricEstimates {
  /** The agents (values of the agent column), sorted; the agent index of `estimate` and `replicates`. */
  agents: string[];
  /** The metric keys computed (see the module doc), the keys of `estimate` and `replicates`. */
  metrics: string[];
  /** `estimate[metric][agent]`; NaN = not estimable (see `notes`). */
  estimate: Record<string, Float64Array>;
  /** `replicates[metric]` is replicates × agents, row-major; NaN where a replicate was skipped. */
  replicates: Record<string, Float64Array>;
  /** Number of bootstrap replicates (0 = point estimates only). */
  replicateCount: number;
  /** Why an agent's metric is not estimable, keyed `metric\u0000agent`. */
  notes: Map<string, string>;
  /** Scored runs per agent. */
  runsPerAgent: number[];
}

interface Prep {
  runs: RunArrays;
  score: ScorePrep;
  agents: string[];
  agentOf: Int32Array;
  x: Float64Array;
  y: Float64Array;
  horizonWeight: Float64Array;
  /** Equal task weight 1/runs(task, agent) (not normalised). */
  taskWeight: Float64Array;
  familyIndex: Int32Array;
  families: string[];
  scheme: BucketScheme;
  floorMinutes: number;
  regularization: number;
}

function prepare(table: RunsTable, options: EstimateOptions): Prep {
  const scheme = options.scheme ?? DEFAULT_BUCKETS;
  const all = runArrays(table, "estimateMetrics", options);
  // Keep scored rows with positive minutes.
  const keep: number[] = [];
  for (let i = 0; i < all.n; i++) if (all.score[i] !== null && (all.humanMinutes[i] ?? 0) > 0) keep.push(i);
  const runs: RunArrays = {
    n: keep.length,
    runId: keep.map((i) => all.runId[i]),
    taskId: keep.map((i) => all.taskId[i]),
    family: keep.map((i) => all.family[i]),
    agent: keep.map((i) => all.agent[i]),
    score: keep.map((i) => all.score[i]),
    humanMinutes: keep.map((i) => all.humanMinutes[i]),
  };
  if (runs.n === 0) {
    throw new InsufficientDataError(
      "estimateMetrics",
      all.n === 0
        ? "the runs table is empty"
        : `none of the ${all.n} runs has a score and positive human_minutes`,
    );
  }
  const score = prepareScore(runs, scheme, options.bucketWeighting ?? "equal");
  const agents = score.agents;
  const agentIndex = new Map(agents.map((a, i) => [a, i]));
  const agentOf = Int32Array.from(runs.agent, (a) => agentIndex.get(a)!);
  const w = taskWeights({ agent: runs.agent, task: runs.taskId, family: runs.family });
  const horizonWeight = (options.horizonWeighting ?? "invsqrt") === "invsqrt" ? w.invsqrt : w.equal;
  const perTask = new Map<string, number>();
  for (let i = 0; i < runs.n; i++) {
    const k = `${agentOf[i]}\0${runs.taskId[i]}`;
    perTask.set(k, (perTask.get(k) ?? 0) + 1);
  }
  const taskWeight = Float64Array.from(runs.taskId, (t, i) => 1 / perTask.get(`${agentOf[i]}\0${t}`)!);
  const families = options.families ? [...options.families] : distinct(runs.family).sort();
  const famIndex = new Map(families.map((f, i) => [f, i]));
  return {
    runs,
    score,
    agents,
    agentOf,
    x: Float64Array.from(runs.humanMinutes, (m) => Math.log2(m!)), // kept rows all have minutes
    y: Float64Array.from(runs.score, (s) => s!),
    horizonWeight,
    taskWeight,
    familyIndex: Int32Array.from(runs.family, (f) => famIndex.get(f) ?? -1),
    families,
    scheme,
    floorMinutes: options.floorMinutes ?? 1,
    regularization: options.regularization ?? 0.01,
  };
}

/** Kernel: all metrics for all agents under one multiplicity vector (omitted = the data as observed). */
function metricKernel(
  p: Prep,
  m: ArrayLike<number> | undefined,
  out: Record<string, Float64Array>,
  offset: number,
) {
  const A = p.agents.length, B = p.scheme.length, F = p.families.length;
  const cells = _bucketScoreKernel(p.score, m);
  for (let a = 0; a < A; a++) {
    const level = _levelOf(cells, a, B);
    out.level[offset + a] = level;
    out.level_horizon[offset + a] = levelToMinutes(level, p.scheme, p.floorMinutes);
    for (let b = 0; b < B; b++) out[`bucket_score:${p.scheme[b].id}`][offset + a] = cells[a * B + b];
  }
  // Success rate (task-equal) and family success.
  const num = new Float64Array(A), den = new Float64Array(A);
  const fnum = new Float64Array(A * F), fden = new Float64Array(A * F);
  for (let i = 0; i < p.runs.n; i++) {
    const mult = m ? m[i] : 1;
    if (mult === 0) continue;
    const a = p.agentOf[i];
    const w = p.taskWeight[i] * mult;
    num[a] += w * p.y[i];
    den[a] += w;
    const f = p.familyIndex[i];
    if (f >= 0) {
      fnum[a * F + f] += w * p.y[i];
      fden[a * F + f] += w;
    }
  }
  for (let a = 0; a < A; a++) {
    out.success_rate[offset + a] = den[a] > 0 ? num[a] / den[a] : NaN;
    for (let f = 0; f < F; f++) {
      out[`family_success:${p.families[f]}`][offset + a] = fden[a * F + f] > 0
        ? fnum[a * F + f] / fden[a * F + f]
        : NaN;
    }
  }
  // Horizons: one weighted logistic fit per agent.
  const rowsOf: number[][] = p.agents.map(() => []);
  for (let i = 0; i < p.runs.n; i++) if (!m || m[i] > 0) rowsOf[p.agentOf[i]].push(i);
  for (let a = 0; a < A; a++) {
    const rows = rowsOf[a];
    const x = new Float64Array(rows.length),
      y = new Float64Array(rows.length),
      w = new Float64Array(rows.length);
    let lo = Infinity, hi = -Infinity;
    rows.forEach((i, k) => {
      x[k] = p.x[i];
      y[k] = p.y[i];
      w[k] = p.horizonWeight[i] * (m ? m[i] : 1);
      lo = Math.min(lo, p.y[i]);
      hi = Math.max(hi, p.y[i]);
    });
    // METR: an agent whose outcomes in a replicate take fewer than 2 distinct values is skipped;
    // on the observed data an all-fail agent gets horizon 0.
    if (rows.length === 0 || (m && !(hi > lo))) {
      out.p50_horizon[offset + a] = NaN;
      out.p80_horizon[offset + a] = NaN;
      out.horizon_slope[offset + a] = NaN;
      continue;
    }
    const fit = fitLogisticUnchecked(x, y, w, { regularization: p.regularization });
    out.horizon_slope[offset + a] = fit.degenerate === "no-weight" ? NaN : fit.coefficient;
    out.p50_horizon[offset + a] = fit.degenerate === "no-weight" ? NaN : horizonMinutes(fit, 0.5);
    out.p80_horizon[offset + a] = fit.degenerate === "no-weight" ? NaN : horizonMinutes(fit, 0.8);
  }
}

/**
 * Point estimates and bootstrap replicates of every metric for every agent.
 * @throws MissingColumnError / InsufficientDataError.
 */
export function estimateMetrics(table: RunsTable, options: EstimateOptions = {}): MetricEstimates {
  options = parseOptions(EstimateOptions, options, "estimateMetrics");
  const p = prepare(table, options);
  const A = p.agents.length;
  const metrics = [
    "p50_horizon",
    "p80_horizon",
    // The fit's slope per doubling of task length: a replicate whose slope is not negative (success does not
    // fall with length) has a horizon that is an extrapolation; the verdicts count such replicates.
    "horizon_slope",
    "level",
    "level_horizon",
    "success_rate",
    ...p.scheme.map((b) => `bucket_score:${b.id}`),
    ...p.families.map((f) => `family_success:${f}`),
  ];
  const R = options.replicates ?? 500;
  const estimate: Record<string, Float64Array> = {};
  const replicates: Record<string, Float64Array> = {};
  for (const k of metrics) {
    estimate[k] = new Float64Array(A);
    replicates[k] = new Float64Array(R * A);
  }
  metricKernel(p, undefined, estimate, 0);
  if (R > 0) {
    const resample = makeResampler({ family: p.runs.family, task: p.runs.taskId, group: p.runs.agent });
    const seed = options.seed ?? 1;
    const buffer = new Uint32Array(p.runs.n);
    // Replicate i draws from rng(seed, i), the stream convention of lib/stats.
    for (let rep = 0; rep < R; rep++) metricKernel(p, resample(rng(seed, rep), buffer), replicates, rep * A);
  }
  const notes = new Map<string, string>();
  const runsPerAgent = new Array(A).fill(0);
  for (let i = 0; i < p.runs.n; i++) runsPerAgent[p.agentOf[i]]++;
  for (const k of metrics) {
    for (let a = 0; a < A; a++) {
      if (!Number.isNaN(estimate[k][a])) continue;
      let why = "no scored runs";
      if (k.startsWith("bucket_score:")) why = `no tasks of bucket ${k.slice(13)} for this agent`;
      if (k.startsWith("family_success:")) why = `no runs of family ${k.slice(15)} for this agent`;
      notes.set(`${k}\0${p.agents[a]}`, why);
    }
  }
  return { agents: p.agents, metrics, estimate, replicates, replicateCount: R, notes, runsPerAgent };
}

/** The replicates of one metric for one agent (NaN-free). */
export function replicatesOf(est: MetricEstimates, metric: string, agent: string): Float64Array {
  const a = est.agents.indexOf(agent);
  const all = est.replicates[metric];
  if (a < 0 || !all) return new Float64Array(0);
  const A = est.agents.length;
  const out: number[] = [];
  for (let r = 0; r < est.replicateCount; r++) {
    const v = all[r * A + a];
    if (!Number.isNaN(v)) out.push(v);
  }
  return Float64Array.from(out);
}
