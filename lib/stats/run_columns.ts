/**
 * The typed-column view of a runs table that every statistic in this folder works on.
 *
 * @module
 */
import { type Encoded, encodeKeys } from "./encode.ts";
import { taskWeights } from "./task_weights.ts";
import { type MinutesExclusion, splitByMinutes } from "./minutes.ts";

/** Which weight column to use: METR's `invsqrt_task_weight`, `equal_task_weight`, or none (all 1). */
export type WeightScheme = "invsqrt" | "equal" | "none";

/** Runs as typed columns. Rows keep the order of the source table. */
export interface RunColumns {
  /** Number of rows (runs kept; runs without human minutes are not counted). */
  readonly n: number;
  /** Agent of each row (the `alias` column, or `agentColumn`), dictionary-encoded. */
  readonly agent: Encoded;
  /** Task id of each row (`task_id`), dictionary-encoded. */
  readonly task: Encoded;
  /** Task family of each row (`task_family`), dictionary-encoded. */
  readonly family: Encoded;
  /** Skilled-human minutes. */
  readonly minutes: Float64Array;
  /** log2(minutes), the regression's predictor. */
  readonly x: Float64Array;
  /** Score clipped to [0, 1]; NaN where missing (such rows are left out of every fit and rate). */
  readonly score: Float64Array;
  /** METR's equal task weight (computed per agent if the source lacked it). */
  readonly equalWeight: Float64Array;
  /** METR's inverse-sqrt family weight (computed per agent if the source lacked it). */
  readonly invsqrtWeight: Float64Array;
  /**
   * Tasks of the source left out because their runs have no human minutes (null, absent or empty), when
   * any; see {@link minutesNote} for the one-line note to print.
   */
  readonly excluded?: MinutesExclusion;
}

/** The minimal table shape accepted: arquero's `ColumnTable` satisfies it. */
export interface TableLike {
  /** Names of the table's columns. */
  columnNames(): string[];
  /** All values of column `name`, one per row. */
  array(name: string): ArrayLike<unknown>;
  /** Number of rows. */
  numRows(): number;
}

/** Anything the statistics accept as runs. */
export type RunsInput = RunColumns | TableLike | readonly Record<string, unknown>[];

/** Is this already a {@link RunColumns}? */
export function isRunColumns(v: unknown): v is RunColumns {
  return typeof v === "object" && v !== null && "x" in v && (v as RunColumns).x instanceof Float64Array &&
    "agent" in v;
}

/**
 * Turn an arquero table (or an array of run rows) into typed columns. Needs `task_id`, `task_family`,
 * `alias` (or `agentColumn`), `score`, `human_minutes`; uses `equal_task_weight` / `invsqrt_task_weight` when every row has
 * them, else computes both. `scoreColumn` picks another outcome column (e.g. `score_binarized`).
 *
 * Runs whose human minutes are unknown (null, absent, empty: tasks of a METR-format family without
 * metadata) are left out and named in `excluded`; the weights are then recomputed over the runs kept, so
 * the result equals that of the table without those runs.
 *
 * @throws Error naming the missing column or the first row with invalid (non-positive) human minutes
 */
export function runColumns(
  input: RunsInput,
  options: { scoreColumn?: string; agentColumn?: string } = {},
): RunColumns {
  if (isRunColumns(input)) return input;
  const get = columnGetter(input);
  const scoreName = options.scoreColumn ?? "score";
  const taskAll = get("task_id", true)!;
  const familyAll = get("task_family", true)!;
  const aliasAll = get(options.agentColumn ?? "alias", true)!;
  const scoreAll = get(scoreName, true)!;
  const minutesAll = get("human_minutes", true)!;
  const { keep, excluded } = splitByMinutes(taskAll, minutesAll);
  const pick = (a: ArrayLike<unknown>): ArrayLike<unknown> => excluded ? keep.map((i) => a[i]) : a;
  const task = pick(taskAll), family = pick(familyAll), alias = pick(aliasAll);
  const scoreRaw = pick(scoreAll), minutesRaw = pick(minutesAll);
  const n = task.length;
  const minutes = new Float64Array(n), x = new Float64Array(n), score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = Number(minutesRaw[i]);
    if (!(m > 0 && Number.isFinite(m))) {
      const row = excluded ? keep[i] : i;
      throw new Error(
        `runs row ${row} (task "${task[i]}"): human_minutes must be a positive number, got ${minutesRaw[i]}`,
      );
    }
    minutes[i] = m;
    x[i] = Math.log2(m);
    const s = scoreRaw[i];
    score[i] = s === null || s === undefined || Number.isNaN(Number(s))
      ? NaN
      : Math.min(1, Math.max(0, Number(s)));
  }
  // Weights of the source hold only when no run was left out (they are per agent over all its tasks).
  const eq = excluded ? null : get("equal_task_weight", false);
  const inv = excluded ? null : get("invsqrt_task_weight", false);
  let equalWeight: Float64Array, invsqrtWeight: Float64Array;
  if (eq && inv && allNumbers(eq) && allNumbers(inv)) {
    equalWeight = Float64Array.from(eq as ArrayLike<number>);
    invsqrtWeight = Float64Array.from(inv as ArrayLike<number>);
  } else {
    const w = taskWeights({ agent: alias, task, family });
    equalWeight = w.equal;
    invsqrtWeight = w.invsqrt;
  }
  return {
    n,
    agent: encodeKeys(alias),
    task: encodeKeys(task),
    family: encodeKeys(family),
    minutes,
    x,
    score,
    equalWeight,
    invsqrtWeight,
    ...(excluded ? { excluded } : {}),
  };
}

/** The weight column for a scheme (all ones for `"none"`). */
export function weightsFor(cols: RunColumns, scheme: WeightScheme): Float64Array {
  if (scheme === "invsqrt") return cols.invsqrtWeight;
  if (scheme === "equal") return cols.equalWeight;
  if (scheme === "none") return new Float64Array(cols.n).fill(1);
  throw new Error(`unknown weight scheme "${scheme}" (expected invsqrt, equal or none)`);
}

function allNumbers(a: ArrayLike<unknown>): boolean {
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== "number" || !Number.isFinite(a[i] as number)) return false;
  }
  return true;
}

function columnGetter(input: TableLike | readonly Record<string, unknown>[]) {
  if (Array.isArray(input)) {
    const rows = input as readonly Record<string, unknown>[];
    return (name: string, required: boolean): unknown[] | null => {
      if (rows.length > 0 && !(name in rows[0])) {
        if (required) throw new Error(`runs table lacks required column "${name}"`);
        return null;
      }
      return rows.map((r) => r[name]);
    };
  }
  const table = input as TableLike;
  const names = new Set(table.columnNames());
  return (name: string, required: boolean): ArrayLike<unknown> | null => {
    if (!names.has(name)) {
      if (required) throw new Error(`runs table lacks required column "${name}"`);
      return null;
    }
    return table.array(name);
  };
}
