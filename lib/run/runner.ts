/**
 * `runEval`: expand a grid of tasks × variants × models × epochs, skip the cells its log already finished,
 * run the rest concurrently, and append every event to `<logDir>/<evalId>.jsonl`.
 *
 * Resume semantics: the eval id is a hash of the grid (tasks, variant hashes, models, epochs, seed), so
 * running the same command again opens the same log. Cells whose last attempt ended `ok` or `limit` are
 * skipped, cells started but never ended (a crash, a kill) are rerun, and cells that ended `error` are
 * rerun only with `retryErrors`. Tables keep the last `cell_end` of each cell, so nothing is duplicated.
 *
 * @module
 */
import type { SandboxDriver } from "../sandbox/types.ts";
import type { LoadedTask } from "../task/loader.ts";
import type { Variant } from "../agent/variant.ts";
import { ToolOptions } from "../agent/tools.ts";
import "../agent/builtin.ts";
import {
  type CellEndEvent,
  type CellStatus,
  LOG_FORMAT_VERSION,
  type LogEvent,
  RunLimits,
} from "./events.ts";
import { type CellTask, evalIdOf, expandGrid, type GridCell } from "./grid.ts";
import { LogWriter } from "./log_writer.ts";
import { type CellPlan, planCell, readCellHistory } from "./resume.ts";
import { defaultConcurrency, runPool } from "./pool.ts";
import { type ProgressReporter, silentProgress } from "./progress.ts";
import { CellCancelledError, type ModelResolver, runCell } from "./cell.ts";
import { formatIssue, type LogIssue } from "./log_reader.ts";
import { acquireLogLock } from "./log_lock.ts";

/** Version recorded in each log header. */
export const TOOLKIT_VERSION = "0.1.0";

/** Options of {@link runEval}. */
export interface EvalOptions {
  /** The tasks of the grid (from `loadSuite`). */
  tasks: LoadedTask[];
  /** The agent variants of the grid: each a scaffold with its arguments (see `parseVariant`). */
  variants: Variant[];
  /** Model names, e.g. `simulated/30`, `openai/gpt-4o`. */
  models: string[];
  /** Runs of each task × variant × model cell. Default 1. */
  epochs?: number;
  /** Eval seed; every cell derives its own seed from it. Default 0. */
  seed?: number;
  /** The sandbox driver every task environment starts in (`local` or `docker`). */
  driver: SandboxDriver;
  /** Resolves a model name; the CLI passes the model registry's `createModel`. */
  resolveModel: ModelResolver;
  /** Directory of the logs (created if missing). */
  logDir: string;
  /** Override the eval id (default: a hash of the grid). */
  evalId?: string;
  /** Per-run budgets (tokens, actions, wall-clock time, cost) overriding the defaults. */
  limits?: Partial<RunLimits>;
  /** Tool limits overriding the defaults: command timeout (s, default 120), output kept (default 8,000 chars). */
  tools?: Partial<ToolOptions>;
  /** Cells in flight at once. Default: logical cores. */
  concurrency?: number;
  /** Rerun cells whose last attempt ended with an error. */
  retryErrors?: boolean;
  /** fsync every log line. */
  fsync?: boolean;
  /** Receives progress (cells started, finished, failed) for a progress line or a notebook. */
  progress?: ProgressReporter;
  /** Abort to stop scheduling; in-flight cells are cancelled and left to be rerun on resume. */
  signal?: AbortSignal;
  /**
   * Abort to stop as if the process had been killed: from that instant nothing more is written to the log
   * (in-flight cells stay open and are rerun on resume, whatever happens to their sandboxes next), the log's
   * lock is released, and scheduling stops. For a caller that is about to close every sandbox and exit
   * (its launcher died, SIGTERM).
   */
  halt?: AbortSignal;
  /**
   * Only the cells this accepts are run (the others count as skipped, not in `plans`); the grid, its eval
   * id and its log stay the whole grid's. For adaptive allocation
   * (`eval --until-settled`), which runs a grid a few cells at a time.
   */
  only?: (cell: GridCell) => boolean;
  /**
   * An attempt that ends with an infrastructure error (error source `infra`: the engine of a pool's sandbox
   * was lost mid-run) is rescheduled at once as the cell's next attempt, on the engines still up, at most
   * this many times per cell. Default 3. A cell still failing after that keeps its `error` end, and the
   * usual policy applies: `retryErrors` reruns it on a later invocation.
   */
  infraRetries?: number;
}

/** What {@link runEval} did. */
export interface EvalSummary {
  /** The eval's id (a hash of the grid unless overridden): resuming the same grid finds the same log. */
  evalId: string;
  /** The JSONL event log written (and resumed). */
  logPath: string;
  /** Cells in the grid. */
  total: number;
  /** Cells run in this invocation. */
  ran: number;
  /** Cells skipped because the log already had them finished (or errored, without retry). */
  skipped: number;
  /** Cells of this invocation by how they ended: `ok`, `limit` (a budget or sandbox limit), `error`. */
  counts: Record<CellStatus, number>;
  /** Cells by the resume plan: `new`, `interrupted` (rerun), `retry-error`, `skip-done`, `skip-error`. */
  plans: Record<CellPlan, number>;
  /** True when the run was stopped (abort or halt) before every planned cell finished. */
  cancelled: boolean;
  /** Wall-clock duration of this invocation, in seconds. */
  durationS: number;
  /** Bad lines found in an existing log (reported, skipped). */
  logIssues: LogIssue[];
  /** Attempts ended by an infrastructure error and rescheduled at once (see `infraRetries`). */
  rescheduled?: number;
}

/** The cell view of a loaded task. */
export function cellTaskOf(task: LoadedTask): CellTask {
  return {
    id: task.id,
    family: task.family.name,
    humanMinutes: task.manifest.humanMinutes ?? null,
    humanSource: task.manifest.humanMinutes === undefined ? null : task.manifest.humanSource,
    successThreshold: task.manifest.successThreshold ?? null,
  };
}

/** Run (or resume) an eval. */
export async function runEval(options: EvalOptions): Promise<EvalSummary> {
  const t0 = performance.now();
  const epochs = options.epochs ?? 1;
  const seed = options.seed ?? 0;
  if (options.tasks.length === 0) throw new Error("no tasks selected");
  if (options.variants.length === 0) throw new Error("no variants given");
  if (options.models.length === 0) throw new Error("no models given");
  const limits = RunLimits.parse(options.limits ?? {});
  const toolOptions = ToolOptions.parse(options.tools ?? {});
  const taskById = new Map(options.tasks.map((t) => [t.id, t]));
  const cells = await expandGrid(
    options.tasks.map(cellTaskOf),
    options.variants,
    options.models,
    epochs,
    seed,
  );
  const evalId = options.evalId ?? await evalIdOf({
    tasks: options.tasks.map((t) => t.id),
    variantHashes: options.variants.map((v) => v.hash),
    models: options.models,
    epochs,
    seed,
    sandbox: options.driver.name,
  });
  await Deno.mkdir(options.logDir, { recursive: true });
  const logPath = `${options.logDir.replace(/\/+$/, "")}/${evalId}.jsonl`;
  const releaseLock = await acquireLogLock(logPath);
  try {
    return await runLocked(options, releaseLock, {
      cells,
      taskById,
      evalId,
      logPath,
      epochs,
      seed,
      limits,
      toolOptions,
      t0,
    });
  } finally {
    releaseLock();
  }
}

/** What {@link runEval} resolved before taking the log's lock. */
interface ResolvedEval {
  cells: GridCell[];
  taskById: Map<string, LoadedTask>;
  evalId: string;
  logPath: string;
  epochs: number;
  seed: number;
  limits: RunLimits;
  toolOptions: ToolOptions;
  t0: number;
}

async function runLocked(
  options: EvalOptions,
  releaseLock: () => void,
  resolved: ResolvedEval,
): Promise<EvalSummary> {
  const { cells, taskById, evalId, logPath, epochs, seed, limits, toolOptions, t0 } = resolved;
  const { history, issues } = await readCellHistory(logPath);
  const resumed = history.size > 0;

  const plans: Record<CellPlan, number> = {
    new: 0,
    interrupted: 0,
    "retry-error": 0,
    "skip-done": 0,
    "skip-error": 0,
  };
  const toRun: Array<{ cell: GridCell; attempt: number }> = [];
  for (const cell of cells) {
    if (options.only && !options.only(cell)) continue;
    const h = history.get(cell.id);
    const plan = planCell(h, options.retryErrors ?? false);
    plans[plan]++;
    if (!plan.startsWith("skip")) toRun.push({ cell, attempt: (h?.attempts ?? 0) + 1 });
  }

  const writer = LogWriter.open(logPath, { fsync: options.fsync });
  const progress = options.progress ?? silentProgress;
  const counts: Record<CellStatus, number> = { ok: 0, limit: 0, error: 0 };
  const cancel = new AbortController();
  const onAbort = () => cancel.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) cancel.abort();
  let halted = false;
  const onHalt = () => {
    halted = true;
    cancel.abort();
    releaseLock();
  };
  options.halt?.addEventListener("abort", onHalt, { once: true });
  if (options.halt?.aborted) onHalt();
  // After a halt nothing reaches the log: the cells in flight stay open, exactly as after `kill -9`.
  const write = (event: LogEvent) => {
    if (!halted) writer.write(event);
  };
  let ran = 0;
  let rescheduled = 0;
  const infraRetries = options.infraRetries ?? 3;
  try {
    write({
      type: "eval_start",
      t: Date.now(),
      eval_id: evalId,
      format_version: LOG_FORMAT_VERSION,
      toolkit_version: TOOLKIT_VERSION,
      tasks: options.tasks.map((t) => t.id),
      variants: options.variants.map((v) => ({
        name: v.name,
        scaffold: v.scaffold,
        args: v.args,
        hash: v.hash,
      })),
      models: options.models,
      epochs,
      sandbox: options.driver.name,
      seed,
      limits,
      resumed,
    });
    progress.start({
      evalId,
      logPath,
      total: cells.length,
      toRun: toRun.length,
      skipped: cells.length - toRun.length,
    });
    await runPool(toRun, options.concurrency ?? defaultConcurrency(), async ({ cell, attempt }) => {
      const started = performance.now();
      try {
        let end: CellEndEvent;
        for (let tries = 0;; tries++) {
          end = await runCell(cell, {
            evalId,
            task: taskById.get(cell.task.id)!,
            driver: options.driver,
            resolveModel: options.resolveModel,
            limits,
            toolOptions,
            write,
            attempt: attempt + tries,
            cancel: cancel.signal,
          });
          // An engine lost under the run: the attempt is logged as an `infra` error and the cell runs again
          // at once (the pool places it on an engine that is up).
          const infra = end.status === "error" && end.error_source === "infra";
          if (!infra || tries >= infraRetries || halted || cancel.signal.aborted) break;
          rescheduled++;
        }
        if (halted) return;
        ran++;
        counts[end.status]++;
        progress.cellDone(cell, {
          status: end.status,
          score: end.score,
          durationS: (performance.now() - started) / 1000,
          detail: end.limit ?? end.error_source,
        });
      } catch (e) {
        if (!(e instanceof CellCancelledError)) throw e;
      }
    }, cancel.signal);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    options.halt?.removeEventListener("abort", onHalt);
    writer.close();
  }
  const durationS = (performance.now() - t0) / 1000;
  progress.finish({ ran, counts, durationS, cancelled: cancel.signal.aborted });
  return {
    evalId,
    logPath,
    total: cells.length,
    ran,
    skipped: cells.length - toRun.length,
    counts,
    plans,
    cancelled: cancel.signal.aborted,
    durationS,
    logIssues: issues,
    rescheduled,
  };
}

/** Issues as printable lines. */
export function describeIssues(issues: LogIssue[]): string[] {
  return issues.map(formatIssue);
}
