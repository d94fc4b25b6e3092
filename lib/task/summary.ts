/**
 * The flat metadata row of a task, as `deno task tasks --json` prints it and `tasks()` tables hold it.
 * Unknown metadata (METR-format families without it) is `null` minutes, `"unknown"` source, bucket, domain
 * and quality, and `null` summary.
 * @module
 */
import type { LoadedTask } from "./loaded.ts";
import { UNKNOWN } from "./schema.ts";

/** One task's metadata. */
export interface TaskSummaryRow {
  id: string;
  family: string;
  name: string;
  /** Null when unknown. */
  humanMinutes: number | null;
  /** `estimate`, `qa`, `baseline` or `unknown`. */
  humanSource: string;
  /** Bucket id, or `unknown` without minutes. */
  bucket: string;
  domain: string;
  quality: string;
  /** Null when unknown. */
  summary: string | null;
  format: string;
  permissions: string[];
}

/** Flatten a loaded task into its metadata row. */
export function taskSummaryRow(task: LoadedTask): TaskSummaryRow {
  const m = task.manifest;
  return {
    id: task.id,
    family: task.family.name,
    name: task.name,
    humanMinutes: m.humanMinutes ?? null,
    humanSource: m.humanSource,
    bucket: task.bucket?.id ?? UNKNOWN,
    domain: m.domain,
    quality: m.quality,
    summary: m.summary ?? null,
    format: task.family.format,
    permissions: [...m.permissions],
  };
}
