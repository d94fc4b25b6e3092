/**
 * The run list of the transcript viewer: one small summary per run, the query that filters and pages it
 * (validated with zod at the HTTP boundary), and the matcher. {@link matchRun} is self-contained (it uses
 * nothing outside its own body) because the static export ships its source to the page, so the page filters
 * exactly as the server does.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { LimitKind } from "../frame/schema.ts";

/** One run as the list shows it. */
export interface RunSummary {
  run_id: string;
  task_id: string;
  alias: string;
  model: string | null;
  variant: string | null;
  epoch: number | null;
  score: number | null;
  /** A failure by the heuristics' definition (`failedRuns`): `score_binarized` 0, else score below 1. */
  failed: boolean;
  limit: string | null;
  /** The run's error (truncated) or its `fatal_error_from`, null for a clean run. */
  error: string | null;
  human_minutes: number | null;
  duration_s: number | null;
  total_tokens: number | null;
  /** The resolved failure tag's category, when the run has been tagged. */
  tag: string | null;
  /** Whether the resolved tag is a person's review (not a heuristic suggestion). */
  reviewed: boolean;
}

const yesNo = z.enum(["yes", "no"]);
const score = z.coerce.number().min(0, "a score is in [0, 1]").max(1, "a score is in [0, 1]");

/** Query of `GET /api/runs` (every field optional; unknown fields are refused so typos do not pass silently). */
export const RunQuery = z.strictObject({
  offset: z.coerce.number().int().nonnegative().default(0),
  /** Page size: at most 500 rows per request. */
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Substring of the task id (case-insensitive). */
  task: z.string().optional(),
  /** The agent alias (exact). */
  alias: z.string().optional(),
  /** The model (exact). */
  model: z.string().optional(),
  score_min: score.optional(),
  score_max: score.optional(),
  /** A limit kind, `any` (some limit was hit) or `none`. */
  limit_hit: z.union([LimitKind, z.enum(["any", "none"])]).optional(),
  /** `yes`: runs that ended in an error; `no`: runs without one. */
  error: yesNo.optional(),
  /** `yes`: failed runs only; `no`: successes only. */
  failed: yesNo.optional(),
  /** `yes`: runs with a person's review; `no`: runs without one. */
  reviewed: yesNo.optional(),
}).refine(
  (q) => q.score_min === undefined || q.score_max === undefined || q.score_min <= q.score_max,
  { message: "score_min is above score_max", path: ["score_min"] },
);
/** A validated run query. */
export type RunQuery = z.infer<typeof RunQuery>;

/** The filter part of a {@link RunQuery} (no paging), as the page builds it. */
export type RunFilter = Omit<RunQuery, "offset" | "limit">;

/** Whether `run` passes `q`. Self-contained: its source is shipped to the static page. */
export function matchRun(run: RunSummary, q: RunFilter): boolean {
  if (q.task && !run.task_id.toLowerCase().includes(q.task.toLowerCase())) return false;
  if (q.alias && run.alias !== q.alias) return false;
  if (q.model && run.model !== q.model) return false;
  if (q.score_min !== undefined && (run.score === null || run.score < q.score_min)) return false;
  if (q.score_max !== undefined && (run.score === null || run.score > q.score_max)) return false;
  if (q.limit_hit === "any" && !run.limit) return false;
  if (q.limit_hit === "none" && run.limit) return false;
  if (q.limit_hit && q.limit_hit !== "any" && q.limit_hit !== "none" && run.limit !== q.limit_hit) {
    return false;
  }
  if (q.error === "yes" && !run.error) return false;
  if (q.error === "no" && run.error) return false;
  if (q.failed === "yes" && !run.failed) return false;
  if (q.failed === "no" && run.failed) return false;
  if (q.reviewed === "yes" && !run.reviewed) return false;
  if (q.reviewed === "no" && run.reviewed) return false;
  return true;
}

/** One page of the filtered runs. */
export interface RunPage {
  /** Runs matching the filter. */
  total: number;
  /** Of those, failures, and failures whose resolved tag is a person's review. */
  failed: number;
  reviewed: number;
  offset: number;
  limit: number;
  rows: RunSummary[];
}

/** Filters `runs` and cuts one page (never more than `q.limit` rows). */
export function pageRuns(runs: readonly RunSummary[], q: RunQuery): RunPage {
  const rows: RunSummary[] = [];
  let total = 0, failed = 0, reviewed = 0;
  for (const run of runs) {
    if (!matchRun(run, q)) continue;
    if (total >= q.offset && rows.length < q.limit) rows.push(run);
    total++;
    if (run.failed) {
      failed++;
      if (run.reviewed) reviewed++;
    }
  }
  return { total, failed, reviewed, offset: q.offset, limit: q.limit, rows };
}

/** A zod error as one line: `field: message; field: message`. */
export function queryProblem(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");
}
