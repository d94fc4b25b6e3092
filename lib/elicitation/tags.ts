/**
 * Failure tags: a person's (or a heuristic's) judgement of why a run failed, stored beside the logs in an
 * append-only JSONL file. Nothing is ever rewritten: confirming or overriding appends a new record, and
 * the resolved tag of a run is its latest `review` record, else its latest `heuristic` record. Tags export
 * to and import from CSV and JSON; a bad record is reported with its line and skipped, never fatal.
 *
 * Where: for a log directory `DIR`, `DIR/failure_tags.ndjson`; for a file `X.jsonl`, `X.failure_tags.ndjson` (JSON lines;
 * the `.ndjson` extension keeps the log readers, which read every `.jsonl` file of a directory, away from it).
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { FailureCategory, FailureSignal } from "./categories.ts";
import { parseCsv, toCsv } from "../util/csv.ts";
import type { TagSuggestion } from "./heuristics.ts";

/** One tag record. */
export const FailureTag = z.object({
  run_id: z.string().min(1),
  category: FailureCategory,
  reason: z.string().min(1),
  /** `heuristic` (suggested by code) or `review` (decided by a person). */
  source: z.enum(["heuristic", "review"]),
  reviewer: z.string().min(1).nullable().default(null),
  signal: FailureSignal.nullable().default(null),
  /** ISO 8601 time the record was written. */
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "not an ISO 8601 time"),
});
/** One tag record. */
export type FailureTag = z.infer<typeof FailureTag>;
/** One tag record as written (defaults not applied). */
export type FailureTagInput = z.input<typeof FailureTag>;

/** The CSV columns, in order. */
export const TAG_COLUMNS = ["run_id", "category", "reason", "source", "reviewer", "signal", "at"] as const;

/** A record that could not be read. */
export interface TagIssue {
  /** The file read (`<inline>` for parsed text). */
  file: string;
  /** 1-based line number in that file (0 when a CSV could not be parsed at all). */
  line: number;
  /** Why the record was skipped (not JSON, a missing CSV column, or the fields that fail the schema). */
  reason: string;
}

/** Where the tags of a log file or directory live. */
export async function tagsPathFor(logPath: string): Promise<string> {
  let isDir = false;
  try {
    isDir = (await Deno.stat(logPath)).isDirectory;
  } catch { /* a path that does not exist yet is treated as a file */ }
  if (isDir) return `${logPath.replace(/\/+$/, "")}/failure_tags.ndjson`;
  return `${logPath.replace(/\.jsonl?$/i, "")}.failure_tags.ndjson`;
}

/** Tag records from heuristic suggestions. */
export function tagsFromSuggestions(suggestions: readonly TagSuggestion[], at = new Date()): FailureTag[] {
  return suggestions.map((s) => ({
    run_id: s.run_id,
    category: s.category,
    reason: `${s.reason} (confidence ${s.confidence})`,
    source: "heuristic",
    reviewer: null,
    signal: s.signal,
    at: at.toISOString(),
  }));
}

/** A person's decision on a run: confirms the current tag (same category) or overrides it. */
export function reviewTag(
  runId: string,
  category: FailureCategory,
  reason: string,
  reviewer: string,
  at = new Date(),
): FailureTag {
  return FailureTag.parse({
    run_id: runId,
    category,
    reason,
    source: "review",
    reviewer,
    at: at.toISOString(),
  });
}

/** A review that confirms the run's current resolved tag. @throws Error when the run has no tag yet. */
export function confirmTag(
  current: ReadonlyMap<string, FailureTag>,
  runId: string,
  reviewer: string,
  at = new Date(),
): FailureTag {
  const tag = current.get(runId);
  if (!tag) throw new Error(`run "${runId}" has no tag to confirm`);
  return reviewTag(runId, tag.category, `confirmed: ${tag.reason}`, reviewer, at);
}

/** Appends records to the store (validating each first; nothing is written if one is invalid). */
export async function appendTags(file: string, tags: readonly FailureTagInput[]): Promise<void> {
  const lines = tags.map((t, i) => {
    const parsed = FailureTag.safeParse(t);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`tag ${i} (run ${String(t.run_id)}): ${issue.path.join(".")}: ${issue.message}`);
    }
    return JSON.stringify(parsed.data);
  });
  if (lines.length === 0) return;
  await Deno.writeTextFile(file, lines.join("\n") + "\n", { append: true, create: true });
}

/** Reads a tag store; a missing file is an empty store, bad lines are reported and skipped. */
export async function readTags(file: string): Promise<{ tags: FailureTag[]; issues: TagIssue[] }> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { tags: [], issues: [] };
    throw e;
  }
  return parseTagsJsonl(text, file);
}

function validate(value: unknown, file: string, line: number, tags: FailureTag[], issues: TagIssue[]) {
  const parsed = FailureTag.safeParse(value);
  if (parsed.success) tags.push(parsed.data);
  else {
    const i = parsed.error.issues[0];
    issues.push({ file, line, reason: `${i.path.join(".") || "(record)"}: ${i.message}` });
  }
}

/** Parses JSONL tag records. */
export function parseTagsJsonl(text: string, file = "<inline>"): { tags: FailureTag[]; issues: TagIssue[] } {
  const tags: FailureTag[] = [];
  const issues: TagIssue[] = [];
  text.split("\n").forEach((raw, k) => {
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      issues.push({ file, line: k + 1, reason: `not JSON: ${(e as Error).message}` });
      return;
    }
    validate(value, file, k + 1, tags, issues);
  });
  return { tags, issues };
}

/** The resolved tag per run: the latest review, else the latest heuristic. */
export function resolveTags(tags: readonly FailureTag[]): Map<string, FailureTag> {
  const out = new Map<string, FailureTag>();
  const sorted = tags.map((t, i) => ({ t, i })).sort((a, b) =>
    Date.parse(a.t.at) - Date.parse(b.t.at) || a.i - b.i
  );
  for (const { t } of sorted) {
    const prev = out.get(t.run_id);
    if (prev && prev.source === "review" && t.source === "heuristic") continue;
    out.set(t.run_id, t);
  }
  return out;
}

/** Tags as CSV (columns {@link TAG_COLUMNS}). */
export function tagsToCsv(tags: readonly FailureTag[]): string {
  return toCsv(TAG_COLUMNS, tags as unknown as Record<string, unknown>[]);
}

/** Tags as a JSON array. */
export function tagsToJson(tags: readonly FailureTag[]): string {
  return JSON.stringify(tags, null, 2) + "\n";
}

/** Parses exported CSV; empty `reviewer`/`signal` cells are null. */
export function parseTagsCsv(text: string, file = "<inline>"): { tags: FailureTag[]; issues: TagIssue[] } {
  const tags: FailureTag[] = [];
  const issues: TagIssue[] = [];
  let parsed;
  try {
    parsed = parseCsv(text);
  } catch (e) {
    return { tags, issues: [{ file, line: 0, reason: (e as Error).message }] };
  }
  for (const col of ["run_id", "category", "reason", "source", "at"]) {
    if (!parsed.header.includes(col)) {
      return { tags, issues: [{ file, line: 1, reason: `missing column "${col}"` }] };
    }
  }
  for (const { line, values } of parsed.records) {
    validate(
      {
        ...values,
        reviewer: values.reviewer ? values.reviewer : null,
        signal: values.signal ? values.signal : null,
      },
      file,
      line,
      tags,
      issues,
    );
  }
  return { tags, issues };
}

/** Parses an exported JSON array of tags (each element validated; line = element index + 1). */
export function parseTagsJson(text: string, file = "<inline>"): { tags: FailureTag[]; issues: TagIssue[] } {
  const tags: FailureTag[] = [];
  const issues: TagIssue[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { tags, issues: [{ file, line: 0, reason: `not JSON: ${(e as Error).message}` }] };
  }
  if (!Array.isArray(data)) {
    return { tags, issues: [{ file, line: 0, reason: "expected a JSON array of tags" }] };
  }
  data.forEach((v, k) => validate(v, file, k + 1, tags, issues));
  return { tags, issues };
}
