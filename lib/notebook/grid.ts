/**
 * Runs for the scaffold notebooks: read a run log written by `deno task eval` (`EVALKIT_RUNS_LOG`), or run
 * a small grid through the library (`runEval` with the local sandbox) into a cache directory. The runner
 * resumes: a grid already in the cache is not run again, so a second notebook with the same grid, or a
 * second report, reads the finished log (delete `out/notebook-runs/` to start over).
 *
 * @module
 */
import type * as aq from "../deps/arquero.ts";
import { loadSuite, selectTasks } from "../task/loader.ts";
import { loadVariants } from "../agent/variant.ts";
import "../agent/builtin.ts";
import { createModel } from "../model/registry.ts";
import { createSandboxDriver } from "../sandbox/mod.ts";
import { runEval } from "../run/runner.ts";
import type { RunLimits } from "../run/events.ts";
import { silentProgress } from "../run/progress.ts";
import { inStableOrder, runs } from "../frame/tables.ts";
import { applyTaskMetaToRuns } from "../frame/minutes.ts";
import { baselineTimes } from "../baseline/times.ts";
import { hasInspectLogs, readInspectRuns } from "../frame/inspect/mod.ts";
import { readLogs } from "../run/log_reader.ts";
import { eventsByRun, type ReviewEvent } from "../elicitation/events.ts";
import { type NotebookParams, projectRoot } from "./params.ts";
import { join } from "node:path";

/** Options of {@link notebookRuns}. */
export interface NotebookGridOptions {
  /** Task ids or globs. */
  tasks: string[];
  /** Scaffold variant names (or one variants file). */
  variants: string[];
  /** Model names, e.g. `simulated/30`. */
  models: string[];
  /** Runs of each (task, variant, model) cell. */
  epochs: number;
  /** Eval seed; every cell derives its own seed from it. */
  seed: number;
  /** Cache directory of the logs; default `<root>/out/notebook-runs` (notebooks pass `EVALKIT_GRID_DIR`). */
  logDir?: string;
  /** Cells at once; default 2. */
  concurrency?: number;
  /** Per-run limits (the CLI's defaults otherwise). */
  limits?: Partial<RunLimits>;
}

/** Runs loaded for a notebook. */
export interface NotebookRuns {
  /** One row per run (the toolkit's run schema, with `variant`, `epoch`, usage columns). */
  table: aq.ColumnTable;
  /** Where the rows came from. */
  source: "runs-log" | "grid";
  /** The log the runs were read from (the given runs log, or the grid's cached log). */
  logPath: string;
  /** Cells run now (0 when everything came from the log). */
  ran: number;
  /** Log lines that could not be read. */
  issues: number;
  /**
   * Which task times the rows carry: a note naming the tasks given baseline-derived minutes (this project's
   * successful human baselines, `runs/baselines/`), or null when none applied.
   */
  taskTimes?: string | null;
}

/**
 * Read the runs of an existing log file or directory (from `deno task eval`), or of Inspect logs (a `.eval`
 * or `.json` log or a folder of them, told by content; docs/inspect.md).
 */
export async function readRunsLog(path: string): Promise<NotebookRuns> {
  if (await hasInspectLogs(path)) {
    const inspect = await readInspectRuns(path);
    if (inspect.table.numRows() === 0) throw new Error(`Inspect logs ${path}: no readable samples in them`);
    return { table: inspect.table, source: "runs-log", logPath: path, ran: 0, issues: inspect.notes.length };
  }
  const { table, issues } = await runs(path);
  if (table.numRows() === 0) throw new Error(`run log ${path}: no finished runs in it`);
  const timed = await withBaselineTimes(table);
  return { ...timed, source: "runs-log", logPath: path, ran: 0, issues: issues.length };
}

/**
 * The rows with baseline-derived minutes for tasks that have a successful human baseline (as `deno task
 * horizons` does by default); unchanged, with a null note, when there is none.
 */
async function withBaselineTimes(
  table: aq.ColumnTable,
): Promise<{ table: aq.ColumnTable; taskTimes: string | null }> {
  const times = await baselineTimes(undefined);
  if (!times.table || !times.note) return { table, taskTimes: null };
  return { table: applyTaskMetaToRuns(table, times.table).table, taskTimes: times.note };
}

/** Run (or resume) a grid for a notebook and return its runs. */
export async function runNotebookGrid(options: NotebookGridOptions): Promise<NotebookRuns> {
  const suite = await loadSuite();
  const tasks = selectTasks(suite.tasks, options.tasks);
  if (tasks.length === 0) throw new Error(`no task matches ${options.tasks.join(",")} in ${suite.dir}`);
  const variants = await loadVariants(options.variants.join(","));
  const logDir = options.logDir ?? join(projectRoot(), "out", "notebook-runs");
  const summary = await runEval({
    tasks,
    variants,
    models: options.models,
    epochs: options.epochs,
    seed: options.seed,
    driver: await createSandboxDriver("local"),
    resolveModel: (name) => createModel(name),
    logDir,
    concurrency: options.concurrency ?? 2,
    limits: options.limits,
    progress: silentProgress,
  });
  const { table, issues } = await runs(summary.logPath);
  const errored = summary.counts.error ?? 0;
  if (table.numRows() === 0) {
    throw new Error(`grid produced no runs (${errored} cells errored): ${summary.logPath}`);
  }
  const timed = await withBaselineTimes(table);
  return { ...timed, source: "grid", logPath: summary.logPath, ran: summary.ran, issues: issues.length };
}

/**
 * The grid a notebook runs when it is given no run log, from its parameters: the `EVALKIT_TASKS` tasks ×
 * the `EVALKIT_VARIANTS` variants × the one `EVALKIT_MODEL` model, `EVALKIT_EPOCHS` epochs, the notebook's
 * seed, logged under `EVALKIT_GRID_DIR`. The scaffold notebooks share it, so with the same parameters they
 * run (and then read from the cache) the very same grid.
 */
export function notebookGridOptions(params: NotebookParams): NotebookGridOptions {
  return {
    tasks: params.tasks,
    variants: params.variants,
    models: [params.model],
    epochs: params.epochs,
    seed: params.seed,
    logDir: params.gridDir,
  };
}

/** The runs a notebook analyses: `runsLog` when given, else the grid. */
export async function notebookRuns(
  runsLog: string | null,
  grid: NotebookGridOptions,
): Promise<NotebookRuns> {
  const loaded = await (runsLog ? readRunsLog(runsLog) : runNotebookGrid(grid));
  // In an order of their own, not of when they finished: the report prints the same digits every time.
  return { ...loaded, table: inStableOrder(loaded.table) };
}

/** Every run's events (for failure heuristics and budget curves), keyed by run id. */
export async function readRunEvents(path: string): Promise<Map<string, ReviewEvent[]>> {
  // Inspect logs: no events here (the heuristics read each row; transcripts via readInspectTranscript).
  if (await hasInspectLogs(path)) return new Map();
  const all: unknown[] = [];
  await readLogs(path, { onEvent: (e) => all.push(e) });
  return eventsByRun(all).runs;
}
