/**
 * The task-times table (`--task-meta <file>`): a researcher's own human minutes (and optionally source,
 * domain, quality, summary, detail) for tasks of the suite, keyed by full task id. It overrides what the
 * families say, for any family format — METR-format families that carry no evalkit metadata, and
 * TypeScript families whose times are being recalibrated.
 *
 * CSV (a header row, then one row per task):
 *
 * ```csv
 * task,human_minutes,human_source,domain
 * apt_build/fixed-date,25,baseline,software_engineering
 * esolang/hello,6,,
 * ```
 *
 * or JSON, either an array of the same rows or an object keyed by task id:
 *
 * ```json
 * [{ "task": "apt_build/fixed-date", "human_minutes": 25, "human_source": "baseline" }]
 * { "apt_build/fixed-date": { "human_minutes": 25 } }
 * ```
 *
 * `task` and `human_minutes` are required; `human_source` defaults to `estimate` (a figure that replaces
 * another is not that one's baseline); empty CSV cells count as absent. Any bad row rejects the whole table
 * with errors naming the file, the line (CSV) or row (JSON) and the field: a recalibration half-applied is
 * worse than none.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { parseCsv } from "../util/csv.ts";
import {
  Domain,
  FamilyName,
  HumanSource,
  Quality,
  TASK_NAME_RULE,
  TaskMetadata,
  TaskName,
} from "./schema.ts";

/** The columns a table may have, in the order they are documented. */
export const TASK_META_COLUMNS = [
  "task",
  "human_minutes",
  "human_source",
  "domain",
  "quality",
  "summary",
  "detail",
] as const;

/** A full task id, `family/task`, with each part under its own rule. */
export const FullTaskId = z.string().trim().superRefine((id, ctx) => {
  const slash = id.indexOf("/");
  if (slash < 0) {
    ctx.addIssue({ code: "custom", message: `"${id}" is not a full task id (family/task)` });
    return;
  }
  const family = FamilyName.safeParse(id.slice(0, slash));
  if (!family.success) {
    ctx.addIssue({ code: "custom", message: `"${id}": ${family.error.issues[0].message}` });
  }
  if (!TaskName.safeParse(id.slice(slash + 1)).success) {
    ctx.addIssue({ code: "custom", message: `"${id}": ${TASK_NAME_RULE}` });
  }
});

/** Empty strings (CSV cells) count as absent. */
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "") || v === null ? undefined : v;
const minutes = z.preprocess(
  (v) => {
    const b = blank(v);
    if (typeof b !== "string") return b;
    const n = Number(b.trim());
    return Number.isNaN(n) ? b : n;
  },
  z.number({
    error: (issue) =>
      issue.input === undefined
        ? "required: a positive number of minutes"
        : issue.code === "invalid_type"
        ? `expected a positive number of minutes, got ${JSON.stringify(issue.input)}`
        : undefined,
  }).positive().finite(),
);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

/** One row of the table, as written (snake_case, METR's runs.jsonl names). */
export const TaskMetaRow = z.object({
  task: FullTaskId,
  human_minutes: minutes,
  human_source: optional(HumanSource),
  domain: optional(Domain),
  quality: optional(Quality),
  summary: optional(TaskMetadata.shape.summary),
  detail: optional(TaskMetadata.shape.detail),
}).strict();
/** One row of the table, as written. */
export type TaskMetaRow = z.infer<typeof TaskMetaRow>;

/** One task's values from the table. */
export interface TaskMetaEntry {
  /** Full task id, `family/task`. */
  task: string;
  /** How long the task takes a skilled human, in minutes (> 0). */
  humanMinutes: number;
  /** As given, or `estimate`. */
  humanSource: HumanSource;
  /** The task's domain, when the row gives one (e.g. `software_engineering`). */
  domain?: Domain;
  /** METR quality level, when the row gives one (`implementation` … `baseline_ready`). */
  quality?: Quality;
  /** One-line summary, when the row gives one. */
  summary?: string;
  /** Longer description (what it measures, how it is scored), when the row gives one. */
  detail?: string;
  /** Where the row is: `times.csv:4` or `times.json row 3`. */
  at: string;
}

/** A parsed task-times table. */
export interface TaskMetaTable {
  /** The file it came from (or the name given to {@link parseTaskMeta}). */
  file: string;
  /** Entries by full task id. */
  entries: ReadonlyMap<string, TaskMetaEntry>;
}

/** One problem in a table. */
export interface TaskMetaIssue {
  /** The table file (or the name given to {@link parseTaskMeta}). */
  file: string;
  /** `:4` (CSV line) or ` row 3` / ` entry "fam/t"` (JSON), or empty for the file as a whole. */
  at: string;
  /** The column, when one is concerned. */
  field?: string;
  /** What is wrong, e.g. `Too small: expected number to be >0`. */
  message: string;
}

/** Format an issue: `times.csv:4 (human_minutes): Too small: expected number to be >0`. */
export function formatTaskMetaIssue(issue: TaskMetaIssue): string {
  return `${issue.file}${issue.at}${issue.field ? ` (${issue.field})` : ""}: ${issue.message}`;
}

/** A table that cannot be used; `issues` holds every problem found. */
export class TaskMetaError extends Error {
  /** An error for table `file` listing (up to five of) its `issues` in the message. */
  constructor(readonly file: string, readonly issues: readonly TaskMetaIssue[]) {
    const shown = issues.slice(0, 5).map(formatTaskMetaIssue);
    if (issues.length > 5) shown.push(`… ${issues.length - 5} more problems`);
    super(`task-meta ${file}: ${issues.length} problem(s):\n  ${shown.join("\n  ")}`);
    this.name = "TaskMetaError";
  }
}

/** `csv` or `json`: by extension, else by the first non-blank character (`[` or `{` → JSON). */
export function taskMetaFormat(file: string, text: string): "csv" | "json" {
  if (/\.json$/i.test(file)) return "json";
  if (/\.(csv|tsv|txt)$/i.test(file)) return "csv";
  return /^\s*[[{]/.test(text) ? "json" : "csv";
}

/**
 * Parse a task-times table.
 * @param text the file's content
 * @param file the name used in errors (and to detect the format unless `format` is given)
 * @throws TaskMetaError naming the file, line/row and field of every bad row
 */
export function parseTaskMeta(text: string, file = "<task-meta>", format?: "csv" | "json"): TaskMetaTable {
  const rows: { at: string; raw: unknown; key?: string }[] = [];
  const issues: TaskMetaIssue[] = [];
  if ((format ?? taskMetaFormat(file, text)) === "json") {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new TaskMetaError(file, [{ file, at: "", message: `not valid JSON: ${(e as Error).message}` }]);
    }
    if (Array.isArray(data)) {
      data.forEach((raw, i) => rows.push({ at: ` row ${i + 1}`, raw }));
    } else if (typeof data === "object" && data !== null) {
      for (const [key, value] of Object.entries(data)) {
        const raw = typeof value === "object" && value !== null && !Array.isArray(value)
          ? { task: key, ...value }
          : value;
        rows.push({ at: ` entry "${key}"`, raw, key });
      }
    } else {
      throw new TaskMetaError(file, [{
        file,
        at: "",
        message: "expected a JSON array of rows or an object keyed by task id",
      }]);
    }
  } else {
    let parsed;
    try {
      parsed = parseCsv(text);
    } catch (e) {
      throw new TaskMetaError(file, [{ file, at: "", message: (e as Error).message }]);
    }
    if (parsed.header.length === 0) {
      throw new TaskMetaError(file, [{ file, at: "", message: "empty: expected a header row and rows" }]);
    }
    const known = new Set<string>(TASK_META_COLUMNS);
    for (const column of parsed.header) {
      if (!known.has(column)) {
        issues.push({
          file,
          at: ":1",
          field: column,
          message: `unknown column (expected ${TASK_META_COLUMNS.join(", ")})`,
        });
      }
    }
    for (const column of ["task", "human_minutes"]) {
      if (!parsed.header.includes(column)) {
        issues.push({ file, at: ":1", field: column, message: "missing column" });
      }
    }
    if (issues.length) throw new TaskMetaError(file, issues);
    for (const record of parsed.records) rows.push({ at: `:${record.line}`, raw: record.values });
  }

  const entries = new Map<string, TaskMetaEntry>();
  for (const { at, raw } of rows) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      issues.push({ file, at, message: "expected an object with task and human_minutes" });
      continue;
    }
    const parsed = TaskMetaRow.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.code === "unrecognized_keys"
          ? issue.keys.join(", ")
          : issue.path.map(String).join(".");
        issues.push({
          file,
          at,
          ...(field ? { field } : {}),
          message: issue.code === "unrecognized_keys"
            ? `unknown field (expected ${TASK_META_COLUMNS.join(", ")})`
            : issue.message,
        });
      }
      continue;
    }
    const row = parsed.data;
    const earlier = entries.get(row.task);
    if (earlier) {
      issues.push({
        file,
        at,
        field: "task",
        message: `"${row.task}" is given twice (also at ${earlier.at})`,
      });
      continue;
    }
    entries.set(row.task, {
      task: row.task,
      humanMinutes: row.human_minutes,
      humanSource: row.human_source ?? "estimate",
      ...(row.domain ? { domain: row.domain } : {}),
      ...(row.quality ? { quality: row.quality } : {}),
      ...(row.summary ? { summary: row.summary } : {}),
      ...(row.detail ? { detail: row.detail } : {}),
      at: `${file}${at}`,
    });
  }
  if (issues.length) throw new TaskMetaError(file, issues);
  return { file, entries };
}

/**
 * Read and parse a task-times table file (CSV or JSON, see {@link taskMetaFormat}).
 * @throws TaskMetaError when the file cannot be read or has a bad row
 */
export async function readTaskMeta(path: string): Promise<TaskMetaTable> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new TaskMetaError(path, [{ file: path, at: "", message: `cannot read: ${(e as Error).message}` }]);
  }
  return parseTaskMeta(text, path);
}

/**
 * A task's metadata with a table entry laid over it: minutes and source always, the other fields when the
 * entry gives them.
 */
export function applyTaskMetaEntry<
  T extends {
    humanMinutes?: number;
    humanSource: string;
    domain: string;
    quality: string;
    summary?: string;
    detail?: string;
  },
>(metadata: T, entry: TaskMetaEntry | undefined): T {
  if (!entry) return metadata;
  return {
    ...metadata,
    humanMinutes: entry.humanMinutes,
    humanSource: entry.humanSource,
    ...(entry.domain ? { domain: entry.domain } : {}),
    ...(entry.quality ? { quality: entry.quality } : {}),
    ...(entry.summary ? { summary: entry.summary } : {}),
    ...(entry.detail ? { detail: entry.detail } : {}),
  };
}
