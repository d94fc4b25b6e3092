/**
 * Inspect log import: Inspect's `.eval` and `.json` evaluation logs (every format version) → the toolkit's
 * runs table (one row per sample × epoch), and one sample's messages → review events for the transcript
 * viewer and the failure heuristics. Bad or partial logs never throw: what is readable is kept and each file
 * gets note lines saying what was skipped and why. See docs/inspect.md.
 *
 * ```ts
 * const { table, notes } = await readInspectRuns("logs/", { taskMeta: "times.csv" });
 * ```
 * @module
 */
import * as aq from "../../deps/arquero.ts";
import { RunRow } from "../schema.ts";
import { type MetrRuns, withTaskWeights } from "../metr.ts";
import { runColumns } from "../../stats/run_columns.ts";
import { applyTaskMetaToRuns } from "../minutes.ts";
import { readTaskMeta } from "../../task/task_meta.ts";
import type { ReviewEvent } from "../../elicitation/events.ts";
import { InspectImportOptions } from "./schema.ts";
import { openInspectLog } from "./log.ts";
import { type InspectRunRow, logContext, sampleToRow } from "./rows.ts";
import { sampleToEvents } from "./transcript.ts";
import { findInspectLogs, isInspectLog } from "./walk.ts";

export { findInspectLogs, hasInspectLogs, isInspectLog } from "./walk.ts";
export { InspectImportOptions } from "./schema.ts";
export { type InspectRunRow, sampleToRow } from "./rows.ts";
export { sampleScore, valueToFloat } from "./value.ts";
export { contentText, sampleToEvents } from "./transcript.ts";

/** What {@link readInspectRuns} read. */
export interface InspectImport {
  /** One row per sample × epoch, in the toolkit's run schema plus {@link INSPECT_EXTRA_COLUMNS}. */
  table: aq.ColumnTable;
  /** One line per file (or sample) with something skipped or unusual, and why. */
  notes: string[];
  /** Inspect log files read (including ones that yielded no rows). */
  files: number;
  /** Rows imported (samples × epochs). */
  samples: number;
}

/** Columns an Inspect runs table has after the {@link RunRow} columns. */
export const INSPECT_EXTRA_COLUMNS = [
  "log_file",
  "eval_id",
  "sample_id",
  "inspect_task",
  "scorer",
  "working_time_s",
  "log_status",
] as const;

/** Column order of an Inspect runs table. */
export const INSPECT_TABLE_COLUMNS: readonly (keyof InspectRunRow)[] = [
  ...(Object.keys(RunRow.shape) as (keyof RunRow)[]),
  ...INSPECT_EXTRA_COLUMNS,
];

/** Most distinct sample ids a note names before "…". */
const NOTE_IDS = 5;

function parseOptions(options: unknown): InspectImportOptions {
  const parsed = InspectImportOptions.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const msg = parsed.error.issues.map((i) =>
    i.code === "unrecognized_keys"
      ? `unknown option ${i.keys.map((k) => JSON.stringify(k)).join(", ")}`
      : `option ${i.path.join(".")}: ${i.message}`
  ).join("; ");
  throw new Error(`readInspectRuns: ${msg}`);
}

/** Files to read: `path` itself, or the Inspect logs under it. */
async function logFiles(path: string): Promise<string[]> {
  const info = await Deno.stat(path).catch(() => {
    throw new Error(`${path}: no such file or directory`);
  });
  if (info.isDirectory) return await findInspectLogs(path);
  return [path];
}

/**
 * Read the Inspect logs at `path` (a log file, or a directory searched recursively for `.eval` and `.json`
 * logs; other files are ignored) as a runs table. Samples are read one at a time. A score comes from
 * `options.scorer` (default: the log's first scorer) by Inspect's value-to-float rules; human minutes from
 * the sample metadata key `options.minutesKey` and/or the task-times table `options.taskMeta` (which wins).
 * @throws Error when `path` does not exist, on an unknown or bad option, or when the task-times table is bad —
 *   never for a bad log, which becomes a note
 */
export async function readInspectRuns(path: string, options?: InspectImportOptions): Promise<InspectImport> {
  const opts = parseOptions(options);
  const files = await logFiles(path);
  const notes: string[] = [];
  const rows: InspectRunRow[] = [];
  const seen = new Map<string, string>();
  let fileCount = 0;
  for (const file of files) {
    fileCount++;
    let log;
    try {
      log = await openInspectLog(file);
    } catch (e) {
      notes.push(`${file}: skipped: ${(e as Error).message}`);
      continue;
    }
    const problems = new Map<string, string[]>();
    const skipped: string[] = [];
    let kept = 0;
    try {
      const ctx = logContext(file, log.header!);
      for await (const item of log.samples()) {
        if ("problem" in item) {
          skipped.push(`${item.where}: ${item.problem}`);
          continue;
        }
        const { row, problems: ps } = sampleToRow(ctx, item.sample, opts);
        const first = seen.get(row.run_id);
        if (first !== undefined) {
          skipped.push(`${row.run_id}: already read from ${first} (the same eval)`);
          continue;
        }
        seen.set(row.run_id, file);
        rows.push(row);
        kept++;
        for (const p of ps) {
          const ids = problems.get(p) ?? [];
          ids.push(`${row.sample_id}#${row.epoch}`);
          problems.set(p, ids);
        }
      }
    } catch (e) {
      skipped.push(`stopped reading: ${(e as Error).message}`);
    } finally {
      log.close();
    }
    const parts = [...log.notes];
    for (const [p, ids] of problems) {
      const shown = ids.slice(0, NOTE_IDS).join(", ") + (ids.length > NOTE_IDS ? ", …" : "");
      parts.push(`${ids.length} sample${ids.length === 1 ? "" : "s"} kept with ${p} (${shown})`);
    }
    if (skipped.length) {
      parts.push(
        `${skipped.length} entr${skipped.length === 1 ? "y" : "ies"} skipped: ${
          skipped.slice(0, NOTE_IDS).join("; ")
        }${skipped.length > NOTE_IDS ? "; …" : ""}`,
      );
    }
    if (kept === 0) parts.push("no samples read");
    if (parts.length) notes.push(`${file}: ${parts.join("; ")}`);
  }
  let table = inspectRowsToTable(rows);
  if (opts.taskMeta) {
    const meta = await readTaskMeta(opts.taskMeta);
    const applied = applyTaskMetaToRuns(table, meta);
    table = applied.table;
  }
  return { table, notes, files: fileCount, samples: rows.length };
}

/** Inspect run rows → an arquero table ({@link INSPECT_TABLE_COLUMNS} order) with METR's task weights. */
export function inspectRowsToTable(rows: readonly InspectRunRow[]): aq.ColumnTable {
  const data: Record<string, unknown[]> = {};
  for (const c of INSPECT_TABLE_COLUMNS) {
    const col = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) col[i] = rows[i][c];
    data[c] = col;
  }
  const table = aq.table(data);
  return rows.length === 0 ? table : withTaskWeights(table);
}

const fileOfEval = new Map<string, Map<string, string>>();

/** The files under `dir` by eval id (cached per directory; rebuilt when an id is not found). */
async function evalFiles(dir: string, refresh: boolean): Promise<Map<string, string>> {
  let map = fileOfEval.get(dir);
  if (map && !refresh) return map;
  map = new Map();
  for (const file of await findInspectLogs(dir)) {
    try {
      const log = await openInspectLog(file);
      try {
        if (log.header) map.set(logContext(file, log.header).evalId, file);
      } finally {
        log.close();
      }
    } catch { /* not readable: no transcripts from it */ }
  }
  fileOfEval.set(dir, map);
  return map;
}

/**
 * The transcript of one run (`<eval id>/<sample id>/<epoch>`, as in the runs table) as review events: reads
 * only that sample (one zip entry of a `.eval` log). `path` is the log file or the directory it was imported
 * from.
 * @throws Error when the run is not found or its sample cannot be read
 */
export async function readInspectTranscript(path: string, runId: string): Promise<ReviewEvent[]> {
  const info = await Deno.stat(path);
  const candidates: string[] = [];
  if (info.isDirectory) {
    for (const refresh of [false, true]) {
      const map = await evalFiles(path, refresh);
      for (const [evalId, file] of map) if (runId.startsWith(`${evalId}/`)) candidates.push(file);
      if (candidates.length) break;
    }
  } else if (await isInspectLog(path)) candidates.push(path);
  for (const file of candidates) {
    const log = await openInspectLog(file);
    try {
      if (!log.header) continue;
      const ctx = logContext(file, log.header);
      if (!runId.startsWith(`${ctx.evalId}/`)) continue;
      const rest = runId.slice(ctx.evalId.length + 1);
      const slash = rest.lastIndexOf("/");
      if (slash < 0) continue;
      const sampleId = rest.slice(0, slash), epoch = Number(rest.slice(slash + 1));
      const sample = await log.readSample(sampleId, epoch);
      if (!sample) continue;
      const { row } = sampleToRow(ctx, sample);
      const events = sampleToEvents(sample, { runId, score: row.score });
      if (!sample.messages) {
        events.unshift({ type: "note", run_id: runId, message: "this log holds no messages for the sample" });
      }
      return events;
    } finally {
      log.close();
    }
  }
  throw new Error(`${path}: no Inspect sample for run ${runId}`);
}

/**
 * Inspect logs in the shape of {@link MetrRuns} (for commands written against METR's runs file): the rows,
 * table and typed columns, with `errors` empty; each note is passed to `onNote` instead.
 * @throws Error as {@link readInspectRuns} does
 */
export async function readInspectAsMetrRuns(
  path: string,
  options: InspectImportOptions = {},
  onNote: (line: string) => void = () => {},
): Promise<MetrRuns> {
  const imported = await readInspectRuns(path, options);
  for (const note of imported.notes) onNote(note);
  const table = imported.table;
  return { source: path, rows: table.objects() as RunRow[], table, columns: runColumns(table), errors: [] };
}
