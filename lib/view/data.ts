/**
 * What the transcript viewer shows, loaded once from `--log`: the run table (through `readAnyRuns`, so our
 * event logs, METR's runs.jsonl and Inspect logs all work), one {@link RunSummary} per run, each run's
 * transcript (our logs: the run's events from the log; Inspect logs: read on demand through the Inspect
 * importer; METR's runs file: none) and the failure heuristics' suggestion for each failed run.
 *
 * @module
 */
import { readAnyRuns } from "../frame/read_any.ts";
import { readLogs } from "../run/log_reader.ts";
import { eventsByRun, type ReviewEvent } from "../elicitation/events.ts";
import {
  failedRuns,
  suggestFromEvents,
  suggestFromRow,
  type TagSuggestion,
} from "../elicitation/heuristics.ts";
import type { RunSummary } from "./filter.ts";

/** A transcript, or why there is none. */
export interface Transcript {
  /** The run's events in log order; null when the source has no transcripts. */
  events: ReviewEvent[] | null;
  /** Why `events` is null or empty (shown on the run page). */
  note: string | null;
}

/** Everything the viewer serves for one log. */
export interface ViewData {
  /** The `--log` path as given (the tags file is found from it exactly as `deno task protocol` does). */
  path: string;
  /** `log` (our event log), `metr` (METR's runs file), or the importer's name for other kinds (`inspect`). */
  kind: string;
  /** One summary per run, in table order. */
  runs: RunSummary[];
  /** Full run rows (every column of the runs table) by run id. */
  rows: Map<string, Record<string, unknown>>;
  /** Position of each run id in {@link runs}. */
  index: Map<string, number>;
  /** Lines or files the reader skipped. */
  skipped: number;
  /** What the reader said about skipped or unusual parts (Inspect logs: one line per file). */
  notes: string[];
  /** The transcript of one run. */
  transcript(runId: string): Promise<Transcript>;
}

/** The Inspect importer's functions the viewer uses (`lib/frame/inspect/mod.ts`). */
interface InspectModule {
  readInspectTranscript(path: string, runId: string): Promise<ReviewEvent[]>;
}

/** Loads the Inspect importer if it is present (it is optional for the viewer's other log kinds). */
async function inspectModule(): Promise<InspectModule | null> {
  const url = new URL("../frame/inspect/mod.ts", import.meta.url).href;
  try {
    const mod = await import(url);
    return typeof mod.readInspectTranscript === "function" ? mod as InspectModule : null;
  } catch {
    return null;
  }
}

const LOG_EVENT_TYPES = [
  "cell_start",
  "model_call",
  "action",
  "observation",
  "note",
  "score",
  "cell_end",
] as const;

/** A finite number, else null (arquero cells can be undefined or NaN). */
export function num(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A non-empty string, else null. */
function str(v: unknown): string | null {
  return v === null || v === undefined || v === "" ? null : String(v);
}

/** Row values made JSON-safe: undefined dropped, non-finite numbers as null. */
function cleanRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === undefined) continue;
    out[k] = typeof v === "number" && !Number.isFinite(v) ? null : v;
  }
  return out;
}

/** The list summary of one run row. */
export function summarize(row: Record<string, unknown>, failed: boolean): RunSummary {
  const error = str(row.error);
  const fatal = str(row.fatal_error_from);
  const inTokens = num(row.input_tokens), outTokens = num(row.output_tokens);
  return {
    run_id: String(row.run_id),
    task_id: String(row.task_id ?? ""),
    alias: String(row.alias ?? ""),
    model: str(row.model),
    variant: str(row.variant),
    epoch: num(row.epoch),
    score: num(row.score),
    failed,
    limit: str(row.limit),
    error: error ? error.slice(0, 300) : fatal ? `fatal error from ${fatal}` : null,
    human_minutes: num(row.human_minutes),
    duration_s: num(row.duration_s),
    total_tokens: num(row.total_tokens) ??
      (inTokens !== null || outTokens !== null ? (inTokens ?? 0) + (outTokens ?? 0) : null),
    tag: null,
    reviewed: false,
  };
}

/** Builds {@link ViewData} from rows already in memory (used by the loader, tests and the bench). */
export function viewDataFromRows(
  path: string,
  kind: string,
  rows: readonly Record<string, unknown>[],
  failed: readonly boolean[],
  transcript: (runId: string) => Promise<Transcript>,
  skipped = 0,
): ViewData {
  const runs: RunSummary[] = [];
  const byId = new Map<string, Record<string, unknown>>();
  const index = new Map<string, number>();
  rows.forEach((row, i) => {
    const s = summarize(row, failed[i]);
    index.set(s.run_id, runs.length);
    runs.push(s);
    byId.set(s.run_id, cleanRow(row));
  });
  return { path, kind, runs, rows: byId, index, skipped, notes: [], transcript };
}

/**
 * Reads `path` (a log file or directory, METR's runs file, or an Inspect log) for the viewer.
 * @throws Error when the path does not exist or holds no runs.
 */
export async function loadViewData(path: string): Promise<ViewData> {
  const any = await readAnyRuns(path);
  const kind = String(any.kind);
  const table = any.table;
  const rows = table.objects() as Record<string, unknown>[];
  const failed = failedRuns(table);
  let transcript: (runId: string) => Promise<Transcript>;
  if (kind === "log") {
    const raw: unknown[] = [];
    await readLogs(path, { types: LOG_EVENT_TYPES, onEvent: (e) => raw.push(e) });
    const events = eventsByRun(raw).runs;
    transcript = (runId) => {
      const ev = events.get(runId);
      return Promise.resolve(
        ev ? { events: ev, note: null } : { events: [], note: "the log holds no events for this run" },
      );
    };
  } else if (kind === "metr") {
    transcript = () =>
      Promise.resolve({
        events: null,
        note: "METR's runs file has no transcripts: only the run's row is shown.",
      });
  } else {
    const inspect = await inspectModule();
    const cache = new Map<string, Transcript>();
    transcript = async (runId) => {
      const hit = cache.get(runId);
      if (hit) return hit;
      let t: Transcript;
      if (!inspect) t = { events: null, note: `no transcript reader for ${kind} logs in this toolkit` };
      else {
        try {
          t = { events: await inspect.readInspectTranscript(path, runId), note: null };
        } catch (e) {
          t = { events: null, note: `the transcript could not be read: ${(e as Error).message}` };
        }
      }
      if (cache.size >= 200) cache.delete(cache.keys().next().value!);
      cache.set(runId, t);
      return t;
    };
  }
  const data = viewDataFromRows(path, kind, rows, failed, transcript, any.skipped);
  data.notes = "notes" in any && Array.isArray(any.notes) ? any.notes.map(String) : [];
  return data;
}

/**
 * The heuristics' suggestion for a failed run: from its events when it has any, else from its row (as
 * `suggestFailureTags` does). Null for a run that did not fail.
 */
export function suggestionFor(
  data: ViewData,
  runId: string,
  events: readonly ReviewEvent[] | null,
): TagSuggestion | null {
  const i = data.index.get(runId);
  if (i === undefined || !data.runs[i].failed) return null;
  if (events && events.length > 0) return suggestFromEvents(runId, events);
  const row = data.rows.get(runId) ?? {};
  return suggestFromRow({
    run_id: runId,
    fatal_error_from: str(row.fatal_error_from),
    limit: str(row.limit),
    error: str(row.error),
    actions: num(row.actions),
  });
}
