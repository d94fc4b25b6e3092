/**
 * Failure review in the viewer: the POST body a reviewer sends (zod-validated), the record it becomes (a
 * `source: "review"` {@link FailureTag}, appended to the same tags file `deno task protocol` reads:
 * `tagsPathFor(--log)`), and a small cache of that file that re-reads it when it changes on disk (the
 * `protocol tags` CLI may append to it while the viewer runs).
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { FailureCategory, FailureSignal } from "../elicitation/categories.ts";
import { appendTags, FailureTag, readTags, resolveTags, type TagIssue } from "../elicitation/tags.ts";
import type { RunSummary } from "./filter.ts";

/** Body of `POST /api/run/<id>/tags`. */
export const ReviewBody = z.strictObject({
  /** spurious / real / tradeoff. */
  category: FailureCategory,
  /** What was seen (optional; e.g. the heuristic's signal the reviewer agrees with). */
  signal: FailureSignal.nullable().optional(),
  /** The reviewer's note: why. */
  note: z.string().trim().min(1, "a note is required").max(4000, "a note is at most 4000 characters"),
  /** Who reviewed; required unless the viewer was started with `--reviewer`. */
  reviewer: z.string().trim().min(1).max(100).optional(),
});
/** Body of a review POST. */
export type ReviewBody = z.infer<typeof ReviewBody>;

/** The tag record of a review (validated by {@link FailureTag}). */
export function reviewRecord(runId: string, body: ReviewBody, reviewer: string, at = new Date()): FailureTag {
  return FailureTag.parse({
    run_id: runId,
    category: body.category,
    reason: body.note,
    source: "review",
    reviewer,
    signal: body.signal ?? null,
    at: at.toISOString(),
  });
}

/** The tags file of a log, cached and re-read when its modification time or size changes. */
export class TagStore {
  readonly file: string;
  #stamp = "";
  #tags: FailureTag[] = [];
  #resolved = new Map<string, FailureTag>();
  /** Lines of the file that could not be read (skipped). */
  issues: TagIssue[] = [];

  constructor(file: string) {
    this.file = file;
  }

  /** Re-reads the file if it changed; true when it did. */
  async refresh(): Promise<boolean> {
    let stamp = "missing";
    try {
      const s = await Deno.stat(this.file);
      stamp = `${s.mtime?.getTime()}:${s.size}`;
    } catch { /* no tags yet */ }
    if (stamp === this.#stamp) return false;
    this.#stamp = stamp;
    const { tags, issues } = await readTags(this.file);
    this.#tags = tags;
    this.issues = issues;
    this.#resolved = resolveTags(tags);
    return true;
  }

  /** Every record of one run, oldest first. */
  forRun(runId: string): FailureTag[] {
    return this.#tags.filter((t) => t.run_id === runId);
  }

  /** The resolved tag per run (latest review, else latest heuristic). */
  get resolved(): ReadonlyMap<string, FailureTag> {
    return this.#resolved;
  }

  /** Appends one record (validated again by `appendTags`) and re-reads the file. */
  async append(tag: FailureTag): Promise<void> {
    await appendTags(this.file, [tag]);
    await this.refresh();
  }
}

/** Sets `tag` and `reviewed` of each summary from the resolved tags. */
export function applyResolvedTags(runs: RunSummary[], resolved: ReadonlyMap<string, FailureTag>): void {
  for (const r of runs) {
    const t = resolved.get(r.run_id);
    r.tag = t?.category ?? null;
    r.reviewed = t?.source === "review";
  }
}
