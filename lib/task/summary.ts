/**
 * The flat metadata row of a task, as `deno task tasks --json` prints it and `tasks()` tables hold it.
 * @module
 */
import type { LoadedTask } from "./loader.ts";

/** One task's metadata. */
export interface TaskSummaryRow {
  id: string;
  family: string;
  name: string;
  humanMinutes: number;
  humanSource: string;
  bucket: string;
  domain: string;
  quality: string;
  summary: string;
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
    humanMinutes: m.humanMinutes,
    humanSource: m.humanSource,
    bucket: task.bucket.id,
    domain: m.domain,
    quality: m.quality,
    summary: m.summary,
    format: task.family.format,
    permissions: [...m.permissions],
  };
}
