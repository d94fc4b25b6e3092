/**
 * METR's `runs.jsonl` format: a fast reader (path, URL or text → validated rows, typed columns and an arquero
 * table, bad lines reported with their line numbers and skipped), an exporter back to JSONL, and METR's task
 * weights for tables that lack them.
 *
 * @module
 */
import * as aq from "../deps/arquero.ts";
import { parse as parseYaml } from "../deps/yaml.ts";
import { z } from "../deps/zod.ts";
import { REQUIRED_RUN_COLUMNS, RunRow } from "./schema.ts";
import { type RunColumns, runColumns } from "../stats/run_columns.ts";
import { taskWeights } from "../stats/task_weights.ts";

/** One rejected line. */
export interface LineError {
  /** 1-based line number in the source. */
  line: number;
  /** The run's task_id, when the line parsed far enough to have one. */
  taskId?: string;
  /** Why the line was rejected: not valid JSON, or the schema's field paths and problems joined by "; ". */
  message: string;
}

/** A loaded runs file. */
export interface MetrRuns {
  /** Where the rows came from: the path or URL read, or `"<text>"` (or the name given) for parsed text. */
  source: string;
  /** Valid rows, in file order. */
  rows: RunRow[];
  /** The same rows as an arquero table (every RunRow column). */
  table: aq.ColumnTable;
  /** The same rows as typed columns for lib/stats. */
  columns: RunColumns;
  /** Lines that were skipped, with why. */
  errors: LineError[];
}

const COLUMNS = Object.keys(RunRow.shape) as (keyof RunRow)[];

/**
 * Parse runs.jsonl text. Blank lines are ignored; numeric `run_id`s (METR's human baselines) become strings ({@link RunRow} accepts both); a line that is not JSON or fails the {@link RunRow} schema
 * is reported in `errors` (line number, task id, field and problem) and skipped. Rows lacking
 * `equal_task_weight`/`invsqrt_task_weight` get METR's weights computed over the valid rows.
 */
export function parseMetrRuns(text: string, source = "<text>"): MetrRuns {
  const rows: RunRow[] = [];
  const errors: LineError[] = [];
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (!line) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      errors.push({ line: lineNo, message: `not valid JSON: ${(e as Error).message}` });
      continue;
    }
    const parsed = RunRow.safeParse(raw);
    if (parsed.success) rows.push(parsed.data);
    else {
      const taskId = typeof (raw as { task_id?: unknown })?.task_id === "string"
        ? (raw as { task_id: string }).task_id
        : undefined;
      const message = parsed.error.issues.map((i) => `${i.path.join(".") || "(row)"}: ${i.message}`).join(
        "; ",
      );
      errors.push({ line: lineNo, ...(taskId ? { taskId } : {}), message });
    }
  }
  fillTaskWeights(rows);
  const table = rowsToTable(rows);
  return { source, rows, table, columns: runColumns(table), errors };
}

/**
 * Read runs.jsonl from a file path or an http(s)/file URL.
 * @throws Error naming the source when it cannot be read
 */
export async function readMetrRuns(source: string | URL): Promise<MetrRuns> {
  const name = String(source);
  let text: string;
  try {
    if (source instanceof URL || /^https?:\/\//.test(name)) {
      const res = await fetch(source);
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      text = await res.text();
    } else if (name.startsWith("file:")) {
      text = await Deno.readTextFile(new URL(name));
    } else {
      text = await Deno.readTextFile(name);
    }
  } catch (e) {
    throw new Error(`cannot read runs from ${name}: ${(e as Error).message}`);
  }
  return parseMetrRuns(text, name);
}

/** Fill missing task weights in place (both columns are recomputed if any row lacks either). */
export function fillTaskWeights(rows: RunRow[]): RunRow[] {
  if (rows.every((r) => r.equal_task_weight !== null && r.invsqrt_task_weight !== null)) return rows;
  const w = taskWeights({
    agent: rows.map((r) => r.alias),
    task: rows.map((r) => r.task_id),
    family: rows.map((r) => r.task_family),
  });
  rows.forEach((r, i) => {
    r.equal_task_weight = w.equal[i];
    r.invsqrt_task_weight = w.invsqrt[i];
  });
  return rows;
}

/** Add `equal_task_weight` and `invsqrt_task_weight` columns to an arquero runs table that lacks them. */
export function withTaskWeights(table: aq.ColumnTable): aq.ColumnTable {
  const names = table.columnNames();
  if (names.includes("equal_task_weight") && names.includes("invsqrt_task_weight")) {
    const eq = table.array("equal_task_weight"), inv = table.array("invsqrt_task_weight");
    let complete = true;
    for (let i = 0; i < eq.length && complete; i++) complete = eq[i] != null && inv[i] != null;
    if (complete) return table;
  }
  const w = taskWeights({
    agent: table.array("alias"),
    task: table.array("task_id"),
    family: table.array("task_family"),
  });
  return table.assign({ equal_task_weight: Array.from(w.equal), invsqrt_task_weight: Array.from(w.invsqrt) });
}

/** Validated rows → arquero table with one column per RunRow field. */
export function rowsToTable(rows: readonly RunRow[]): aq.ColumnTable {
  const data: Record<string, unknown[]> = {};
  for (const c of COLUMNS) data[c] = rows.map((r) => r[c]);
  return aq.table(data);
}

/**
 * Export runs (rows or an arquero table) as runs.jsonl text, one JSON object per line. Toolkit-only columns
 * that are null everywhere are left out, so exporting METR's data gives METR's columns back; the columns
 * every analysis needs are always kept (`human_minutes` is null for tasks without human minutes).
 */
export function toRunsJsonl(input: readonly Record<string, unknown>[] | aq.ColumnTable): string {
  const rows = Array.isArray(input)
    ? input as readonly Record<string, unknown>[]
    : (input as aq.ColumnTable).objects() as Record<string, unknown>[];
  if (rows.length === 0) return "";
  const keys = Object.keys(rows[0]).filter((k) =>
    (REQUIRED_RUN_COLUMNS as readonly string[]).includes(k) ||
    rows.some((r) => r[k] !== null && r[k] !== undefined)
  );
  return rows.map((r) => JSON.stringify(Object.fromEntries(keys.map((k) => [k, r[k] ?? null])))).join("\n") +
    "\n";
}

/** Write runs to a runs.jsonl file. */
export async function writeMetrRuns(
  path: string,
  input: readonly Record<string, unknown>[] | aq.ColumnTable,
): Promise<void> {
  await Deno.writeTextFile(path, toRunsJsonl(input));
}

/** METR's release-dates file: `{ date: { "<alias>": "YYYY-MM-DD", … } }`. */
export const ReleaseDates = z.object({
  date: z.record(z.string(), z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}/), z.date()])),
});

/**
 * Read a release-dates YAML file into `{ alias: "YYYY-MM-DD" }`.
 * @throws Error naming the file and the offending entry
 */
export async function readReleaseDates(path: string): Promise<Record<string, string>> {
  let raw: unknown;
  try {
    raw = parseYaml(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`cannot read release dates from ${path}: ${(e as Error).message}`);
  }
  const parsed = ReleaseDates.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${path}: ${i.path.join(".")}: ${i.message}`);
  }
  return Object.fromEntries(
    Object.entries(parsed.data.date).map((
      [k, v],
    ) => [k, typeof v === "string" ? v.slice(0, 10) : v.toISOString().slice(0, 10)]),
  );
}
