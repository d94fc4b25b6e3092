/**
 * Hierarchical-bootstrap intervals for every agent's horizons (METR's method; see resampler.ts).
 *
 * @module
 */
import { aggregateAgent, indexAgents } from "./agent_index.ts";
import { z } from "../deps/zod.ts";
import { withTableDisplay } from "../core/display.ts";
import { horizonSummary } from "./horizon_summary.ts";
import {
  type AgentHorizon,
  checkHorizonOptions,
  fitAgentHorizons,
  HorizonOptions,
  selectAgents,
} from "./agent_horizons.ts";
import { fitLogisticUnchecked } from "./fit_logistic.ts";
import { horizonLabel, horizonMinutes } from "./horizon.ts";
import { quantiles } from "./quantile.ts";
import { makeResampler, ResamplerLevelsSchema } from "./resampler.ts";
import { rng } from "./rng.ts";
import { runColumns, type RunsInput, weightsFor } from "./run_columns.ts";
import { type MinutesExclusion, minutesNote } from "./minutes.ts";

/** Options of {@link bootstrapHorizons}. */
export const BootstrapOptions = HorizonOptions.extend({
  /** Number of replicates. Default 500. */
  replicates: z.number().int().nonnegative().optional(),
  /** Seed. Default 0. Replicate i uses stream i of this seed, so results do not depend on how work is split. */
  seed: z.number().int().optional(),
  /** Interval as lower/upper quantiles of the replicate distribution. Default [0.1, 0.9]. */
  interval: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).readonly().optional(),
  /** Which levels to resample (all by default). */
  levels: ResamplerLevelsSchema.optional(),
  /** Replicate range [from, to) to compute (for splitting across workers). Default all. */
  range: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]).readonly().optional(),
});
/** Options of {@link bootstrapHorizons}. */
export type BootstrapOptions = z.input<typeof BootstrapOptions>;

/** Bootstrap replicates and intervals, per agent. */
export interface BootstrapHorizons {
  /** The agents, in the order of `point`, `intercepts`, `horizons` and `summary`. */
  agents: string[];
  /** Success probabilities of the horizons (default [0.5, 0.8]), in the order of each agent's `horizons`. */
  successProbabilities: number[];
  /** Number of replicates B (the length of every replicate array). */
  replicates: number;
  /** Seed used (default 0); the same seed and options give the same replicates. */
  seed: number;
  /** Lower/upper quantiles of the intervals in `summary` (default [0.1, 0.9]). */
  interval: [number, number];
  /** Point estimates on the full data. */
  point: AgentHorizon[];
  /** Per agent: replicate intercepts (NaN where the agent was skipped: fewer than 2 distinct scores). */
  intercepts: Float64Array[];
  /** Per agent: replicate coefficients (NaN where skipped). */
  coefficients: Float64Array[];
  /** Per agent, per success probability: replicate horizons in minutes (NaN where skipped). */
  horizons: Float64Array[][];
  /** Per agent: interval bounds per horizon label, and how many replicates were fitted. */
  summary: { agent: string; fitted: number; intervals: Record<string, { low: number; high: number }> }[];
  /** Tasks left out for want of human minutes (see `RunColumns.excluded`), when any. */
  excluded?: MinutesExclusion;
  /** One line per thing left out (e.g. {@link minutesNote}); empty when nothing was. */
  notes: string[];
}

/**
 * Point estimates plus hierarchical-bootstrap intervals of every agent's horizons.
 * Replicate fits are warm-started from the point estimate and run on per-task aggregates.
 */
export function bootstrapHorizons(input: RunsInput, options: BootstrapOptions = {}): BootstrapHorizons {
  const result = bootstrapChecked(
    input,
    checkHorizonOptions(input, options, "bootstrapHorizons", BootstrapOptions),
  );
  const [lo, hi] = result.interval;
  return withTableDisplay(
    result,
    `Time horizons (minutes) with ${
      Math.round(100 * (hi - lo))
    }% bootstrap intervals (${result.replicates} replicates)`,
    () => horizonSummary(result.point, result),
  );
}

function bootstrapChecked(input: RunsInput, options: z.output<typeof BootstrapOptions>): BootstrapHorizons {
  const cols = runColumns(input, { scoreColumn: options.scoreColumn, agentColumn: options.agentColumn });
  const w = weightsFor(cols, options.weights ?? "invsqrt");
  const qs = [...(options.successProbabilities ?? [0.5, 0.8])];
  const B = options.replicates ?? 500;
  const seed = options.seed ?? 0;
  const interval: [number, number] = [options.interval?.[0] ?? 0.1, options.interval?.[1] ?? 0.9];
  const lambda = options.regularization ?? 0.01;
  const point = fitAgentHorizons(cols, { ...options, successProbabilities: qs });
  const index = selectAgents(indexAgents(cols), options.agents);
  const resample = makeResampler(
    { family: cols.family.codes, task: cols.task.codes, group: cols.agent.codes },
    options.levels,
  );
  const [from, to] = options.range ?? [0, B];

  const G = index.length;
  const intercepts = Array.from({ length: G }, () => new Float64Array(B).fill(NaN));
  const coefficients = Array.from({ length: G }, () => new Float64Array(B).fill(NaN));
  const Ws = index.map((a) => new Float64Array(a.taskX.length));
  const Ys = index.map((a) => new Float64Array(a.taskX.length));
  const counts = new Uint32Array(cols.n);
  for (let b = from; b < to; b++) {
    resample(rng(seed, b), counts);
    for (let g = 0; g < G; g++) {
      const a = index[g];
      if (!aggregateAgent(a, cols.score, w, counts, Ws[g], Ys[g])) continue;
      const p = point[g];
      const init = Number.isFinite(p.intercept) && Number.isFinite(p.coefficient)
        ? { intercept: p.intercept, coefficient: p.coefficient }
        : undefined;
      const fit = fitLogisticUnchecked(a.taskX, Ys[g], Ws[g], { regularization: lambda, init });
      intercepts[g][b] = fit.degenerate === "all-fail" ? -Infinity : fit.intercept;
      coefficients[g][b] = fit.degenerate === "all-fail" ? -Infinity : fit.coefficient;
    }
  }
  const result = finishBootstrap({ point, intercepts, coefficients, qs, B, seed, interval });
  return cols.excluded ? { ...result, excluded: cols.excluded, notes: [minutesNote(cols.excluded)] } : result;
}

/**
 * Derive horizons and intervals from replicate fits (also used to merge replicate ranges computed by
 * separate workers).
 */
export function finishBootstrap(args: {
  point: AgentHorizon[];
  intercepts: Float64Array[];
  coefficients: Float64Array[];
  qs: number[];
  B: number;
  seed: number;
  interval: [number, number];
}): BootstrapHorizons {
  const { point, intercepts, coefficients, qs, B, seed, interval } = args;
  const horizons = point.map((_, g) =>
    qs.map((q) => {
      const out = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        const a = intercepts[g][b], c = coefficients[g][b];
        out[b] = Number.isNaN(a)
          ? NaN
          : c === -Infinity
          ? 0
          : horizonMinutes({ intercept: a, coefficient: c }, q);
      }
      return out;
    })
  );
  const summary = point.map((p, g) => {
    let fitted = 0;
    for (let b = 0; b < B; b++) if (!Number.isNaN(intercepts[g][b])) fitted++;
    const intervals: Record<string, { low: number; high: number }> = {};
    qs.forEach((q, k) => {
      const [low, high] = quantiles(horizons[g][k], interval);
      intervals[horizonLabel(q)] = { low, high };
    });
    return { agent: p.agent, fitted, intervals };
  });
  return {
    agents: point.map((p) => p.agent),
    successProbabilities: qs,
    replicates: B,
    seed,
    interval,
    point,
    intercepts,
    coefficients,
    horizons,
    summary,
    notes: [],
  };
}
