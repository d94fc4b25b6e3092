/**
 * Cluster-robust (sandwich) standard errors of one agent's logistic fit and of its log2 horizon — a cheap
 * analytic check on the bootstrap. Clusters are task families (default) or tasks.
 *
 * V = G/(G−1) · H⁻¹ (Σ_c s_c s_cᵀ) H⁻¹, with H the Hessian of the penalised objective at the fit and s_c the
 * summed score (gradient of the weighted log-loss) of cluster c. The horizon's standard error follows by the
 * delta method on log2 h = (logit(q) − a) / b.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import { resolveAgentName } from "../core/agent_names.ts";
import { HorizonOptions, selectAgents } from "./agent_horizons.ts";
import { indexAgents } from "./agent_index.ts";
import { fitLogisticUnchecked, sigmoid } from "./fit_logistic.ts";
import { logit } from "./horizon.ts";
import { normalQuantile } from "./normal.ts";
import { isRunColumns, runColumns, type RunsInput, weightsFor } from "./run_columns.ts";

/** Result of {@link clusterRobustHorizon}. */
export interface ClusterRobustHorizon {
  /** The agent, as a value of the agent column. */
  agent: string;
  /** Intercept a of the agent's logistic fit σ(a + b·log2(minutes)). */
  intercept: number;
  /** Slope b of the fit per doubling of human minutes. */
  coefficient: number;
  /** Covariance matrix [[var a, cov], [cov, var b]]. */
  covariance: [[number, number], [number, number]];
  /** Cluster-robust standard error of the intercept. */
  seIntercept: number;
  /** Cluster-robust standard error of the slope. */
  seCoefficient: number;
  /** log2 of the horizon at `successProbability` and its standard error. */
  log2Horizon: number;
  /** Delta-method standard error of `log2Horizon` (in doublings, i.e. log2 minutes). */
  seLog2Horizon: number;
  /** Normal-theory interval of the horizon in minutes, at the requested quantiles. */
  low: number;
  /** Upper end of the normal-theory horizon interval, in minutes (see `low`). */
  high: number;
  /** Number of clusters G (families or tasks) in the sandwich; the small-sample factor is G/(G−1). */
  clusters: number;
}

/** Options of {@link clusterRobustHorizon}. */
export const ClusterRobustOptions = HorizonOptions.omit({ agents: true, successProbabilities: true }).extend({
  /** Cluster by `family` (default) or `task`. */
  cluster: z.enum(["family", "task"]).optional(),
  /** Success probability of the horizon. Default 0.5. */
  successProbability: z.number().gt(0).lt(1).optional(),
  /** Interval as lower/upper normal quantiles. Default [0.1, 0.9]. */
  interval: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).readonly().optional(),
});
/** Options of {@link clusterRobustHorizon}. */
export type ClusterRobustOptions = z.input<typeof ClusterRobustOptions>;

/** Sandwich standard errors of agent `agent`'s fit, clustered by family (default) or task. */
export function clusterRobustHorizon(
  input: RunsInput,
  agent: string,
  options: ClusterRobustOptions = {},
): ClusterRobustHorizon {
  options = parseOptions(ClusterRobustOptions, options, "clusterRobustHorizon");
  if (!isRunColumns(input)) {
    agent = resolveAgentName(input, options.agentColumn ?? "alias", agent, "clusterRobustHorizon");
  }
  const cols = runColumns(input, { scoreColumn: options.scoreColumn, agentColumn: options.agentColumn });
  const w = weightsFor(cols, options.weights ?? "invsqrt");
  const lambda = options.regularization ?? 0.01;
  const q = options.successProbability ?? 0.5;
  const [a] = selectAgents(indexAgents(cols), [agent]);
  const x = Float64Array.from(a.rows, (r) => cols.x[r]);
  const y = Float64Array.from(a.rows, (r) => cols.score[r]);
  const wr = Float64Array.from(a.rows, (r) => w[r]);
  const fit = fitLogisticUnchecked(x, y, wr, { regularization: lambda });
  if (fit.degenerate) {
    throw new Error(`clusterRobustHorizon: agent "${agent}" has a degenerate fit (${fit.degenerate})`);
  }
  const keys = options.cluster === "task" ? cols.task.codes : cols.family.codes;
  const s0 = new Map<number, number>(), s1 = new Map<number, number>();
  let h00 = 0, h01 = 0, h11 = lambda;
  for (let k = 0; k < a.rows.length; k++) {
    const p = sigmoid(fit.intercept + fit.coefficient * x[k]);
    const r = wr[k] * (p - y[k]);
    const v = wr[k] * p * (1 - p);
    h00 += v;
    h01 += v * x[k];
    h11 += v * x[k] * x[k];
    const c = keys[a.rows[k]];
    s0.set(c, (s0.get(c) ?? 0) + r);
    s1.set(c, (s1.get(c) ?? 0) + r * x[k]);
  }
  let m00 = 0, m01 = 0, m11 = 0;
  for (const [c, g0] of s0) {
    const g1 = s1.get(c)!;
    m00 += g0 * g0;
    m01 += g0 * g1;
    m11 += g1 * g1;
  }
  const G = s0.size;
  const det = h00 * h11 - h01 * h01;
  // H⁻¹
  const i00 = h11 / det, i01 = -h01 / det, i11 = h00 / det;
  // H⁻¹ M H⁻¹ (symmetric 2×2)
  const t00 = i00 * m00 + i01 * m01, t01 = i00 * m01 + i01 * m11;
  const t10 = i01 * m00 + i11 * m01, t11 = i01 * m01 + i11 * m11;
  const f = G > 1 ? G / (G - 1) : 1;
  const v00 = f * (t00 * i00 + t01 * i01);
  const v01 = f * (t00 * i01 + t01 * i11);
  const v11 = f * (t10 * i01 + t11 * i11);
  const aHat = fit.intercept, bHat = fit.coefficient;
  const l2h = (logit(q) - aHat) / bHat;
  const da = -1 / bHat, db = -(logit(q) - aHat) / (bHat * bHat);
  const se = Math.sqrt(da * da * v00 + 2 * da * db * v01 + db * db * v11);
  const [lo, hi] = options.interval ?? [0.1, 0.9];
  return {
    agent,
    intercept: aHat,
    coefficient: bHat,
    covariance: [[v00, v01], [v01, v11]],
    seIntercept: Math.sqrt(v00),
    seCoefficient: Math.sqrt(v11),
    log2Horizon: l2h,
    seLog2Horizon: se,
    low: 2 ** (l2h + normalQuantile(lo) * se),
    high: 2 ** (l2h + normalQuantile(hi) * se),
    clusters: G,
  };
}
