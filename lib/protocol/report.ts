/**
 * The whole protocol analysis of one runs table in one pure call — what `deno task protocol` prints and
 * what a notebook cell can call: bucket scores (under each spurious-failure policy when tags are given),
 * the verdict table (with the elicitation gap as a safety margin), the elicitation gap itself, and the
 * checks.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { withTableDisplay } from "../core/display.ts";
import { mapOption, parseOptions } from "../core/options.ts";
import { AgentNameError } from "../core/agent_names.ts";
import { BucketScheme, DEFAULT_BUCKETS } from "../task/buckets.ts";
import { elicitationGap, type GapResult } from "../elicitation/gap.ts";
import { suggestFailureTags } from "../elicitation/heuristics.ts";
import type { ReviewEvent } from "../elicitation/events.ts";
import { applySpuriousPolicy, SPURIOUS_POLICIES, type SpuriousPolicy } from "../elicitation/policy.ts";
import type { FailureTag } from "../elicitation/tags.ts";
import { type CheckResult, protocolChecks } from "./checks.ts";
import { column, defaultVariantColumn, distinct, type RunsTable } from "../measure/columns.ts";
import { InsufficientDataError } from "../measure/errors.ts";
import { estimateMetrics } from "../measure/estimates.ts";
import { type MinutesExclusion, minutesNote, withKnownMinutes } from "../frame/minutes.ts";
import { type AgentScore, bucketScores } from "../measure/score.ts";
import { Threshold } from "./thresholds.ts";
import { type SafetyMargin, type VerdictRow, verdicts } from "./verdict.ts";

/** Options of {@link protocolReport}. */
export const ProtocolReportOptions = z.strictObject({
  /** The thresholds to judge (see `parseThresholds`). */
  thresholds: z.array(Threshold).readonly(),
  scheme: BucketScheme.optional(),
  /** Task weighting of the bucket score. Default `equal`. */
  bucketWeighting: z.enum(["equal", "invsqrt"]).optional(),
  /** Task weighting of the horizon fit. Default `invsqrt`. */
  horizonWeighting: z.enum(["equal", "invsqrt"]).optional(),
  scoreColumn: z.string().optional(),
  /** Column of the compared unit in scores and verdicts. Default `alias`. */
  agentColumn: z.string().optional(),
  /** Bootstrap replicates. Default 500. */
  replicates: z.number().int().nonnegative().optional(),
  seed: z.number().int().optional(),
  /** Central interval width. Default 0.8. */
  interval: z.number().gt(0).lt(1).optional(),
  /** Probability a verdict needs. */
  confidence: z.number().gt(0).lt(1).optional(),
  /** Baseline variant of the elicitation gap (any naming). Default: the weakest (see {@link defaultBaseline}). */
  baseline: z.string().min(1).optional(),
  /** Candidate variants. Default: every other variant (except `human`). */
  variants: z.array(z.string()).readonly().optional(),
  /** Column of variants for the gap. Default `variant` when present, else `alias`. */
  variantColumn: z.string().optional(),
  /**
   * Safety margin: `auto` (default) = from the gap when variants are real variants (a `variant` column),
   * none for agents that are different models (METR's file); `gap` = always from the gap; `none`; or explicit.
   */
  margin: z.union([
    z.enum(["auto", "gap", "none"]),
    z.strictObject({
      horizonFactor: z.number().positive().optional(),
      level: z.number().nonnegative().optional(),
      successRate: z.number().min(0).max(1).optional(),
      source: z.string().optional(),
    }),
  ]).optional(),
  /** Resolved failure tags; when absent, heuristic suggestions feed the spurious-share check. */
  tags: mapOption<string, FailureTag>().optional(),
  /** Policy for the verdicts and checks. Default `as_failure`. */
  policy: z.enum(["as_failure", "exclude", "as_success"]).optional(),
  /** Events per run id, for the heuristics (see `eventsByRun`). */
  events: mapOption<string, readonly ReviewEvent[]>().optional(),
  /** Task ids that failed QA. */
  qaFailedTasks: z.array(z.string()).readonly().optional(),
});
/** Options of {@link protocolReport}. */
export type ProtocolReportOptions = z.input<typeof ProtocolReportOptions>;

/** One agent's point horizons under one spurious-failure policy. */
export interface PolicyHorizon {
  /** The agent, as a value of the agent column. */
  agent: string;
  /** Horizon at 50% success, in hours; null when not finite (e.g. unbounded: every run succeeded). */
  p50_hours: number | null;
  /** Horizon at 80% success, in hours; null when not finite. */
  p80_hours: number | null;
  /** Bucket-weighted overall score, in [0, number of buckets]. */
  level: number;
  /** The horizon equivalent to `level`, in hours. */
  level_horizon_hours: number;
}

/** Result of {@link protocolReport}. */
export interface ProtocolReport {
  /** Runs analysed (without those of tasks lacking human minutes). */
  runs: number;
  /** Tasks left out because their runs have no human minutes, when any (also one line in `notes`). */
  excluded?: MinutesExclusion;
  /** The agents compared (values of the agent column), in the order of the score rows. */
  agents: string[];
  /** Spurious-failure policy of the verdicts and checks (`as_failure` by default). */
  policy: SpuriousPolicy;
  /** Bucket scores per agent under `policy`. */
  bucketScores: AgentScore[];
  /** Bucket scores under each policy (only when tags are given). */
  bucketScoresByPolicy: Partial<Record<SpuriousPolicy, AgentScore[]>>;
  /** Point horizons per agent under each policy (only when tags are given): the bounds of METR's guidelines. */
  horizonsByPolicy: Partial<Record<SpuriousPolicy, PolicyHorizon[]>>;
  /**
   * One row per (threshold, agent): estimate, interval, P(crossed) and verdict, plain and with the margin.
   */
  verdicts: VerdictRow[];
  /** The safety margin used for the adjusted verdicts (from the gap, given explicitly, or null for none). */
  margin: SafetyMargin | null;
  /**
   * The elicitation gap of the best variant over the baseline; null when it could not be estimated (see
   * `notes`).
   */
  elicitationGap: GapResult | null;
  /** Human-readable notes on what was left out, degraded or how to read the result; empty when none. */
  notes: string[];
  /** The protocol checks (see `protocolChecks`), each pass/warn/fail with its numbers. */
  checks: CheckResult[];
}

/**
 * The default baseline: the weakest variant (task-equal success rate) clear of the floor (rate >= `minRate`,
 * default 0.05, so its horizon is finite and ratios to it mean something), excluding `human`; if none is,
 * the weakest with any success.
 */
export function defaultBaseline(
  table: RunsTable,
  variantColumn: string,
  scoreColumn = "score",
  minRate = 0.05,
): string | null {
  const v = column<string>(table, variantColumn).map(String);
  const t = column<string>(table, "task_id").map(String);
  const s = column<number | null>(table, scoreColumn);
  const per = new Map<string, Map<string, { sum: number; n: number }>>();
  v.forEach((variant, i) => {
    if (variant === "human" || s[i] === null || s[i] === undefined) return;
    const m = per.get(variant) ?? new Map();
    const e = m.get(t[i]) ?? { sum: 0, n: 0 };
    e.sum += Number(s[i]);
    e.n++;
    m.set(t[i], e);
    per.set(variant, m);
  });
  const rates = [...per].map(([variant, m]) => ({
    variant,
    rate: [...m.values()].reduce((a, e) => a + e.sum / e.n, 0) / m.size,
  })).sort((a, b) => a.rate - b.rate || a.variant.localeCompare(b.variant));
  return (rates.find((r) => r.rate >= minRate) ?? rates.find((r) => r.rate > 0))?.variant ?? null;
}

/**
 * Runs the protocol analysis. Runs of tasks without human minutes are left out of all of it (buckets,
 * horizons, the gap, the checks), with one line in `notes` naming those tasks.
 * @throws MissingColumnError / InsufficientDataError on unusable input.
 */
export function protocolReport(input: RunsTable, options: ProtocolReportOptions): ProtocolReport {
  options = parseOptions(ProtocolReportOptions, options, "protocolReport");
  const notes: string[] = [];
  const { table, excluded } = withKnownMinutes(input);
  if (excluded) notes.push(minutesNote(excluded));
  const policy = options.policy ?? "as_failure";
  const scheme = options.scheme ?? DEFAULT_BUCKETS;
  const common = {
    scheme,
    scoreColumn: options.scoreColumn,
    agentColumn: options.agentColumn,
  };
  const analysed = options.tags ? applySpuriousPolicy(table, options.tags, policy) : table;
  if (!options.tags && policy !== "as_failure") {
    notes.push(`policy ${policy} needs failure tags: none given, runs used as observed`);
  }
  const scores = bucketScores(analysed, { ...common, weighting: options.bucketWeighting });
  const byPolicy: Partial<Record<SpuriousPolicy, AgentScore[]>> = {};
  const horizonsByPolicy: Partial<Record<SpuriousPolicy, PolicyHorizon[]>> = {};
  if (options.tags) {
    for (const p of SPURIOUS_POLICIES) {
      const t = applySpuriousPolicy(table, options.tags, p);
      byPolicy[p] = bucketScores(t, { ...common, weighting: options.bucketWeighting });
      const e = estimateMetrics(t, {
        ...common,
        bucketWeighting: options.bucketWeighting,
        horizonWeighting: options.horizonWeighting,
        replicates: 0,
        families: [],
      });
      const hours = (v: number) => (Number.isFinite(v) ? v / 60 : null);
      horizonsByPolicy[p] = e.agents.map((agent, a) => ({
        agent,
        p50_hours: hours(e.estimate.p50_horizon[a]),
        p80_hours: hours(e.estimate.p80_horizon[a]),
        level: e.estimate.level[a],
        level_horizon_hours: e.estimate.level_horizon[a] / 60,
      }));
    }
  }
  // Elicitation gap.
  const variantColumn = options.variantColumn ?? defaultVariantColumn(table);
  const realVariants = variantColumn === "variant";
  let gap: GapResult | null = null;
  const baseline = options.baseline ?? defaultBaseline(analysed, variantColumn, options.scoreColumn);
  const present = distinct(column<string>(analysed, variantColumn).map(String)).filter((v) => v !== "human");
  if (baseline && present.length >= 2) {
    try {
      gap = elicitationGap(analysed, {
        baseline,
        variants: options.variants ?? present.filter((v) => v !== baseline),
        variantColumn,
        scoreColumn: options.scoreColumn,
        seed: options.seed,
        interval: options.interval,
        horizonWeighting: options.horizonWeighting,
        pairedReplicates: Math.min(options.replicates ?? 500, 1000),
        replicates: Math.min(options.replicates ?? 500, 200),
      });
      notes.push(...gap.notes.map((n) => `elicitation gap: ${n}`));
      if (gap.best === null) gap = null;
      else if (!realVariants) {
        notes.push(
          `the elicitation gap compares ${variantColumn} values (different agents/models, not elicitation variants of one model): read it as a between-agent gap`,
        );
      }
    } catch (e) {
      if (!(e instanceof InsufficientDataError) && !(e instanceof AgentNameError)) throw e;
      notes.push(e.message);
    }
  } else {
    notes.push(
      `no elicitation gap: ${
        present.length < 2 ? `only ${present.length} variant(s)` : "no baseline with any success"
      }`,
    );
  }
  // Margin.
  const marginOption = options.margin ?? "auto";
  let margin: SafetyMargin | null = null;
  const est = estimateMetrics(analysed, {
    ...common,
    bucketWeighting: options.bucketWeighting,
    horizonWeighting: options.horizonWeighting,
    replicates: options.replicates,
    seed: options.seed,
  });
  if (typeof marginOption === "object") margin = marginOption;
  else if (marginOption === "gap" || (marginOption === "auto" && realVariants)) {
    if (gap) {
      const byVariant = estimateMetrics(analysed, {
        ...common,
        agentColumn: variantColumn,
        bucketWeighting: options.bucketWeighting,
        replicates: 0,
        families: [],
      });
      const a = byVariant.agents.indexOf(gap.best!), b = byVariant.agents.indexOf(gap.baseline);
      const levelGap = a >= 0 && b >= 0 ? byVariant.estimate.level[a] - byVariant.estimate.level[b] : NaN;
      // Cross-fitted where available (no best-of-k optimism), else best vs baseline on all tasks.
      const crossLog2 = gap.crossFitted.horizonLog2Gap;
      const horizonFactor = crossLog2 !== null
        ? 2 ** Math.max(0, crossLog2)
        : gap.horizon?.ratio != null
        ? Math.max(1, gap.horizon.ratio)
        : undefined;
      margin = {
        successRate: Math.max(0, gap.crossFitted.gap ?? gap.successRate?.gap ?? 0),
        horizonFactor,
        level: Number.isFinite(levelGap) ? Math.max(0, levelGap) : undefined,
        source: gap.crossFitted.gap === null
          ? `gap of "${gap.best}" over "${gap.baseline}" (best vs baseline on all tasks: cross-fitting impossible here)`
          : `gap of "${gap.best}" over "${gap.baseline}" (success rate${
            crossLog2 !== null ? " and horizon" : ""
          }: cross-fitted; ${crossLog2 !== null ? "" : "horizon and "}level: best vs baseline on all tasks)`,
      };
      if (horizonFactor === undefined) {
        notes.push(`no horizon margin: ${gap.horizon?.note ?? "no horizon gap"}`);
      }
    } else notes.push("no safety margin: the elicitation gap could not be estimated");
  } else if (marginOption === "auto") {
    notes.push(
      `no safety margin by default: ${variantColumn} values are different agents, not elicitation variants (use --margin gap to apply one)`,
    );
  }
  // Checks.
  let spurious: Map<string, "spurious" | "real" | "tradeoff"> | undefined;
  if (options.tags) spurious = new Map([...options.tags].map(([id, t]) => [id, t.category]));
  else if (table.columnNames().includes("run_id")) {
    spurious = new Map(
      suggestFailureTags(table, { events: options.events }).map((s) => [s.run_id, s.category]),
    );
  } else notes.push("no run_id column: failures cannot be tagged, the spurious-share check is skipped");
  const checks = protocolChecks(analysed, {
    ...common,
    qaFailedTasks: options.qaFailedTasks,
    spuriousRuns: spurious,
    spuriousReviewed: options.tags !== undefined,
  });
  const report: ProtocolReport = {
    runs: table.numRows(),
    ...(excluded ? { excluded } : {}),
    agents: est.agents,
    policy,
    bucketScores: scores,
    bucketScoresByPolicy: byPolicy,
    horizonsByPolicy,
    verdicts: verdicts(est, options.thresholds, {
      interval: options.interval,
      confidence: options.confidence,
      margin: margin ?? undefined,
    }),
    margin,
    elicitationGap: gap,
    notes,
    checks,
  };
  return withTableDisplay(
    report,
    `Protocol verdicts (${report.policy}; ${report.runs} runs)` +
      (report.notes.length ? ` — ${report.notes.length} note(s)` : ""),
    () => report.verdicts.map((v) => ({ ...v })),
  );
}
