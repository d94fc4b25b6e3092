/**
 * Log → arquero tables: `runs(logDir)` (one row per cell, METR-compatible columns), `events(logDir)` (one
 * row per event) and `tasks(suite)` (task metadata). Corrupt or truncated log lines are reported (with
 * `file:line`) and skipped, never thrown.
 *
 * @example
 * ```ts
 * const { table, issues } = await runs("runs/");
 * table.groupby("alias").rollup({ success: (d) => op.mean(d.score_binarized) }).print();
 * ```
 * @module
 */
import * as aq from "../deps/arquero.ts";
import { RunRow } from "./schema.ts";
import { withTaskWeights } from "./metr.ts";
import { type LogRunRow, RunAccumulator, type RunRowOptions } from "./runs_from_log.ts";
import { type LogIssue, readLogs } from "../run/log_reader.ts";
import type { LogEvent } from "../run/events.ts";
import type { Suite } from "../task/loaded.ts";
import { taskSummaryRow } from "../task/summary.ts";

/** Column order of a runs table: every {@link RunRow} column, then the log bookkeeping columns. */
export const RUN_TABLE_COLUMNS: readonly (keyof LogRunRow)[] = [
  ...(Object.keys(RunRow.shape) as (keyof RunRow)[]),
  "eval_id",
  "cell_id",
  "scaffold",
  "status",
  "attempts",
  "seed",
  "engine",
];

/** A table with the log lines that could not be read. */
export interface TableResult {
  /** The table read (runs or events; no rows when the logs hold none). */
  table: aq.ColumnTable;
  /** Log lines that could not be read (corrupt, truncated, invalid), with `file:line`; they were skipped. */
  issues: LogIssue[];
  /** The log files read, in reading order. */
  files: string[];
}

/** Run rows → arquero table (columns in {@link RUN_TABLE_COLUMNS} order), with METR task weights. */
export function runRowsToTable(rows: readonly LogRunRow[]): aq.ColumnTable {
  const data: Record<string, unknown[]> = {};
  for (const c of RUN_TABLE_COLUMNS) data[c] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    for (const c of RUN_TABLE_COLUMNS) data[c][i] = r[c];
  }
  const table = aq.table(data);
  return rows.length === 0 ? table : withTaskWeights(table);
}

/** Read the run rows of every `.jsonl` log under `logDir` (or of one log file). */
export async function runRows(
  logDir: string,
  options: RunRowOptions = {},
): Promise<{ rows: LogRunRow[]; issues: LogIssue[]; files: string[] }> {
  const acc = new RunAccumulator(options);
  const { files, issues } = await readLogs(logDir, {
    types: RunAccumulator.TYPES,
    onEvent: (e) => acc.add(e),
  });
  return { rows: acc.rows(), issues, files };
}

/** The runs of a log directory as an arquero table (one row per cell; last attempt wins). */
export async function runs(logDir: string, options: RunRowOptions = {}): Promise<TableResult> {
  const acc = new RunAccumulator(options);
  const { files, issues } = await readLogs(logDir, {
    types: RunAccumulator.TYPES,
    onEvent: (e) => acc.add(e),
  });
  const columns = acc.columns();
  const data: Record<string, unknown[]> = {};
  for (const c of RUN_TABLE_COLUMNS) data[c] = columns[c];
  const table = aq.table(data);
  return { table: table.numRows() === 0 ? table : withTaskWeights(table), issues, files };
}

/** The columns {@link inStableOrder} sorts by, those a table has, in this order. */
const STABLE_ORDER = ["task_id", "alias", "variant", "model", "epoch", "run_id"] as const;

/**
 * `table` sorted by task, agent, epoch and run id: an order that does not depend on when the runs finished.
 * Aggregates sum in row order (arquero's `op.mean` too), so without it the same runs can print a success
 * rate of 43/80 as 0.537 once and 0.538 the next time. Rows and columns are unchanged; a new table is
 * returned.
 */
export function inStableOrder(table: aq.ColumnTable): aq.ColumnTable {
  const columns = new Set(table.columnNames());
  const keys = STABLE_ORDER.filter((name) => columns.has(name));
  // Reified: the rows are stored in this order (no ordering state that column access would ignore).
  return keys.length === 0 ? table : table.orderby(...keys).reify();
}

/** Columns every events table has, first. */
export const EVENT_BASE_COLUMNS = ["type", "t", "cell", "run_id"] as const;

/** Flatten one event into scalar columns (objects and arrays become JSON text). */
export function flattenEvent(event: LogEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) {
    out[k] = v !== null && typeof v === "object" ? JSON.stringify(v) : v;
  }
  return out;
}

/**
 * Every event of a log directory as one arquero table: the union of all event fields as columns (null where
 * an event lacks one), nested values as JSON text. `types` restricts the event types read.
 */
export async function events(
  logDir: string,
  options: { types?: LogEvent["type"][] } = {},
): Promise<TableResult> {
  const rows: Record<string, unknown>[] = [];
  const columns = new Set<string>(EVENT_BASE_COLUMNS);
  const { files, issues } = await readLogs(logDir, {
    types: options.types,
    onEvent: (e) => {
      const row = flattenEvent(e);
      for (const k in row) columns.add(k);
      rows.push(row);
    },
  });
  const data: Record<string, unknown[]> = {};
  for (const c of columns) data[c] = rows.map((r) => r[c] ?? null);
  return { table: aq.table(data), issues, files };
}

/**
 * The suite loader, imported at run time by a specifier Deno does not follow ahead of time (a literal
 * `import("…")` would make a cold `import "frame.ts"` fetch the Docker client).
 */
function importSuiteLoader(): Promise<{ loadSuite(dir?: string): Promise<Suite> }> {
  const loader = new URL("../task/loader.ts", import.meta.url).href;
  return import(loader);
}

/**
 * Task metadata as an arquero table (from a loaded suite, or the suite under `dir`). The suite loader is
 * imported only when a suite must be loaded: it reaches the sandbox drivers (METR-format families build
 * images), which the analysis entry points (`frame.ts`) must not load.
 */
export async function tasks(suiteOrDir?: Suite | string): Promise<aq.ColumnTable> {
  const suite = typeof suiteOrDir === "object"
    ? suiteOrDir
    : await (await importSuiteLoader()).loadSuite(suiteOrDir);
  const rows = suite.tasks.map(taskSummaryRow);
  return aq.table({
    task_id: rows.map((r) => r.id),
    task_family: rows.map((r) => r.family),
    task_name: rows.map((r) => r.name),
    human_minutes: rows.map((r) => r.humanMinutes),
    human_source: rows.map((r) => r.humanSource),
    bucket: rows.map((r) => r.bucket),
    domain: rows.map((r) => r.domain),
    quality: rows.map((r) => r.quality),
    summary: rows.map((r) => r.summary),
    format: rows.map((r) => r.format),
    permissions: rows.map((r) => r.permissions.join(",")),
    success_threshold: rows.map((r) => r.successThreshold),
  });
}

/**
 * Stack run tables with different column sets (e.g. METR's runs.jsonl and this toolkit's logs) into one:
 * the union of their columns, in first-seen order, with null where a table lacks a column.
 */
export function unionRuns(...tables: aq.ColumnTable[]): aq.ColumnTable {
  const columns: string[] = [];
  for (const t of tables) for (const c of t.columnNames()) if (!columns.includes(c)) columns.push(c);
  const data: Record<string, unknown[]> = {};
  for (const c of columns) {
    const out: unknown[] = [];
    for (const t of tables) {
      if (t.columnNames().includes(c)) out.push(...t.array(c));
      else for (let i = 0; i < t.numRows(); i++) out.push(null);
    }
    data[c] = out;
  }
  return aq.table(data);
}
