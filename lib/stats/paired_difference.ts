/**
 * Paired comparison of two agents under the hierarchical bootstrap: both agents are evaluated on the same
 * resampled families and tasks in every replicate, so the spread of the difference reflects only how the
 * agents differ, not which tasks happened to be drawn.
 *
 * @module
 */
import { aggregateAgent, indexAgents } from "./agent_index.ts";
import { z } from "../deps/zod.ts";
import { withTableDisplay } from "../core/display.ts";
import { parseOptions } from "../core/options.ts";
import { resolveAgentName } from "../core/agent_names.ts";
import { fitAgentHorizons, HorizonOptions, selectAgents } from "./agent_horizons.ts";
import { weightedMean } from "./bucket_rates.ts";
import { fitLogisticUnchecked } from "./fit_logistic.ts";
import { horizonMinutes } from "./horizon.ts";
import { quantiles } from "./quantile.ts";
import { makeResampler, ResamplerLevelsSchema } from "./resampler.ts";
import { rng } from "./rng.ts";
import { isRunColumns, runColumns, type RunsInput, weightsFor } from "./run_columns.ts";

/** Options of {@link pairedDifference}. */
export const PairedOptions = HorizonOptions.omit({ agents: true, successProbabilities: true }).extend({
  /**
   * What to compare: `"horizon"` (at `successProbability`, default 0.5) or `"successRate"` (weighted mean
   * score). Default "horizon".
   */
  statistic: z.enum(["horizon", "successRate"]).optional(),
  /** Success probability of the horizon. Default 0.5. */
  successProbability: z.number().gt(0).lt(1).optional(),
  /** `"log2"` compares log2 horizons (a log ratio); `"linear"` (default) subtracts minutes / rates. */
  scale: z.enum(["linear", "log2"]).optional(),
  /** Number of bootstrap replicates. Default 500. */
  replicates: z.number().int().nonnegative().optional(),
  /** Seed. Default 0. Replicate i uses stream i of this seed. */
  seed: z.number().int().optional(),
  /** Interval as lower/upper quantiles of the replicate differences. Default [0.1, 0.9]. */
  interval: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).readonly().optional(),
  /** Which levels to resample (families, tasks, runs; all by default). */
  levels: ResamplerLevelsSchema.optional(),
});
/** Options of {@link pairedDifference}. */
export type PairedOptions = z.input<typeof PairedOptions>;

/** Distribution of statistic(a) − statistic(b). */
export interface PairedDifference {
  /** First agent (the difference is a − b), as a value of the agent column. */
  a: string;
  /** Second agent, subtracted from `a`. */
  b: string;
  /** What was compared (see {@link PairedOptions}). */
  statistic: "horizon" | "successRate";
  /**
   * `"linear"`: differences in minutes (horizon) or rate points; `"log2"`: differences of log2 values (a log
   * ratio).
   */
  scale: "linear" | "log2";
  /** Difference on the full data. */
  estimate: number;
  /** Per-replicate difference (NaN where either agent could not be fitted). */
  replicates: Float64Array;
  /**
   * Lower end of the bootstrap interval of the difference (quantile `interval[0]`, default 0.1; NaN
   * replicates skipped).
   */
  low: number;
  /** Upper end of the bootstrap interval of the difference (quantile `interval[1]`, default 0.9). */
  high: number;
  /** Share of fitted replicates with a difference > 0. */
  probabilityPositive: number;
  /** Replicates where both agents were fitted. */
  fitted: number;
}

/** Bootstrap distribution of the difference between agents `a` and `b`. */
export function pairedDifference(
  input: RunsInput,
  a: string,
  b: string,
  options: PairedOptions = {},
): PairedDifference {
  options = parseOptions(PairedOptions, options, "pairedDifference");
  if (!isRunColumns(input)) {
    a = resolveAgentName(input, options.agentColumn ?? "alias", a, "pairedDifference");
    b = resolveAgentName(input, options.agentColumn ?? "alias", b, "pairedDifference");
  }
  const cols = runColumns(input, { scoreColumn: options.scoreColumn, agentColumn: options.agentColumn });
  const w = weightsFor(cols, options.weights ?? "invsqrt");
  const statistic = options.statistic ?? "horizon";
  const scale = options.scale ?? "linear";
  const q = options.successProbability ?? 0.5;
  const lambda = options.regularization ?? 0.01;
  const B = options.replicates ?? 500;
  const seed = options.seed ?? 0;
  const interval = options.interval ?? [0.1, 0.9];
  const pair = selectAgents(indexAgents(cols), [a, b]);
  const point = fitAgentHorizons(cols, { ...options, agents: [a, b], successProbabilities: [q] });
  const transform = (v: number) => (scale === "log2" ? Math.log2(v) : v);

  const pointStat = (k: number) =>
    statistic === "horizon" ? transform(horizonMinutes(point[k], q)) : transform(point[k].average);
  const estimate = pointStat(0) - pointStat(1);

  const resample = makeResampler(
    { family: cols.family.codes, task: cols.task.codes, group: cols.agent.codes },
    options.levels,
  );
  const counts = new Uint32Array(cols.n);
  const out = new Float64Array(B).fill(NaN);
  const bufs = pair.map((p) => [new Float64Array(p.taskX.length), new Float64Array(p.taskX.length)]);
  const mult = new Float64Array(cols.n);
  for (let r = 0; r < B; r++) {
    resample(rng(seed, r), counts);
    const stats = pair.map((p, k) => {
      if (statistic === "successRate") {
        for (const row of p.rows) mult[row] = w[row] * counts[row];
        return transform(weightedMean(cols.score, mult, p.rows));
      }
      if (!aggregateAgent(p, cols.score, w, counts, bufs[k][0], bufs[k][1])) return NaN;
      const init = Number.isFinite(point[k].coefficient) ? point[k] : undefined;
      const fit = fitLogisticUnchecked(p.taskX, bufs[k][1], bufs[k][0], { regularization: lambda, init });
      return transform(horizonMinutes(fit, q));
    });
    out[r] = stats[0] - stats[1];
  }
  const [low, high] = quantiles(out, interval);
  let fitted = 0, positive = 0;
  for (const d of out) {
    if (Number.isNaN(d)) continue;
    fitted++;
    if (d > 0) positive++;
  }
  const result: PairedDifference = {
    a,
    b,
    statistic,
    scale,
    estimate,
    replicates: out,
    low,
    high,
    probabilityPositive: fitted ? positive / fitted : NaN,
    fitted,
  };
  return withTableDisplay(
    result,
    `Paired difference ${result.a} − ${result.b} (${result.statistic}, ${result.scale})`,
    () => [{
      a: result.a,
      b: result.b,
      estimate: result.estimate,
      low: result.low,
      high: result.high,
      p_positive: result.probabilityPositive,
    }],
  );
}
