/**
 * Baseline-derived task times. Every human attempt — a baseline run of this toolkit's event log (model
 * `human`, scaffold `human`) or a row of METR's runs file with alias `human` — becomes a {@link HumanAttempt}
 * with its working minutes; {@link summarizeBaselines} combines them per task the way METR does: the time
 * estimate is the geometric mean of the working minutes of the successful attempts, with its spread (min,
 * max and the geometric standard deviation) beside the author's estimate.
 *
 * Working minutes: for this toolkit's runs, `cell_end.agent_s` / 60 (wall time minus pauses); for METR's rows,
 * (`completed_at` − `started_at`) / 60 000, as METR's file records a human run.
 *
 * @module
 */
import { DEFAULT_SUCCESS_THRESHOLD, runSuccessThreshold } from "../core/run_outcome.ts";
import type { CellEndEvent, CellStartEvent, LogEvent } from "../run/events.ts";
import { HUMAN } from "./record.ts";
import type { TaskMetaEntry, TaskMetaTable } from "../task/task_meta.ts";

/** One human attempt at a task. */
export interface HumanAttempt {
  task_id: string;
  task_family: string;
  /** The baseliner's pseudonym (`human` for METR's rows, which carry none). */
  baseliner: string;
  run_id: string;
  score: number | null;
  /** Score at or above the success threshold. */
  success: boolean;
  /** Working minutes (breaks excluded). */
  minutes: number;
  /** Where the attempt comes from: this toolkit's log or METR's runs file. */
  origin: "log" | "metr";
  /** When it ended (ms since the epoch; METR's rows carry relative times). */
  completed_at: number;
}

/** True for a `cell_start` of a human run. */
export function isHumanStart(start: CellStartEvent): boolean {
  return start.model === HUMAN && start.scaffold === HUMAN;
}

/**
 * The human attempts of a log's events (last `cell_end` of each human cell). An attempt succeeds when its
 * score reaches `threshold` if given, else the threshold its `cell_start` recorded (the task's own), else
 * `taskThreshold(task id)` (for logs written before thresholds were recorded), else
 * {@link DEFAULT_SUCCESS_THRESHOLD}.
 */
export function humanAttemptsFromEvents(
  events: Iterable<LogEvent>,
  threshold?: number,
  taskThreshold: (taskId: string) => number | undefined = () => undefined,
): HumanAttempt[] {
  const starts = new Map<string, CellStartEvent>();
  const ends = new Map<string, CellEndEvent>();
  for (const e of events) {
    if (e.type === "cell_start" && isHumanStart(e)) starts.set(e.run_id, e);
    else if (e.type === "cell_end" && starts.has(e.run_id)) {
      const s = starts.get(e.run_id)!;
      ends.set(`${s.eval_id}\u0000${e.cell}`, e);
    }
  }
  const out: HumanAttempt[] = [];
  for (const end of ends.values()) {
    const s = starts.get(end.run_id)!;
    const baseliner = typeof s.args.baseliner === "string" ? s.args.baseliner : HUMAN;
    out.push({
      task_id: s.task_id,
      task_family: s.task_family,
      baseliner,
      run_id: end.run_id,
      score: end.score,
      success: end.score !== null &&
        end.score >= runSuccessThreshold(threshold, s.success_threshold, taskThreshold(s.task_id)),
      minutes: end.agent_s / 60,
      origin: "log",
      completed_at: end.completed_at,
    });
  }
  return out;
}

/**
 * The human attempts among METR runs-file rows (alias `human`): a success is `score_binarized` 1, or for rows
 * without it a score at or above `threshold`.
 */
export function humanAttemptsFromMetr(
  rows: Iterable<Record<string, unknown>>,
  threshold: number = DEFAULT_SUCCESS_THRESHOLD,
): HumanAttempt[] {
  const out: HumanAttempt[] = [];
  for (const r of rows) {
    if (r.alias !== HUMAN) continue;
    const started = Number(r.started_at), completed = Number(r.completed_at);
    const minutes = (completed - started) / 60_000;
    if (!Number.isFinite(minutes) || minutes <= 0) continue;
    const score = typeof r.score === "number" ? r.score : null;
    const binarized = typeof r.score_binarized === "number" ? r.score_binarized : null;
    out.push({
      task_id: String(r.task_id),
      task_family: String(r.task_family ?? String(r.task_id).split("/")[0]),
      baseliner: HUMAN,
      run_id: String(r.run_id),
      score,
      success: binarized !== null ? binarized === 1 : score !== null && score >= threshold,
      minutes,
      origin: "metr",
      completed_at: completed,
    });
  }
  return out;
}

/** One task's baselines. */
export interface BaselineSummary {
  task_id: string;
  attempts: number;
  successes: number;
  /** Distinct baseliners who attempted it. */
  baseliners: number;
  /** Geometric mean of the successful attempts' working minutes (null: no success). */
  baseline_minutes: number | null;
  min_minutes: number | null;
  max_minutes: number | null;
  /** Geometric standard deviation of the successful attempts' minutes (null below 2 successes). */
  geo_sd: number | null;
  /** The author's estimate, when known. */
  estimate_minutes: number | null;
  estimate_source: string | null;
  /** baseline_minutes / estimate_minutes. */
  ratio: number | null;
}

/** The geometric mean of positive numbers (null when empty). */
export function geometricMean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

/** The geometric standard deviation (sample, n − 1) of positive numbers (null below 2 values). */
export function geometricSd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const logs = values.map(Math.log);
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  const variance = logs.reduce((a, v) => a + (v - mean) ** 2, 0) / (logs.length - 1);
  return Math.exp(Math.sqrt(variance));
}

/**
 * Per task: attempts, successes, the geometric mean of the successful attempts' minutes and its spread, beside
 * the author's estimate (`estimates`: task id → minutes and source). Tasks sorted by id.
 */
export function summarizeBaselines(
  attempts: readonly HumanAttempt[],
  estimates: ReadonlyMap<string, { minutes: number | null; source: string | null }> = new Map(),
): BaselineSummary[] {
  const byTask = new Map<string, HumanAttempt[]>();
  for (const a of attempts) {
    const list = byTask.get(a.task_id);
    if (list) list.push(a);
    else byTask.set(a.task_id, [a]);
  }
  return [...byTask.keys()].sort().map((task) => {
    const list = byTask.get(task)!;
    const ok = list.filter((a) => a.success && a.minutes > 0).map((a) => a.minutes);
    const mean = geometricMean(ok);
    const estimate = estimates.get(task);
    const est = estimate?.minutes ?? null;
    return {
      task_id: task,
      attempts: list.length,
      successes: ok.length,
      baseliners: new Set(list.map((a) => `${a.origin}:${a.baseliner}`)).size,
      baseline_minutes: mean,
      min_minutes: ok.length ? Math.min(...ok) : null,
      max_minutes: ok.length ? Math.max(...ok) : null,
      geo_sd: geometricSd(ok),
      estimate_minutes: est,
      estimate_source: estimate?.source ?? null,
      ratio: mean !== null && est ? mean / est : null,
    };
  });
}

/** A task-times table (CSV, `--task-meta`) of the tasks with at least one successful baseline. */
export function baselineTaskMetaCsv(summaries: readonly BaselineSummary[]): string {
  const lines = ["task,human_minutes,human_source"];
  for (const s of summaries) {
    if (s.baseline_minutes === null) continue;
    lines.push(`${s.task_id},${Number(s.baseline_minutes.toPrecision(6))},baseline`);
  }
  return lines.join("\n") + "\n";
}

/**
 * The baseline minutes of the tasks with at least one successful attempt as a task-times table (source
 * `baseline`), to lay over runs or a suite like `--task-meta`. `file` names where they came from.
 */
export function baselineTaskMetaTable(summaries: readonly BaselineSummary[], file: string): TaskMetaTable {
  const entries = new Map<string, TaskMetaEntry>();
  for (const s of summaries) {
    if (s.baseline_minutes === null) continue;
    entries.set(s.task_id, {
      task: s.task_id,
      humanMinutes: s.baseline_minutes,
      humanSource: "baseline",
      at: `${file} (${s.successes} successful baseline${s.successes === 1 ? "" : "s"})`,
    });
  }
  return { file, entries };
}
