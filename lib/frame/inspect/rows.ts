/**
 * Inspect header + sample → one run row in the toolkit's run schema (pure). The agent is the model plus the
 * solver (the `--solver` / agent name and its arguments, or the plan's steps); a task is one sample of an
 * Inspect task; each epoch is one run. See docs/inspect.md for the full field mapping.
 *
 * @module
 */
import type { LimitKind, RunRow } from "../schema.ts";
import { runAlias } from "../runs_from_log.ts";
import type { InspectHeader, InspectLimit, InspectSample } from "./schema.ts";
import { sampleScore } from "./value.ts";

/** A run row of an Inspect log: {@link RunRow} plus where it came from. */
export interface InspectRunRow extends RunRow {
  /** The log file the row came from. */
  log_file: string;
  /** Inspect's `eval.eval_id` (or `run_id`, or the file name for logs without either). */
  eval_id: string;
  /** The sample id as Inspect wrote it. */
  sample_id: string;
  /** Inspect's task name as written (`task_family` is its snake_case form). */
  inspect_task: string;
  /** The scorer the score came from. */
  scorer: string | null;
  /** Inspect's `working_time` (seconds without waits on rate limits, sandboxes, …). */
  working_time_s: number | null;
  /** The log's status: `success`, `started`, `cancelled` or `error`. */
  log_status: string;
}

/** The per-log part of every row, computed once per file by {@link logContext}. */
export interface InspectLogContext {
  file: string;
  evalId: string;
  family: string;
  inspectTask: string;
  model: string;
  variant: string;
  variantHash: string;
  alias: string;
  timeLimit: number | null;
  status: string;
  defaultScorer?: string;
}

/** The sample-metadata key read for human minutes when no other is named. */
export const DEFAULT_MINUTES_KEY = "human_minutes";

/** Options of {@link sampleToRow}. */
export interface RowOptions {
  scorer?: string;
  scoreKey?: string;
  minutesKey?: string;
  successThreshold?: number;
}

/** A name under the toolkit's family-name rule (snake_case): `inspect_evals/gpqa-diamond` → `inspect_evals_gpqa_diamond`. */
export function familyName(task: string): string {
  if (/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(task)) return task;
  const s = task.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return /^[a-z]/.test(s) ? s : `t_${s || "task"}`;
}

/** A sample id under the toolkit's task-name rule (letters, digits, `.`, `_`, `+`, `-`; 128 at most). */
export function sampleName(id: string | number): string {
  const s = String(id);
  if (/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(s) && s.length <= 128) return s;
  const t = s.replace(/[^A-Za-z0-9._+-]+/g, "_").replace(/^[^A-Za-z0-9]+/, "").slice(0, 128);
  return t || "sample";
}

/** FNV-1a 32-bit, hex: a short stable hash for agent labels. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

function compactArgs(args: Record<string, unknown> | null | undefined): string {
  if (!args) return "";
  const parts = Object.entries(args).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return parts.join(",");
}

/**
 * The per-log context: task family, model, agent (variant and alias) and limits. The variant is
 * `eval.solver` with its arguments, e.g. `react(attempts=3)`, or the plan's steps joined by `+`
 * (`system_message+generate`); arguments longer than 60 characters are replaced by their hash.
 */
export function logContext(file: string, header: InspectHeader): InspectLogContext {
  const spec = header.eval;
  let name: string, args: string, hashed: string;
  if (spec.solver) {
    name = spec.solver;
    args = compactArgs(spec.solver_args);
    hashed = JSON.stringify([spec.solver, spec.solver_args ?? {}]);
  } else {
    const steps = header.plan?.steps ?? [];
    name = steps.length ? steps.map((s) => s.solver).join("+") : "unknown_solver";
    args = steps.map((s) => compactArgs(s.params)).filter((a) => a).join(";");
    hashed = JSON.stringify(steps.map((s) => [s.solver, s.params ?? {}]));
  }
  const variantHash = shortHash(hashed);
  const variant = args === "" ? name : args.length <= 60 ? `${name}(${args})` : `${name}#${variantHash}`;
  const config = spec.config ?? {};
  return {
    file,
    evalId: spec.eval_id ?? spec.run_id ?? spec.task_id ?? file,
    family: familyName(spec.task),
    inspectTask: spec.task,
    model: spec.model,
    variant,
    variantHash,
    alias: runAlias(spec.model, variant),
    timeLimit: config.working_limit ?? config.time_limit ?? null,
    status: header.status ?? "started",
    defaultScorer: spec.scorers?.[0]?.name,
  };
}

/** Inspect's limit type → the toolkit's {@link LimitKind}, or null when none fits. */
export function limitKind(type: string): LimitKind | null {
  switch (type) {
    case "token":
      return "tokens";
    case "time":
    case "working":
      return "time";
    case "message":
      return "actions";
    case "cost":
      return "cost";
    default:
      return null;
  }
}

function limitType(limit: InspectLimit | null | undefined): string | null {
  if (!limit) return null;
  return typeof limit === "string" ? limit : limit.type;
}

function errorMessage(error: InspectSample["error"]): string | null {
  if (!error) return null;
  if (typeof error === "string") return error || "error";
  return error.message ?? "error";
}

function positiveMinutes(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : null;
}

function timeMs(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** Tool calls of the assistant messages (the run's actions), or null when the sample has no messages. */
export function countActions(messages: readonly unknown[] | undefined): number | null {
  if (!messages) return null;
  let n = 0;
  for (const m of messages) {
    const calls = (m as { role?: unknown; tool_calls?: unknown })?.tool_calls;
    if ((m as { role?: unknown })?.role === "assistant" && Array.isArray(calls)) n += calls.length;
  }
  return n;
}

/**
 * One sample × epoch as a run row, with the problems found (each a short phrase, e.g. `no scores`, `limit
 * "context" has no toolkit limit kind`), which the importer turns into notes.
 */
export function sampleToRow(
  ctx: InspectLogContext,
  sample: InspectSample,
  options: RowOptions = {},
): { row: InspectRunRow; problems: string[] } {
  const problems: string[] = [];
  const sampleId = String(sample.id);
  const scored = sampleScore(sample, { ...options, defaultScorer: ctx.defaultScorer });
  if (scored.problem) problems.push(scored.problem);
  let input: number | null = null, output: number | null = null, total: number | null = null;
  for (const usage of Object.values(sample.model_usage ?? {})) {
    if (typeof usage.input_tokens === "number") input = (input ?? 0) + usage.input_tokens;
    if (typeof usage.output_tokens === "number") output = (output ?? 0) + usage.output_tokens;
    if (typeof usage.total_tokens === "number") total = (total ?? 0) + usage.total_tokens;
  }
  if (total === null && (input !== null || output !== null)) total = (input ?? 0) + (output ?? 0);
  const lt = limitType(sample.limit);
  const limit = lt ? limitKind(lt) : null;
  if (lt && !limit) problems.push(`limit "${lt}" has no toolkit limit kind (kept in error)`);
  let error = errorMessage(sample.error);
  if (lt && !limit) error = error ?? `${lt} limit`;
  // The named key (a missing value is noted), else the conventional `human_minutes` key when present.
  const minutesKey = options.minutesKey ?? DEFAULT_MINUTES_KEY;
  let minutes: number | null = null;
  const raw = sample.metadata?.[minutesKey];
  if (options.minutesKey || raw !== undefined) {
    minutes = positiveMinutes(raw);
    if (minutes === null) {
      problems.push(
        raw === undefined ? `no metadata ${minutesKey}` : `metadata ${minutesKey} is not a positive number`,
      );
    }
  }
  const threshold = options.successThreshold ?? 0.5;
  const score = scored.score;
  const row: InspectRunRow = {
    run_id: `${ctx.evalId}/${sampleId}/${sample.epoch}`,
    task_id: `${ctx.family}/${sampleName(sample.id)}`,
    task_family: ctx.family,
    alias: ctx.alias,
    model: ctx.model,
    score,
    score_binarized: score === null ? null : score >= threshold ? 1 : 0,
    human_minutes: minutes,
    human_source: minutes === null ? null : "estimate",
    equal_task_weight: null,
    invsqrt_task_weight: null,
    started_at: timeMs(sample.started_at),
    completed_at: timeMs(sample.completed_at),
    time_limit: ctx.timeLimit,
    total_tokens: total,
    dollar_equivalent: null,
    fatal_error_from: null,
    human_score: null,
    variant: ctx.variant,
    variant_hash: ctx.variantHash,
    epoch: sample.epoch,
    input_tokens: input,
    output_tokens: output,
    actions: countActions(sample.messages),
    duration_s: sample.total_time ?? null,
    limit,
    error,
    log_file: ctx.file,
    eval_id: ctx.evalId,
    sample_id: sampleId,
    inspect_task: ctx.inspectTask,
    scorer: scored.scorer,
    working_time_s: sample.working_time ?? null,
    log_status: ctx.status,
  };
  return { row, problems };
}
