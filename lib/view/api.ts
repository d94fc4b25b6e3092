/**
 * The viewer's JSON documents, shared by the server and the static export: the facets (what the filters
 * offer), one run's detail (row, transcript, heuristic suggestion, tags) and the JSON-in-script encoding the
 * export uses.
 *
 * @module
 */
import type { TagSuggestion } from "../elicitation/heuristics.ts";
import type { FailureTag } from "../elicitation/tags.ts";
import type { ReviewEvent } from "../elicitation/events.ts";
import { suggestionFor, type ViewData } from "./data.ts";
import type { TagStore } from "./review.ts";

/** What the page's filters offer, and about the source. */
export interface Facets {
  path: string;
  kind: string;
  total: number;
  /** Whether runs of this source have transcripts. */
  transcripts: boolean;
  /** Whether review controls are live (false in the static export). */
  review: boolean;
  /** The default reviewer name (`--reviewer`). */
  reviewer: string | null;
  /** The tags file reviews are appended to. */
  tagsFile: string;
  tasks: string[];
  aliases: string[];
  models: string[];
  limits: string[];
}

const sorted = (values: Iterable<string | null>) =>
  [...new Set([...values].filter((v): v is string => v !== null && v !== ""))].sort();

/** The facets of a log. */
export function facetsOf(data: ViewData, tagsFile: string, review: boolean, reviewer?: string): Facets {
  return {
    path: data.path,
    kind: data.kind,
    total: data.runs.length,
    transcripts: data.kind !== "metr",
    review,
    reviewer: reviewer ?? null,
    tagsFile,
    tasks: sorted(data.runs.map((r) => r.task_id)),
    aliases: sorted(data.runs.map((r) => r.alias)),
    models: sorted(data.runs.map((r) => r.model)),
    limits: sorted(data.runs.map((r) => r.limit)),
  };
}

/** One run's page. */
export interface RunDetail {
  run: Record<string, unknown>;
  failed: boolean;
  events: ReviewEvent[] | null;
  note: string | null;
  suggestion: TagSuggestion | null;
  tags: FailureTag[];
  resolved: FailureTag | null;
}

/** The detail of a run, or null for an unknown id. */
export async function runDetail(data: ViewData, store: TagStore, runId: string): Promise<RunDetail | null> {
  const i = data.index.get(runId);
  if (i === undefined) return null;
  const { events, note } = await data.transcript(runId);
  return {
    run: data.rows.get(runId) ?? {},
    failed: data.runs[i].failed,
    events,
    note,
    suggestion: suggestionFor(data, runId, events),
    tags: store.forRun(runId),
    resolved: store.resolved.get(runId) ?? null,
  };
}

/**
 * JSON for a `<script>` file or element: `<`, `>`, `&` and the line separators escaped as `\uXXXX`, so no
 * text from a log can close the script or start markup, and numbers that are not finite become null.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v))
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
