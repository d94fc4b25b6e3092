/**
 * Column access shared by the protocol and elicitation analyses: check that a runs table has the
 * columns an analysis needs (naming the missing one), and read the few columns an analysis uses into
 * plain arrays once, so the kernels loop over arrays instead of row objects.
 *
 * @module
 */
import type { ColumnTable } from "../deps/arquero.ts";
import { MissingColumnError } from "./errors.ts";
import { hasMinutes } from "../stats/minutes.ts";

/** An arquero table of runs in the toolkit's run schema (see `lib/frame/schema.ts`). */
export type RunsTable = ColumnTable;

/** Throws {@link MissingColumnError} naming the first column of `columns` the table lacks. */
export function requireColumns(table: RunsTable, columns: readonly string[], analysis: string): void {
  const present = table.columnNames();
  for (const c of columns) {
    if (!present.includes(c)) throw new MissingColumnError(c, analysis, present);
  }
}

/** True when the table has `column` and at least one non-null value in it. */
export function hasValues(table: RunsTable, column: string): boolean {
  if (!table.columnNames().includes(column)) return false;
  const values = table.array(column) as ArrayLike<unknown>;
  for (let i = 0; i < values.length; i++) if (values[i] !== null && values[i] !== undefined) return true;
  return false;
}

/** The column naming the compared unit: `variant` when the table has variants, else `alias` (METR data). */
export function defaultVariantColumn(table: RunsTable): string {
  return hasValues(table, "variant") ? "variant" : "alias";
}

/** One column as a plain array (copied), or an array of nulls when the column is absent. */
export function column<T = unknown>(table: RunsTable, name: string): T[] {
  if (!table.columnNames().includes(name)) return new Array<T>(table.numRows()).fill(null as T);
  return Array.from(table.array(name) as ArrayLike<T>);
}

/** The minimal view of runs the analyses share. Index i is row i of the table. */
export interface RunArrays {
  /** Number of rows. */
  n: number;
  /** `run_id` of each row; null when the column is absent or the value missing. */
  runId: (string | null)[];
  /** `task_id` of each row, as text. */
  taskId: string[];
  /** `task_family` of each row, as text. */
  family: string[];
  /** The compared unit: agent alias or variant. */
  agent: string[];
  /** Score in [0,1] (clipped), or null when the run has none. */
  score: (number | null)[];
  /** Null when the run's task has no human minutes (such runs belong in no bucket and no fit). */
  humanMinutes: (number | null)[];
}

/**
 * Reads the columns every analysis needs.
 * @param scoreColumn `score` (continuous, the default) or `score_binarized`.
 * @throws MissingColumnError when a needed column is absent.
 */
export function runArrays(
  table: RunsTable,
  analysis: string,
  options: { agentColumn?: string; scoreColumn?: string } = {},
): RunArrays {
  const agentColumn = options.agentColumn ?? "alias";
  const scoreColumn = options.scoreColumn ?? "score";
  requireColumns(table, ["task_id", "task_family", agentColumn, scoreColumn, "human_minutes"], analysis);
  const scoreRaw = column<number | null>(table, scoreColumn);
  return {
    n: table.numRows(),
    runId: column<string | null>(table, "run_id"),
    taskId: column<string>(table, "task_id").map(String),
    family: column<string>(table, "task_family").map(String),
    agent: column<string>(table, agentColumn).map((a) => String(a)),
    score: scoreRaw.map((s) =>
      s === null || s === undefined || !Number.isFinite(Number(s))
        ? null
        : Math.min(1, Math.max(0, Number(s)))
    ),
    humanMinutes: column<unknown>(table, "human_minutes").map((m) => hasMinutes(m) ? Number(m) : null),
  };
}

/** Distinct values in first-seen order. */
export function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
