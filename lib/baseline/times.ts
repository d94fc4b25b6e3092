/**
 * Baseline-derived task times: where a task has at least one successful human baseline, its minutes are the
 * geometric mean of the successful attempts' working minutes (METR's rule); elsewhere the estimate stays. The
 * commands (`tasks`, `horizons`, `protocol`) and the notebooks' run logs read them from the baseline
 * directory by default.
 *
 * @module
 */
import { join, PROJECT_ROOT } from "../util/path.ts";
import { readLogs } from "../run/log_reader.ts";
import type { LogEvent } from "../run/events.ts";
import type { TaskMetaTable } from "../task/task_meta.ts";
import { baselineTaskMetaTable, humanAttemptsFromEvents, summarizeBaselines } from "./summary.ts";

/** Where journals (and, by default, the log) live; read at each call (tests set the variable). */
export function baselineDir(): string {
  return Deno.env.get("EVALKIT_BASELINE_DIR") ?? join(PROJECT_ROOT, "runs", "baselines");
}

/** `--task-times`: the minutes an analysis uses — baseline-derived where a task has a success, or estimates. */
export const TASK_TIMES = ["baseline", "estimate"] as const;

/**
 * The task times of `--task-times baseline`: the baseline minutes of every task with at least one successful
 * baseline in `logPath` (default: the baseline directory; absent is fine there), as a task-times table, laid
 * over `taskMeta` (a given `--task-meta` table: measured times win). Undefined when there are none.
 * @returns the table, and a one-line note naming the tasks (or an error for a bad `--baselines`)
 */
export async function baselineTimes(
  logPath: string | undefined,
  taskMeta?: TaskMetaTable,
): Promise<{ table?: TaskMetaTable; note?: string; error?: string }> {
  const path = logPath ?? baselineDir();
  const events: LogEvent[] = [];
  try {
    await readLogs(path, { types: ["cell_start", "cell_end"], onEvent: (e) => events.push(e) });
  } catch (error) {
    if (logPath !== undefined) return { error: `--baselines: ${(error as Error).message}` };
    return { table: taskMeta };
  }
  const measured = baselineTaskMetaTable(summarizeBaselines(humanAttemptsFromEvents(events)), path);
  if (measured.entries.size === 0) return { table: taskMeta };
  const entries = new Map(taskMeta?.entries ?? []);
  for (const [task, entry] of measured.entries) entries.set(task, entry);
  const names = [...measured.entries.keys()];
  return {
    table: { file: taskMeta ? `${taskMeta.file} + ${path}` : path, entries },
    note: `task times: baseline minutes for ${names.length} task${names.length === 1 ? "" : "s"} (${
      names.slice(0, 5).join(", ")
    }${names.length > 5 ? ", …" : ""}) from ${path}; estimates otherwise`,
  };
}
