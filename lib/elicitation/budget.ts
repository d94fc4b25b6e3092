/**
 * Success versus budget from one set of runs: each trajectory is cut at the budget and counts as a
 * success only if it had reached a successful score within that much tokens, seconds, dollars or actions.
 * From the event log, usage accumulates event by event (`model_call` tokens and cost, `action` count, time
 * since the first event) and every `score` event is a checkpoint, so intermediate scores count. From rows
 * alone (METR's file), a run is one checkpoint: its final score at its total usage. Agents were not told
 * the budget, so a cut run is what the agent would have achieved had it been stopped there.
 *
 * @module
 */
import { from } from "../deps/arquero.ts";
import type { ColumnTable } from "../deps/arquero.ts";
import { z } from "../deps/zod.ts";
import { mapOption, parseOptions } from "../core/options.ts";
import { column, requireColumns, type RunsTable } from "../measure/columns.ts";
import { gapColumn } from "./crossfit.ts";
import { InsufficientDataError } from "../measure/errors.ts";
import type { ReviewEvent } from "./events.ts";

/** What a budget limits. */
export type BudgetResource = "tokens" | "seconds" | "cost" | "actions";

/** Score reached at a cumulative usage. */
export interface Checkpoint {
  /**
   * Cumulative usage when the score was reached, in the resource's unit (tokens, seconds, US dollars or
   * actions).
   */
  usage: number;
  /** Score reached at that point, in [0, 1]. */
  score: number;
}

/** One run, as a list of checkpoints. */
export interface Trajectory {
  /** Id of the run. */
  run_id: string;
  /** The run's variant (a value of the compared column). */
  variant: string;
  /** The task run. */
  task_id: string;
  /** Scores reached along the run, in order of usage (one checkpoint when traced from the row alone). */
  checkpoints: Checkpoint[];
  /** Usage when the run ended. */
  total: number;
}

function rowUsage(table: RunsTable, resource: BudgetResource): (number | null)[] {
  const num = (
    v: unknown,
  ) => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v));
  const n = table.numRows();
  if (resource === "tokens") {
    const total = column(table, "total_tokens"),
      inp = column(table, "input_tokens"),
      out = column(table, "output_tokens");
    return Array.from(
      { length: n },
      (_, i) =>
        num(total[i]) ??
          (num(inp[i]) !== null || num(out[i]) !== null ? (num(inp[i]) ?? 0) + (num(out[i]) ?? 0) : null),
    );
  }
  if (resource === "seconds") {
    const d = column(table, "duration_s"), a = column(table, "started_at"), b = column(table, "completed_at");
    return Array.from({ length: n }, (_, i) => {
      const direct = num(d[i]);
      if (direct !== null) return direct;
      const s = num(a[i]), e = num(b[i]);
      return s !== null && e !== null && e >= s ? (e - s) / 1000 : null;
    });
  }
  if (resource === "cost") return column(table, "dollar_equivalent").map(num);
  return column(table, "actions").map(num);
}

/** Options of {@link trajectories}. */
export const TrajectoryOptions = z.strictObject({
  /** Column naming the compared variants (default `variant` when present, else `alias`). */
  agentColumn: z.string().optional(),
  /** Older name of `agentColumn`, still accepted. */
  variantColumn: z.string().optional(),
  /** `score` (default) or `score_binarized`. */
  scoreColumn: z.string().optional(),
  /** Events per run id: runs found there are traced event by event. */
  events: mapOption<string, readonly ReviewEvent[]>().optional(),
});
/** Options of {@link trajectories}. */
export type TrajectoryOptions = z.input<typeof TrajectoryOptions>;

/** Options of {@link successAtBudgets}. */
export const BudgetOptions = TrajectoryOptions.extend({
  /** Budgets in the resource's unit; default: {@link budgetGrid}. */
  budgets: z.array(z.number().nonnegative()).readonly().optional(),
  /** Score at or above which a run counts as a success. Default 1. */
  successThreshold: z.number().min(0).max(1).optional(),
});
/** Options of {@link successAtBudgets}. */
export type BudgetOptions = z.input<typeof BudgetOptions>;

/**
 * One trajectory per scored run from the table's rows; with `events`, runs found there are traced event
 * by event instead. Runs whose usage is unknown are left out and counted in `unknownUsage`.
 */
export function trajectories(
  table: RunsTable,
  resource: BudgetResource,
  options: TrajectoryOptions = {},
): { trajectories: Trajectory[]; unknownUsage: number } {
  options = parseOptions(TrajectoryOptions, options, "trajectories");
  const vcol = gapColumn(table, options, "trajectories");
  const scol = options.scoreColumn ?? "score";
  requireColumns(table, ["run_id", "task_id", vcol, scol], "trajectories");
  const ids = column<string>(table, "run_id").map(String);
  const variants = column<string>(table, vcol).map(String);
  const tasks = column<string>(table, "task_id").map(String);
  const scores = column<number | null>(table, scol);
  const usage = rowUsage(table, resource);
  const out: Trajectory[] = [];
  let unknownUsage = 0;
  for (let i = 0; i < ids.length; i++) {
    const s = scores[i];
    if (s === null || s === undefined) continue;
    const ev = options.events?.get(ids[i]);
    if (ev && ev.length > 0) {
      const t = traceEvents(ev, resource, Number(s));
      out.push({ run_id: ids[i], variant: variants[i], task_id: tasks[i], ...t });
      continue;
    }
    const u = usage[i];
    if (u === null) {
      unknownUsage++;
      continue;
    }
    out.push({
      run_id: ids[i],
      variant: variants[i],
      task_id: tasks[i],
      checkpoints: [{ usage: u, score: Number(s) }],
      total: u,
    });
  }
  return { trajectories: out, unknownUsage };
}

/** Cumulative usage along a run's events, with a checkpoint at every score event (and the final score). */
export function traceEvents(events: readonly ReviewEvent[], resource: BudgetResource, finalScore: number): {
  checkpoints: Checkpoint[];
  total: number;
} {
  const sorted = [...events].sort((a, b) => (a.t ?? 0) - (b.t ?? 0));
  const t0 = sorted.find((e) => e.t !== undefined)?.t ?? 0;
  let used = 0;
  const checkpoints: Checkpoint[] = [];
  for (const e of sorted) {
    if (resource === "tokens" && e.type === "model_call") {
      used += (e.input_tokens ?? 0) + (e.output_tokens ?? 0);
    } else if (resource === "cost" && e.type === "model_call") used += e.cost_usd ?? 0;
    else if (resource === "actions" && e.type === "action") used += 1;
    else if (resource === "seconds" && e.t !== undefined) used = Math.max(used, (e.t - t0) / 1000);
    if (e.type === "score" && typeof e.score === "number") checkpoints.push({ usage: used, score: e.score });
  }
  if (checkpoints.length === 0) checkpoints.push({ usage: used, score: finalScore });
  return { checkpoints, total: used };
}

/** A geometric grid of budgets spanning the observed usage (positive values only). */
export function budgetGrid(trajs: readonly Trajectory[], points = 12): number[] {
  const u = trajs.flatMap((t) => t.checkpoints.map((c) => c.usage)).filter((v) => v > 0);
  if (u.length === 0) return [];
  const lo = Math.min(...u), hi = Math.max(...u);
  if (lo === hi) return [lo];
  return Array.from({ length: points }, (_, i) => lo * (hi / lo) ** (i / (points - 1)));
}

/** One point of a budget curve. */
export interface BudgetPoint {
  /** The variant (a value of the compared column). */
  variant: string;
  /** The budget, in the resource's unit: tokens (input + output), wall seconds, US dollars, or actions. */
  budget: number;
  /** Task-equal share of runs that reached a successful score within the budget. */
  success_rate: number;
  /** Task-equal mean of the best score reached within the budget. */
  mean_score: number;
  /** Tasks the variant has scored runs on with known usage (the denominator of the task-equal means). */
  tasks: number;
  /** Runs of the variant with known usage. */
  runs: number;
}

/**
 * Success versus budget per variant.
 * @param budgets budgets in the resource's unit; default: {@link budgetGrid}.
 * @throws InsufficientDataError when no run has a known usage for the resource.
 */
export function successAtBudgets(
  table: RunsTable,
  resource: BudgetResource,
  options: BudgetOptions = {},
): ColumnTable {
  options = parseOptions(BudgetOptions, options, "successAtBudgets");
  const { budgets: _budgets, successThreshold: _threshold, ...trajectoryOptions } = options;
  const { trajectories: trajs, unknownUsage } = trajectories(table, resource, trajectoryOptions);
  if (trajs.length === 0) {
    throw new InsufficientDataError(
      "successAtBudgets",
      `no scored run has a known ${resource} usage (${unknownUsage} scored runs lack it)`,
    );
  }
  const budgets = options.budgets ?? budgetGrid(trajs);
  const threshold = options.successThreshold ?? 1;
  const points: BudgetPoint[] = [];
  const byVariant = new Map<string, Trajectory[]>();
  for (const t of trajs) byVariant.set(t.variant, [...(byVariant.get(t.variant) ?? []), t]);
  for (const [variant, list] of [...byVariant].sort((a, b) => a[0].localeCompare(b[0]))) {
    const byTask = new Map<string, Trajectory[]>();
    for (const t of list) byTask.set(t.task_id, [...(byTask.get(t.task_id) ?? []), t]);
    for (const budget of budgets) {
      let succ = 0, score = 0;
      for (const runs of byTask.values()) {
        let s1 = 0, s2 = 0;
        for (const run of runs) {
          let best = 0;
          for (const c of run.checkpoints) if (c.usage <= budget) best = Math.max(best, c.score);
          s1 += best >= threshold ? 1 : 0;
          s2 += best;
        }
        succ += s1 / runs.length;
        score += s2 / runs.length;
      }
      points.push({
        variant,
        budget,
        success_rate: succ / byTask.size,
        mean_score: score / byTask.size,
        tasks: byTask.size,
        runs: list.length,
      });
    }
  }
  return from(points);
}
