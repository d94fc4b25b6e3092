/**
 * Per-agent point estimates: logistic fit, horizons, bucket rates, weighted average and loss.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { withTableDisplay } from "../core/display.ts";
import { horizonSummary } from "./horizon_summary.ts";
import { parseOptions } from "../core/options.ts";
import { resolveAgentNames } from "../core/agent_names.ts";
import { Bucket } from "../task/buckets.ts";
import { aggregateAgent, indexAgents } from "./agent_index.ts";
import { type BucketRate, bucketRates, HORIZON_BUCKETS, weightedMean } from "./bucket_rates.ts";
import { fitLogisticUnchecked, type LogisticFit, logLoss } from "./fit_logistic.ts";
import { horizonLabel, horizonMinutes } from "./horizon.ts";
import { isRunColumns, runColumns, type RunsInput, weightsFor } from "./run_columns.ts";

/** Options shared by the horizon functions. Defaults are METR's. */
export const HorizonOptions = z.strictObject({
  /** Weight column: "invsqrt" (default), "equal" or "none". */
  weights: z.enum(["invsqrt", "equal", "none"]).optional(),
  /** L2 penalty on the slope (1/C). Default 0.01. */
  regularization: z.number().nonnegative().optional(),
  /** Success probabilities to report horizons at. Default [0.5, 0.8]. */
  successProbabilities: z.array(z.number().gt(0).lt(1)).readonly().optional(),
  /** Duration buckets for the empirical rates. Default METR's five ({@link HORIZON_BUCKETS}). */
  buckets: z.array(Bucket).readonly().optional(),
  /** Outcome column when the input is a table. Default "score". */
  scoreColumn: z.string().optional(),
  /** Column naming the compared agents when the input is a table. Default "alias". */
  agentColumn: z.string().optional(),
  /**
   * Only these agents (default: all, in order of first appearance). A name may be an alias, a variant or a
   * model when it stands for one agent (see `resolveAgentNames`).
   */
  agents: z.array(z.string()).readonly().optional(),
});
/** Options shared by the horizon functions. */
export type HorizonOptions = z.input<typeof HorizonOptions>;

/** One agent's point estimate. */
export interface AgentHorizon {
  /** The agent, as a value of the agent column (the alias by default). */
  agent: string;
  /** Scored runs. */
  runs: number;
  /** Intercept a of the logistic fit P(success) = σ(a + b·log2(minutes)); −∞ or +∞ for a degenerate fit. */
  intercept: number;
  /**
   * Slope b of the fit per doubling of human minutes (negative when longer tasks fail more); ±∞ when
   * degenerate.
   */
  coefficient: number;
  /**
   * Whether Newton's method converged within its iteration cap (true for the degenerate all-fail/all-success
   * cases).
   */
  converged: boolean;
  /**
   * Set when the fit is degenerate: `"all-fail"` (horizon 0), `"all-success"` (horizon ∞) or `"no-weight"`
   * (NaN); absent for an ordinary fit.
   */
  degenerate?: LogisticFit["degenerate"];
  /** Horizon in minutes per success probability, keyed "p50", "p80", … */
  horizons: Record<string, number>;
  /** Weighted mean score over all the agent's runs. */
  average: number;
  /** Weighted mean binary cross-entropy of the fit. */
  loss: number;
  /** Weighted empirical success rate per duration bucket (METR's five by default; see `options.buckets`). */
  buckets: BucketRate[];
}

/**
 * Fit every agent (or `options.agents`) and report horizons, bucket rates, average and loss.
 * @throws OptionsError on an unknown option or a bad value; AgentNameError on an unknown agent.
 */
export function agentHorizons(input: RunsInput, options: HorizonOptions = {}): AgentHorizon[] {
  const fits = fitAgentHorizons(input, checkHorizonOptions(input, options, "agentHorizons"));
  return withTableDisplay(fits, "Time horizons (minutes) per agent", () => horizonSummary(fits));
}

/**
 * Validate horizon options (as `schema`, default {@link HorizonOptions}) and resolve `agents` to values of
 * the agent column. For the horizon functions' own use.
 */
export function checkHorizonOptions<S extends z.ZodType<HorizonOptions>>(
  input: RunsInput,
  options: unknown,
  fn: string,
  schema: S = HorizonOptions as unknown as S,
): z.output<S> {
  const parsed = parseOptions(schema, options, fn) as z.output<S> & HorizonOptions;
  if (parsed.agents && !isRunColumns(input)) {
    const agents = resolveAgentNames(input, parsed.agentColumn ?? "alias", parsed.agents, fn);
    return { ...parsed, agents };
  }
  return parsed;
}

/** {@link agentHorizons} on options already checked (extra keys of a wider option set are ignored). */
export function fitAgentHorizons(input: RunsInput, options: HorizonOptions): AgentHorizon[] {
  const cols = runColumns(input, { scoreColumn: options.scoreColumn, agentColumn: options.agentColumn });
  const w = weightsFor(cols, options.weights ?? "invsqrt");
  const qs = options.successProbabilities ?? [0.5, 0.8];
  const index = selectAgents(indexAgents(cols), options.agents);
  return index.map((a) => {
    const W = new Float64Array(a.taskX.length), Y = new Float64Array(a.taskX.length);
    aggregateAgent(a, cols.score, w, null, W, Y);
    const fit = fitLogisticUnchecked(a.taskX, Y, W, { regularization: options.regularization ?? 0.01 });
    const horizons: Record<string, number> = {};
    for (const q of qs) horizons[horizonLabel(q)] = horizonMinutes(fit, q);
    const rowX = Float64Array.from(a.rows, (r) => cols.x[r]);
    const rowY = Float64Array.from(a.rows, (r) => cols.score[r]);
    const rowW = Float64Array.from(a.rows, (r) => w[r]);
    return {
      agent: a.agent,
      runs: a.rows.length,
      intercept: fit.intercept,
      coefficient: fit.coefficient,
      converged: fit.converged,
      ...(fit.degenerate ? { degenerate: fit.degenerate } : {}),
      horizons,
      average: weightedMean(cols.score, w, a.rows),
      loss: fit.degenerate ? 0 : logLoss(fit, rowX, rowY, rowW),
      buckets: bucketRates(cols.minutes, cols.score, w, options.buckets ?? HORIZON_BUCKETS, a.rows),
    };
  });
}

/** Keep the named agents, in the given order. @throws Error naming an unknown agent. */
export function selectAgents<T extends { agent: string }>(all: T[], names?: readonly string[]): T[] {
  if (!names) return all;
  return names.map((name) => {
    const found = all.find((a) => a.agent === name);
    if (!found) throw new Error(`unknown agent "${name}" (known: ${all.map((a) => a.agent).join(", ")})`);
    return found;
  });
}
