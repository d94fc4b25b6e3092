/**
 * The flat metadata row of a task, as `deno task tasks --json` prints it and `tasks()` tables hold it.
 * Unknown metadata (METR-format families without it) is `null` minutes, `"unknown"` source, bucket, domain
 * and quality, and `null` summary.
 * @module
 */
import type { LoadedTask } from "./loaded.ts";
import { UNKNOWN } from "./schema.ts";
import { DEFAULT_SUCCESS_THRESHOLD } from "../core/run_outcome.ts";

/** One task's metadata. */
export interface TaskSummaryRow {
  /** Full task id, `family/task`. */
  id: string;
  /** Family name. */
  family: string;
  /** Task name within the family. */
  name: string;
  /** Null when unknown. */
  humanMinutes: number | null;
  /** `estimate`, `qa`, `baseline` or `unknown`. */
  humanSource: string;
  /** Bucket id, or `unknown` without minutes. */
  bucket: string;
  /** Domain (e.g. `software_engineering`), or `unknown`. */
  domain: string;
  /** METR quality level (`implementation` … `baseline_ready`), or `unknown`. */
  quality: string;
  /** Null when unknown. */
  summary: string | null;
  /** Family format: `typescript` or `metr-python`. */
  format: string;
  /** Network permissions: empty, or `["full_internet"]`. */
  permissions: string[];
  /** The score at or above which a run is a success: the task's own, else the default 0.5. */
  successThreshold: number;
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
    successThreshold: m.successThreshold ?? DEFAULT_SUCCESS_THRESHOLD,
  };
}
