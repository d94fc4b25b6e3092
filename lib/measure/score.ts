/**
 * The bucket-weighted overall score, as METR's FAQ describes it: runs are averaged per task, task weights
 * are normalised within each difficulty bucket so every bucket keeps a fixed total weight (1 here), and
 * the bucket scores are summed. Optionally each task is first down-weighted by 1/√(tasks of its family
 * the agent ran) — the idea of METR's `invsqrt_task_weight` — before the within-bucket normalisation.
 *
 * The result is a level in [0, number of buckets] and an equivalent horizon in hours (see `level.ts`).
 * A bucket without tasks for an agent contributes 0 and is reported with `score: null` (a check flags it).
 *
 * @module
 */
import type { ColumnTable } from "../deps/arquero.ts";
import { from } from "../deps/arquero.ts";
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import { withTableDisplay } from "../core/display.ts";
import { BucketScheme, DEFAULT_BUCKETS } from "../task/buckets.ts";
import { bucketIndex } from "./buckets.ts";
import { distinct, type RunArrays, runArrays, type RunsTable } from "./columns.ts";
import { InsufficientDataError } from "./errors.ts";
import { levelToMinutes } from "./level.ts";

/** How tasks are weighted inside a bucket before normalisation. */
export type TaskWeighting = "equal" | "invsqrt";

/** Options of {@link bucketScores}. */
export const BucketScoreOptions = z.strictObject({
  /** Bucket boundaries. Default: {@link DEFAULT_BUCKETS}. */
  scheme: BucketScheme.optional(),
  /** `equal` (default) or `invsqrt` family down-weighting. */
  weighting: z.enum(["equal", "invsqrt"]).optional(),
  /** Column holding the compared unit. Default `alias`. */
  agentColumn: z.string().optional(),
  /** `score` (default, continuous) or `score_binarized`. */
  scoreColumn: z.string().optional(),
  /** Stand-in lower end (minutes) of a first bucket starting at 0, for the horizon mapping. Default 1. */
  floorMinutes: z.number().positive().optional(),
});
/** Options of {@link bucketScores}. */
export type BucketScoreOptions = z.input<typeof BucketScoreOptions>;

/** One agent's score in one bucket. */
export interface BucketCell {
  /** Bucket id (from the scheme). */
  bucket: string;
  /** Bucket label for display, e.g. `Under an hour`. */
  label: string;
  /** Tasks with at least one scored run. */
  tasks: number;
  /** Scored runs in the bucket. */
  runs: number;
  /** Weighted mean score in [0,1]; null when the bucket has no tasks for this agent. */
  score: number | null;
}

/** One agent's bucket-weighted score. */
export interface AgentScore {
  /** The agent, as a value of the agent column (`alias` by default). */
  agent: string;
  /** One cell per bucket of the scheme, in scheme order. */
  buckets: BucketCell[];
  /** Sum of bucket scores, in [0, number of buckets]. */
  level: number;
  /** Buckets that had tasks (the most the level can reach on this suite). */
  coveredBuckets: number;
  /** Equivalent time horizon of the level, in hours. */
  horizonHours: number;
}

/** Prepared arrays for the score kernel: one entry per row. */
export interface ScorePrep {
  /** The agents, sorted; `agentOf` indexes this list. */
  agents: string[];
  /** The bucket scheme; `bucketOf` indexes it. */
  scheme: BucketScheme;
  /** Agent index per row (-1 = row unused). */
  agentOf: Int32Array;
  /** Bucket index per row (-1 = outside the scheme or no score). */
  bucketOf: Int32Array;
  /** Row weight ω = task weight (normalised within the agent's bucket) / scored runs of (task, agent). */
  weight: Float64Array;
  /** Score per row in [0, 1] (0 for unused rows, which have weight 0). */
  score: Float64Array;
  /** Tasks and runs per (agent, bucket), row-major agents × buckets. */
  tasks: Int32Array;
  /** Scored runs per (agent, bucket), row-major agents × buckets. */
  runs: Int32Array;
}

/** Builds the per-row weights of the bucket score. Rows without a score or outside the scheme get weight 0. */
export function prepareScore(runs: RunArrays, scheme: BucketScheme, weighting: TaskWeighting): ScorePrep {
  const agents = distinct(runs.agent).sort();
  const agentIndex = new Map(agents.map((a, i) => [a, i]));
  const B = scheme.length;
  const agentOf = new Int32Array(runs.n).fill(-1);
  const bucketOf = new Int32Array(runs.n).fill(-1);
  const score = new Float64Array(runs.n);
  const runsPerTask = new Map<string, number>(); // agent\0task → scored runs
  const familyTasks = new Map<string, Set<string>>(); // agent\0family → tasks
  const taskMeta = new Map<string, { bucket: number; family: string }>(); // agent\0task
  for (let i = 0; i < runs.n; i++) {
    const s = runs.score[i];
    const b = bucketIndex(runs.humanMinutes[i], scheme);
    if (s === null || b < 0) continue;
    const a = agentIndex.get(runs.agent[i])!;
    agentOf[i] = a;
    bucketOf[i] = b;
    score[i] = s;
    const key = `${a}\0${runs.taskId[i]}`;
    runsPerTask.set(key, (runsPerTask.get(key) ?? 0) + 1);
    taskMeta.set(key, { bucket: b, family: runs.family[i] });
    const fk = `${a}\0${runs.family[i]}`;
    if (!familyTasks.has(fk)) familyTasks.set(fk, new Set());
    familyTasks.get(fk)!.add(runs.taskId[i]);
  }
  const rawTaskWeight = new Map<string, number>();
  const bucketTotal = new Float64Array(agents.length * B);
  const tasks = new Int32Array(agents.length * B);
  const runCount = new Int32Array(agents.length * B);
  for (const [key, meta] of taskMeta) {
    const a = Number(key.slice(0, key.indexOf("\0")));
    const f = weighting === "invsqrt" ? 1 / Math.sqrt(familyTasks.get(`${a}\0${meta.family}`)!.size) : 1;
    rawTaskWeight.set(key, f);
    bucketTotal[a * B + meta.bucket] += f;
    tasks[a * B + meta.bucket] += 1;
    runCount[a * B + meta.bucket] += runsPerTask.get(key)!;
  }
  const weight = new Float64Array(runs.n);
  for (let i = 0; i < runs.n; i++) {
    if (agentOf[i] < 0) continue;
    const key = `${agentOf[i]}\0${runs.taskId[i]}`;
    weight[i] = rawTaskWeight.get(key)! / bucketTotal[agentOf[i] * B + bucketOf[i]] / runsPerTask.get(key)!;
  }
  return { agents, scheme, agentOf, bucketOf, weight, score, tasks, runs: runCount };
}

/**
 * Kernel: bucket scores per (agent, bucket), row-major, NaN where a bucket has no (resampled) weight.
 * `multiplicity[i]` is how often row i is drawn (a bootstrap replicate); omitted = 1 for every row.
 */
export function _bucketScoreKernel(prep: ScorePrep, multiplicity?: ArrayLike<number>): Float64Array {
  const B = prep.scheme.length;
  const num = new Float64Array(prep.agents.length * B);
  const den = new Float64Array(prep.agents.length * B);
  for (let i = 0; i < prep.agentOf.length; i++) {
    const a = prep.agentOf[i];
    if (a < 0) continue;
    const w = prep.weight[i] * (multiplicity ? multiplicity[i] : 1);
    if (w === 0) continue;
    const cell = a * B + prep.bucketOf[i];
    num[cell] += w * prep.score[i];
    den[cell] += w;
  }
  for (let c = 0; c < num.length; c++) num[c] = den[c] > 0 ? num[c] / den[c] : Number.NaN;
  return num;
}

/** Level (sum of bucket scores, empty buckets = 0) of agent `a` from kernel output. */
export function _levelOf(cells: Float64Array, a: number, buckets: number): number {
  let level = 0;
  for (let b = 0; b < buckets; b++) {
    const s = cells[a * buckets + b];
    if (!Number.isNaN(s)) level += s;
  }
  return level;
}

/**
 * The bucket-weighted overall score of every agent in a runs table.
 * @throws MissingColumnError when a needed column is absent; InsufficientDataError when no run has a score
 * inside the scheme.
 */
export function bucketScores(table: RunsTable, options: BucketScoreOptions = {}): AgentScore[] {
  options = parseOptions(BucketScoreOptions, options, "bucketScores");
  const scheme = options.scheme ?? DEFAULT_BUCKETS;
  const runs = runArrays(table, "bucketScores", options);
  const prep = prepareScore(runs, scheme, options.weighting ?? "equal");
  if (!prep.agentOf.some((a) => a >= 0)) {
    throw new InsufficientDataError(
      "bucketScores",
      runs.n === 0
        ? "the runs table is empty"
        : `none of the ${runs.n} runs has a score and human_minutes inside the bucket scheme`,
    );
  }
  const cells = _bucketScoreKernel(prep);
  const B = scheme.length;
  const scores: AgentScore[] = prep.agents.map((agent, a) => {
    const buckets = scheme.map((bucket, b) => {
      const s = cells[a * B + b];
      return {
        bucket: bucket.id,
        label: bucket.label,
        tasks: prep.tasks[a * B + b],
        runs: prep.runs[a * B + b],
        score: Number.isNaN(s) ? null : s,
      };
    });
    const level = _levelOf(cells, a, B);
    return {
      agent,
      buckets,
      level,
      coveredBuckets: buckets.filter((b) => b.score !== null).length,
      horizonHours: levelToMinutes(level, scheme, options.floorMinutes ?? 1) / 60,
    };
  }).filter((s) => s.coveredBuckets > 0);
  return withTableDisplay(scores, "Bucket-weighted scores per agent", () =>
    scores.map((sc) => ({
      agent: sc.agent,
      ...Object.fromEntries(sc.buckets.map((b) => [b.label, b.score])),
      level: sc.level,
      horizon_hours: sc.horizonHours,
    })));
}

/** The scores as a long arquero table: one row per (agent, bucket) with the agent's level and horizon. */
export function bucketScoresTable(scores: readonly AgentScore[]): ColumnTable {
  return from(scores.flatMap((s) =>
    s.buckets.map((b) => ({
      agent: s.agent,
      bucket: b.bucket,
      label: b.label,
      tasks: b.tasks,
      runs: b.runs,
      score: b.score,
      level: s.level,
      horizon_hours: s.horizonHours,
    }))
  ));
}
