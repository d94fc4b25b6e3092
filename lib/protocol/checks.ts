/**
 * Checks that flag results which may mislead. Each returns `pass`, `warn` or `fail`, a message, and the
 * numbers behind it (overall and per agent). METR's protocol lists such checks without publishing them in
 * full or their limits; the list and every limit in {@link CHECK_DEFAULTS} are this project's choice.
 *
 * - `runs_per_task` — too few runs of a task by an agent to average over;
 * - `tasks_per_bucket` — too few tasks in a bucket, or an empty bucket inside the suite's range;
 * - `profile_linearity` — success falls off over many buckets instead of topping out: the logistic fit's
 *   20%→80% transition spans more than `maxTransitionBuckets` buckets;
 * - `spurious_share` — a high share of failures tagged (or, without tags, suggested) spurious: more
 *   elicitation would likely change the result;
 * - `floor_ceiling` — success near 0 or 1 overall, or the hardest bucket still mostly solved, or the
 *   easiest mostly failed;
 * - `epoch_variance` — epochs differ more than run-to-run noise explains (χ² test of the per-epoch means
 *   against the within-task variance), e.g. an outage in one epoch;
 * - `qa_failed` — runs on tasks that failed QA;
 * - `limits_hit` — most runs ended at a usage limit.
 *
 * @module
 */
import { fitLogisticUnchecked, taskWeights } from "../stats/mod.ts";
import { z } from "../deps/zod.ts";
import { mapOption, parseOptions } from "../core/options.ts";
import { BucketScheme, DEFAULT_BUCKETS } from "../task/buckets.ts";
import { bucketIndex } from "../measure/buckets.ts";
import { chiSquareUpperTail } from "./chisq.ts";
import { column, distinct, runArrays, type RunsTable } from "../measure/columns.ts";

/** A check's status. */
export type CheckStatus = "pass" | "warn" | "fail";

/** One agent's part of a check. */
export interface AgentCheck {
  /** The agent, as a value of the agent column. */
  agent: string;
  /** This agent's status. */
  status: CheckStatus;
  /** The numbers behind this agent's status (e.g. shares, counts, p-values); null where not computable. */
  numbers: Record<string, number | null>;
  /** One-line explanation of this agent's status. */
  message: string;
}

/** Result of one check. */
export interface CheckResult {
  /** Stable id of the check, e.g. `runs_per_task` (see the module doc for the list). */
  id: string;
  /** Short human-readable title. */
  title: string;
  /** The worst status over the agents (or the suite-level status). */
  status: CheckStatus;
  /** One-line summary of the result. */
  message: string;
  /** Suite-level numbers behind the status; null where not computable. */
  numbers: Record<string, number | null>;
  /** Per-agent parts (empty for suite-level checks). */
  agents: AgentCheck[];
}

/** Limits of the checks. */
export const CheckOptions = z.strictObject({
  scheme: BucketScheme.optional(),
  /** Column holding the compared unit. Default `alias`. */
  agentColumn: z.string().optional(),
  scoreColumn: z.string().optional(),
  /** Runs per (agent, task): warn below, fail below. */
  runsPerTaskWarn: z.number().nonnegative().optional(),
  runsPerTaskFail: z.number().nonnegative().optional(),
  /** Share of tasks below `runsPerTaskFail` above which the check fails (or the median is below it). */
  runsPerTaskFailShare: z.number().min(0).max(1).optional(),
  /** Tasks per non-empty bucket: warn below, fail below. */
  tasksPerBucketWarn: z.number().nonnegative().optional(),
  tasksPerBucketFail: z.number().nonnegative().optional(),
  /** Widest acceptable 20%→80% transition of the logistic fit, in buckets. */
  maxTransitionBuckets: z.number().positive().optional(),
  /** Spurious share of failures: warn above, fail above. */
  spuriousWarn: z.number().min(0).max(1).optional(),
  spuriousFail: z.number().min(0).max(1).optional(),
  /** Floor/ceiling: success rate below `floor` / above `ceiling` warns; exactly 0 / 1 fails. */
  floor: z.number().min(0).max(1).optional(),
  ceiling: z.number().min(0).max(1).optional(),
  /** Epoch variance: warn / fail when the χ² p-value is below these. */
  epochWarnP: z.number().min(0).max(1).optional(),
  epochFailP: z.number().min(0).max(1).optional(),
  /** Share of runs at a usage limit: warn above, fail above. */
  limitsWarn: z.number().min(0).max(1).optional(),
  limitsFail: z.number().min(0).max(1).optional(),
  /** Task ids that failed QA (e.g. from `deno task qa`). Not given = QA status unknown (warn). */
  qaFailedTasks: z.array(z.string()).readonly().optional(),
  /** Resolved category per run id (from `resolveTags`); or suggestions used when tags are absent. */
  spuriousRuns: mapOption<string, "spurious" | "real" | "tradeoff">().optional(),
  /** Whether `spuriousRuns` holds reviewed tags (`true`) or heuristic suggestions. */
  spuriousReviewed: z.boolean().optional(),
});
/** Limits of the checks. */
export type CheckOptions = z.input<typeof CheckOptions>;

/** This project's default limits (METR published none). */
export const CHECK_DEFAULTS: Required<
  Omit<
    CheckOptions,
    "scheme" | "agentColumn" | "scoreColumn" | "qaFailedTasks" | "spuriousRuns" | "spuriousReviewed"
  >
> = {
  runsPerTaskWarn: 5,
  runsPerTaskFail: 2,
  runsPerTaskFailShare: 0.1,
  tasksPerBucketWarn: 5,
  tasksPerBucketFail: 2,
  maxTransitionBuckets: 3,
  spuriousWarn: 0.2,
  spuriousFail: 0.5,
  floor: 0.05,
  ceiling: 0.95,
  epochWarnP: 0.01,
  epochFailP: 0.001,
  limitsWarn: 0.5,
  limitsFail: 0.8,
};

const ORDER: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };
const worst = (s: CheckStatus[]): CheckStatus => s.reduce((a, b) => (ORDER[b] > ORDER[a] ? b : a), "pass");
const grade = (v: number, warnAbove: number, failAbove: number): CheckStatus =>
  v > failAbove ? "fail" : v > warnAbove ? "warn" : "pass";
const gradeBelow = (v: number, warnBelow: number, failBelow: number): CheckStatus =>
  v < failBelow ? "fail" : v < warnBelow ? "warn" : "pass";

function summarise(
  id: string,
  title: string,
  agents: AgentCheck[],
  numbers: Record<string, number | null>,
  ok: string,
) {
  const status = worst(agents.map((a) => a.status));
  const flagged = agents.filter((a) => a.status !== "pass");
  return {
    id,
    title,
    status,
    numbers,
    agents,
    message: flagged.length === 0 ? ok : flagged.map((a) => `${a.agent}: ${a.message}`).join("; "),
  };
}

interface Ctx {
  o: typeof CHECK_DEFAULTS & CheckOptions;
  scheme: BucketScheme;
  runs: ReturnType<typeof runArrays>;
  agents: string[];
  rowsOf: Map<string, number[]>;
  table: RunsTable;
}

function context(table: RunsTable, options: CheckOptions): Ctx {
  const runs = runArrays(table, "protocolChecks", options);
  const agents = distinct(runs.agent).sort();
  const rowsOf = new Map(agents.map((a) => [a, [] as number[]]));
  runs.agent.forEach((a, i) => rowsOf.get(a)!.push(i));
  return {
    o: { ...CHECK_DEFAULTS, ...options },
    scheme: options.scheme ?? DEFAULT_BUCKETS,
    runs,
    agents,
    rowsOf,
    table,
  };
}

function taskMeans(
  ctx: Ctx,
  rows: number[],
): Map<string, { sum: number; n: number; minutes: number | null; scores: number[] }> {
  const m = new Map<string, { sum: number; n: number; minutes: number | null; scores: number[] }>();
  for (const i of rows) {
    const s = ctx.runs.score[i];
    if (s === null) continue;
    const t = ctx.runs.taskId[i];
    const e = m.get(t) ?? { sum: 0, n: 0, minutes: ctx.runs.humanMinutes[i], scores: [] };
    e.sum += s;
    e.n++;
    e.scores.push(s);
    m.set(t, e);
  }
  return m;
}

function runsPerTask(ctx: Ctx): CheckResult {
  const agents = ctx.agents.map((agent) => {
    const counts = [...taskMeans(ctx, ctx.rowsOf.get(agent)!).values()].map((t) => t.n).sort((a, b) => a - b);
    const min = counts[0] ?? 0;
    const median = counts.length ? counts[Math.floor(counts.length / 2)] : 0;
    const few = counts.filter((c) => c < ctx.o.runsPerTaskWarn).length;
    const tooFew = counts.filter((c) => c < ctx.o.runsPerTaskFail).length;
    const tooFewShare = counts.length ? tooFew / counts.length : 1;
    // Fail when a typical task (the median) or more than `runsPerTaskFailShare` of the tasks have fewer than
    // `runsPerTaskFail` runs; warn when any task has fewer than `runsPerTaskWarn`.
    const status: CheckStatus = median < ctx.o.runsPerTaskFail || tooFewShare > ctx.o.runsPerTaskFailShare
      ? "fail"
      : min < ctx.o.runsPerTaskWarn
      ? "warn"
      : "pass";
    return {
      agent,
      status,
      numbers: {
        tasks: counts.length,
        min_runs: min,
        median_runs: median,
        tasks_below_warn: few,
        tasks_below_fail: tooFew,
      },
      message: `${few} of ${counts.length} tasks have fewer than ${ctx.o.runsPerTaskWarn} scored runs ` +
        `(${tooFew} fewer than ${ctx.o.runsPerTaskFail}; median ${median})`,
    };
  });
  return summarise("runs_per_task", "Enough runs per task", agents, {
    warn_below: ctx.o.runsPerTaskWarn,
    fail_below: ctx.o.runsPerTaskFail,
    fail_share: ctx.o.runsPerTaskFailShare,
  }, "every task has enough runs for every agent");
}

function tasksPerBucket(ctx: Ctx): CheckResult {
  const tasks = ctx.scheme.map(() => new Set<string>());
  for (let i = 0; i < ctx.runs.n; i++) {
    const b = bucketIndex(ctx.runs.humanMinutes[i], ctx.scheme);
    if (b >= 0) tasks[b].add(ctx.runs.taskId[i]);
  }
  const counts = tasks.map((t) => t.size);
  const first = counts.findIndex((c) => c > 0);
  const last = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
  const numbers: Record<string, number | null> = {};
  const problems: string[] = [];
  let status: CheckStatus = "pass";
  ctx.scheme.forEach((b, i) => {
    numbers[b.id] = counts[i];
    if (first < 0 || i < first || i > last) return;
    const s = gradeBelow(counts[i], ctx.o.tasksPerBucketWarn, ctx.o.tasksPerBucketFail);
    if (s !== "pass") problems.push(`${b.label}: ${counts[i]} task(s)`);
    status = worst([status, s]);
  });
  const beyond = ctx.scheme.filter((_, i) => i > last).map((b) => b.label);
  return {
    id: "tasks_per_bucket",
    title: "Enough tasks per difficulty bucket",
    status,
    numbers: { ...numbers, warn_below: ctx.o.tasksPerBucketWarn, fail_below: ctx.o.tasksPerBucketFail },
    agents: [],
    message:
      (problems.length
        ? `too few tasks: ${problems.join(", ")}`
        : "every bucket in the suite's range has enough tasks") +
      (beyond.length
        ? `; no tasks at all in ${beyond.join(", ")} (the level cannot exceed ${last + 1})`
        : ""),
  };
}

function profileLinearity(ctx: Ctx): CheckResult {
  const spans = ctx.scheme.filter((b) => b.minMinutes > 0 && Number.isFinite(b.maxMinutes));
  const doublingsPerBucket = spans.length
    ? spans.map((b) => Math.log2(b.maxMinutes / b.minMinutes)).sort((a, b) =>
      a - b
    )[Math.floor(spans.length / 2)]
    : 2;
  const w = taskWeights({ agent: ctx.runs.agent, task: ctx.runs.taskId, family: ctx.runs.family }).invsqrt;
  const agents = ctx.agents.map((agent): AgentCheck => {
    const rows = ctx.rowsOf.get(agent)!.filter((i) =>
      ctx.runs.score[i] !== null && (ctx.runs.humanMinutes[i] ?? 0) > 0
    );
    const x = Float64Array.from(rows, (i) => Math.log2(ctx.runs.humanMinutes[i]!));
    const y = Float64Array.from(rows, (i) => ctx.runs.score[i]!);
    const fit = fitLogisticUnchecked(x, y, Float64Array.from(rows, (i) => w[i]));
    if (fit.degenerate || !(fit.coefficient < 0)) {
      return {
        agent,
        status: "warn",
        numbers: {
          slope: Number.isFinite(fit.coefficient) ? fit.coefficient : null,
          transition_buckets: null,
        },
        message: fit.degenerate
          ? `no profile: every run ${fit.degenerate === "all-fail" ? "failed" : "succeeded"}`
          : "success does not fall with task length",
      };
    }
    const width = (2 * Math.log(4)) / -fit.coefficient / doublingsPerBucket;
    return {
      agent,
      status: width > ctx.o.maxTransitionBuckets ? "warn" : "pass",
      numbers: {
        slope: fit.coefficient,
        transition_doublings: width * doublingsPerBucket,
        transition_buckets: width,
      },
      message: `success falls from 80% to 20% over ${
        width.toFixed(1)
      } buckets (more than ${ctx.o.maxTransitionBuckets}: too linear, no clear top-out)`,
    };
  });
  return summarise("profile_linearity", "Success tops out instead of declining linearly", agents, {
    max_transition_buckets: ctx.o.maxTransitionBuckets,
    doublings_per_bucket: doublingsPerBucket,
  }, "every agent's success tops out within the allowed width");
}

function spuriousShare(ctx: Ctx): CheckResult {
  const tags = ctx.o.spuriousRuns;
  const ids = column<string | null>(ctx.table, "run_id").map((v) => (v === null ? null : String(v)));
  const kind = ctx.o.spuriousReviewed ? "tagged" : "suggested";
  if (!tags) {
    return {
      id: "spurious_share",
      title: "Share of spurious failures",
      status: "warn",
      numbers: {},
      agents: [],
      message: "no failure tags or suggestions given: cannot check",
    };
  }
  const agents = ctx.agents.map((agent): AgentCheck => {
    const n = { spurious: 0, real: 0, tradeoff: 0 };
    for (const i of ctx.rowsOf.get(agent)!) {
      const c = ids[i] !== null ? tags.get(ids[i]!) : undefined;
      if (c) n[c]++;
    }
    const failures = n.spurious + n.real + n.tradeoff;
    const share = failures ? n.spurious / failures : 0;
    return {
      agent,
      status: failures ? grade(share, ctx.o.spuriousWarn, ctx.o.spuriousFail) : "pass",
      numbers: { failures, ...n, share: failures ? share : null },
      message: `${(share * 100).toFixed(0)}% of ${failures} failures ${kind} spurious`,
    };
  });
  return summarise("spurious_share", "Share of spurious failures", agents, {
    warn_above: ctx.o.spuriousWarn,
    fail_above: ctx.o.spuriousFail,
    reviewed: ctx.o.spuriousReviewed ? 1 : 0,
  }, `spurious failures (${kind}) are a small share for every agent`);
}

function floorCeiling(ctx: Ctx): CheckResult {
  const agents = ctx.agents.map((agent): AgentCheck => {
    const tm = taskMeans(ctx, ctx.rowsOf.get(agent)!);
    const perBucket = ctx.scheme.map(() => ({ sum: 0, n: 0 }));
    let sum = 0;
    for (const t of tm.values()) {
      sum += t.sum / t.n;
      const b = bucketIndex(t.minutes, ctx.scheme);
      if (b >= 0) {
        perBucket[b].sum += t.sum / t.n;
        perBucket[b].n++;
      }
    }
    const rate = tm.size ? sum / tm.size : NaN;
    const covered = perBucket.map((b, i) => ({ ...b, i })).filter((b) => b.n > 0);
    const easiest = covered.length ? covered[0].sum / covered[0].n : NaN;
    const hardest = covered.length ? covered[covered.length - 1].sum / covered[covered.length - 1].n : NaN;
    const problems: string[] = [];
    let status: CheckStatus = "pass";
    if (rate === 0 || rate === 1) {
      status = "fail";
      problems.push(`every run ${rate === 0 ? "failed" : "succeeded"}`);
    } else if (rate < ctx.o.floor) {
      status = "warn";
      problems.push(`success ${(rate * 100).toFixed(1)}% is near the floor`);
    } else if (rate > ctx.o.ceiling) {
      status = "warn";
      problems.push(`success ${(rate * 100).toFixed(1)}% is near the ceiling`);
    }
    if (hardest > 0.8) {
      status = worst([status, "warn"]);
      problems.push(
        `the hardest bucket is ${(hardest * 100).toFixed(0)}% solved: the suite has no harder tasks`,
      );
    }
    if (easiest < 0.2 && rate > 0) {
      status = worst([status, "warn"]);
      problems.push(`the easiest bucket is only ${(easiest * 100).toFixed(0)}% solved`);
    }
    return {
      agent,
      status,
      numbers: {
        success_rate: Number.isNaN(rate) ? null : rate,
        easiest_bucket: Number.isNaN(easiest) ? null : easiest,
        hardest_bucket: Number.isNaN(hardest) ? null : hardest,
      },
      message: problems.join("; ") || "inside the measurable range",
    };
  });
  return summarise("floor_ceiling", "No floor or ceiling effects", agents, {
    floor: ctx.o.floor,
    ceiling: ctx.o.ceiling,
  }, "no agent is at the floor or ceiling");
}

/** Epoch of each row: the `epoch` column, else the run's order (by `started_at`, then row) within (agent, task). */
function epochs(ctx: Ctx): number[] {
  const given = column<number | null>(ctx.table, "epoch");
  if (given.some((e) => e !== null && e !== undefined)) {
    return given.map((e) => (e === null || e === undefined ? -1 : Number(e)));
  }
  const started = column<number | null>(ctx.table, "started_at");
  const order = Array.from({ length: ctx.runs.n }, (_, i) => i).sort((a, b) =>
    (Number(started[a] ?? 0) - Number(started[b] ?? 0)) || a - b
  );
  const seen = new Map<string, number>();
  const out = new Array<number>(ctx.runs.n);
  for (const i of order) {
    const k = `${ctx.runs.agent[i]}\0${ctx.runs.taskId[i]}`;
    out[i] = seen.get(k) ?? 0;
    seen.set(k, out[i] + 1);
  }
  return out;
}

function epochVariance(ctx: Ctx): CheckResult {
  const epoch = epochs(ctx);
  const agents = ctx.agents.map((agent): AgentCheck => {
    const rows = ctx.rowsOf.get(agent)!.filter((i) => ctx.runs.score[i] !== null && epoch[i] >= 0);
    const tm = taskMeans(ctx, rows);
    // Within-task variance of scores (sample variance), per task with >= 2 runs.
    const within = new Map<string, number>();
    for (const [t, e] of tm) {
      if (e.n < 2) continue;
      const mean = e.sum / e.n;
      within.set(t, e.scores.reduce((a, s) => a + (s - mean) ** 2, 0) / (e.n - 1));
    }
    // Per epoch: mean of (score − task mean) over its tasks, and the variance that noise alone would give.
    const byEpoch = new Map<number, { dev: number; varSum: number; n: number }>();
    for (const i of rows) {
      const t = ctx.runs.taskId[i];
      if (!within.has(t)) continue;
      const e = tm.get(t)!;
      const b = byEpoch.get(epoch[i]) ?? { dev: 0, varSum: 0, n: 0 };
      b.dev += ctx.runs.score[i]! - e.sum / e.n;
      b.varSum += within.get(t)!;
      b.n++;
      byEpoch.set(epoch[i], b);
    }
    const used = [...byEpoch.values()].filter((b) => b.n >= 3 && b.varSum > 0);
    if (used.length < 2) {
      return {
        agent,
        status: "pass",
        numbers: { epochs: used.length, statistic: null, p_value: null },
        message: "too few epochs to compare",
      };
    }
    // Σ (mean deviation)² / (its noise variance) ~ χ²(E − 1) when epochs differ only by noise.
    let stat = 0;
    for (const b of used) stat += (b.dev / b.n) ** 2 / (b.varSum / (b.n * b.n));
    const df = used.length - 1;
    const p = chiSquareUpperTail(stat, df);
    const status: CheckStatus = p < ctx.o.epochFailP ? "fail" : p < ctx.o.epochWarnP ? "warn" : "pass";
    return {
      agent,
      status,
      numbers: { epochs: used.length, statistic: stat, df, p_value: p, dispersion: stat / df },
      message: `epochs differ more than run-to-run noise explains (χ²=${stat.toFixed(1)} on ${df} df, p=${
        p.toExponential(1)
      })`,
    };
  });
  return summarise("epoch_variance", "Epochs agree within noise", agents, {
    warn_p: ctx.o.epochWarnP,
    fail_p: ctx.o.epochFailP,
  }, "no agent's epochs differ beyond noise");
}

function qaFailed(ctx: Ctx): CheckResult {
  const tasks = distinct(ctx.runs.taskId);
  if (!ctx.o.qaFailedTasks) {
    return {
      id: "qa_failed",
      title: "No runs on tasks that failed QA",
      status: "warn",
      agents: [],
      numbers: { tasks: tasks.length },
      message: "QA results not supplied: cannot check (pass --qa-failed or qaFailedTasks)",
    };
  }
  const failed = new Set(ctx.o.qaFailedTasks);
  const hit = tasks.filter((t) => failed.has(t));
  return {
    id: "qa_failed",
    title: "No runs on tasks that failed QA",
    status: hit.length ? "fail" : "pass",
    agents: [],
    numbers: { tasks: tasks.length, qa_failed_tasks_run: hit.length },
    message: hit.length
      ? `runs on ${hit.length} task(s) that failed QA: ${hit.slice(0, 10).join(", ")}`
      : "no run is on a task that failed QA",
  };
}

function limitsHit(ctx: Ctx): CheckResult {
  const limit = column<string | null>(ctx.table, "limit");
  const fatal = column<string | null>(ctx.table, "fatal_error_from");
  const agents = ctx.agents.map((agent): AgentCheck => {
    const rows = ctx.rowsOf.get(agent)!;
    const hits = rows.filter((i) => (limit[i] ?? null) !== null || fatal[i] === "usageLimits").length;
    const share = rows.length ? hits / rows.length : 0;
    return {
      agent,
      status: grade(share, ctx.o.limitsWarn, ctx.o.limitsFail),
      numbers: { runs: rows.length, at_limit: hits, share },
      message: `${(share * 100).toFixed(0)}% of ${rows.length} runs ended at a usage limit`,
    };
  });
  return summarise("limits_hit", "Limits not hit in most runs", agents, {
    warn_above: ctx.o.limitsWarn,
    fail_above: ctx.o.limitsFail,
  }, "no agent hits its limits in most runs");
}

/**
 * Runs every check.
 * @throws MissingColumnError when a needed column is absent.
 */
export function protocolChecks(table: RunsTable, options: CheckOptions = {}): CheckResult[] {
  options = parseOptions(CheckOptions, options, "protocolChecks");
  const ctx = context(table, options);
  return [
    runsPerTask(ctx),
    tasksPerBucket(ctx),
    profileLinearity(ctx),
    spuriousShare(ctx),
    floorCeiling(ctx),
    epochVariance(ctx),
    qaFailed(ctx),
    limitsHit(ctx),
  ];
}
