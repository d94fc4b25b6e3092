/**
 * One simulated evaluation answered by the toolkit's own analysis functions — the step that makes the
 * power calculation mean "the probability that *this* analysis settles the question":
 *
 * | question | decided by | decisive when |
 * |---|---|---|
 * | gap | `pairedDifference` (statistic `successRate`, equal task weights: the task-equal success rate and the hierarchical paired bootstrap of `elicitationGap`) — or `elicitationGap` itself with `analysis: "full"` | the central interval excludes Δ |
 * | horizon | `bootstrapHorizons` (p50) | the interval excludes the threshold |
 * | verdict | `verdicts` (lib/protocol) on p50 replicates — from `estimateMetrics` (`full`), or in `fast` mode from `bootstrapHorizons` (the same fit, weights, resampler and skip rule, without the bucket and family metrics the verdict does not read) | the verdict is `crossed` or `not_crossed` |
 *
 * `analysis: "fast"` (the planner's default) passes typed columns straight to the lib/stats functions and
 * uses a small replicate count; `"full"` builds the runs table a real log would give and calls the public
 * analysis functions with their default replicate counts (the validation's "realised" side).
 *
 * @module
 */
import { from } from "../deps/arquero.ts";
import { pairedDifference } from "../stats/paired_difference.ts";
import { bootstrapHorizons } from "../stats/bootstrap_horizons.ts";
import { elicitationGap } from "../elicitation/gap.ts";
import { estimateMetrics, type MetricEstimates } from "../measure/estimates.ts";
import type { RunColumns } from "../stats/run_columns.ts";
import { verdicts } from "../protocol/verdict.ts";
import { type CheckedQuestion, crossedIsAbove, cutoff, type Side, verdictThreshold } from "./questions.ts";
import { type Design, designColumns, designRows, type SimBatch } from "./simulate.ts";

/** How a simulated evaluation is analysed. */
export interface DecideOptions {
  /** `fast` (typed columns, `replicates` bootstrap replicates) or `full` (public functions, defaults). */
  analysis: "fast" | "full";
  /** Bootstrap replicates in `fast` mode. */
  replicates: number;
  /** Seed of the analysis' bootstrap. */
  seed: number;
}

/** What the analysis said about one simulated evaluation. */
export interface Answer {
  /** `above` / `below` the cut-off, or null (undecided). */
  side: Exclude<Side, "at"> | null;
  estimate: number;
  lower: number;
  upper: number;
}

function sideOf(lower: number, upper: number, c: number): Exclude<Side, "at"> | null {
  if (lower > c) return "above";
  if (upper < c) return "below";
  return null;
}

/** Analyse design `d` of batch `b` as the question's analysis would, and say what it decided. */
export function decide(q: CheckedQuestion, b: SimBatch, d: Design, o: DecideOptions): Answer {
  if (o.analysis === "fast") return decideColumns(q, designColumns(b, d), o);
  return decideFull(q, b, d, o);
}

/**
 * The `fast` analysis of {@link decide} on any runs as typed columns (a simulated selection of runs, or a
 * real log's runs table through `runColumns`): the same statistics, `o.replicates` bootstrap replicates.
 */
export function decideColumns(
  q: CheckedQuestion,
  cols: RunColumns,
  o: Pick<DecideOptions, "replicates" | "seed">,
): Answer {
  return decideFull(q, null, null, { analysis: "fast", ...o }, cols);
}

function decideFull(
  q: CheckedQuestion,
  b: SimBatch | null,
  d: Design | null,
  o: DecideOptions,
  given?: RunColumns,
): Answer {
  const cols = () => given ?? designColumns(b!, d!);
  const rows = () => designRows(b!, d!);
  const c = cutoff(q);
  if (q.question === "gap") {
    const w = q.interval ?? 0.8;
    if (o.analysis === "fast") {
      const r = pairedDifference(cols(), q.a, q.b, {
        statistic: "successRate",
        weights: "equal",
        replicates: o.replicates,
        seed: o.seed,
        interval: [(1 - w) / 2, (1 + w) / 2],
      });
      return { side: sideOf(r.low, r.high, c), estimate: r.estimate, lower: r.low, upper: r.high };
    }
    const g = elicitationGap(from(rows()), {
      baseline: q.b,
      variants: [q.a],
      agentColumn: "variant",
      interval: w,
      seed: o.seed,
      // The cross-fitted interval is not what decides here; its replicates would only cost time.
      replicates: 0,
    });
    const s = g.successRate;
    if (!s || s.lower === null || s.upper === null) {
      return { side: null, estimate: NaN, lower: NaN, upper: NaN };
    }
    // elicitationGap reports best − baseline; the best can only be `a` here (one candidate).
    return { side: sideOf(s.lower, s.upper, c), estimate: s.gap, lower: s.lower, upper: s.upper };
  }
  if (q.question === "horizon") {
    const w = q.interval ?? 0.8;
    const input = o.analysis === "fast" ? cols() : from(rows());
    const r = bootstrapHorizons(input, {
      agents: [q.agent],
      successProbabilities: [0.5],
      interval: [(1 - w) / 2, (1 + w) / 2],
      seed: o.seed,
      ...(o.analysis === "fast" ? { replicates: o.replicates } : {}),
    });
    const { low, high } = r.summary[0].intervals.p50;
    return { side: sideOf(low, high, c), estimate: r.point[0].horizons.p50, lower: low, upper: high };
  }
  const threshold = verdictThreshold(q, "the question being planned");
  const est = o.analysis === "fast"
    ? horizonEstimates(cols(), q.agent, o)
    : estimateMetrics(from(rows()), { seed: o.seed });
  const [row] = verdicts(est, [threshold], { confidence: q.confidence ?? 0.9 });
  const above = crossedIsAbove(q);
  const side = row.verdict === "crossed"
    ? (above ? "above" : "below")
    : row.verdict === "not_crossed"
    ? (above ? "below" : "above")
    : null;
  const toMin = (v: number | null) => v === null ? NaN : (q.unit === "hours" ? v * 60 : v);
  return { side, estimate: toMin(row.estimate), lower: toMin(row.lower), upper: toMin(row.upper) };
}

/**
 * The p50-horizon part of `estimateMetrics`' result, from `bootstrapHorizons` (same weighted logistic fit,
 * inverse-sqrt weights, L2 0.01, family → task → run resampler, replicates skipped when the outcomes are
 * not two-valued), for `verdicts` to read.
 */
function horizonEstimates(cols: RunColumns, agent: string, o: DecideOptions): MetricEstimates {
  const r = bootstrapHorizons(cols, {
    agents: [agent],
    successProbabilities: [0.5],
    replicates: o.replicates,
    seed: o.seed,
  });
  const p = r.point[0];
  return {
    agents: [agent],
    metrics: ["p50_horizon", "horizon_slope"],
    estimate: {
      p50_horizon: Float64Array.of(p.degenerate === "no-weight" ? NaN : p.horizons.p50),
      horizon_slope: Float64Array.of(p.coefficient),
    },
    replicates: { p50_horizon: r.horizons[0][0], horizon_slope: r.coefficients[0] },
    replicateCount: r.replicates,
    notes: new Map(),
    runsPerAgent: [p.runs],
  };
}
