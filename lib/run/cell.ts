/**
 * One run of one cell: start the task environment, bind the model to the run, run the scaffold's agent
 * under the limits, score whatever was submitted (also after a limit), destroy the environment, and log
 * every step. A resource limit of the sandbox (memory, disk, processes) hit during the agent phase ends the
 * run with `status: limit` and that kind (checked after every failed command and when the agent phase
 * ends); after a process limit the agent's processes are killed so scoring can run. Errors are classified
 * by source (Vivaria's typed sources) and never escape: the cell ends with `status: error` and the grid
 * goes on.
 *
 * @module
 */
import type { Model, ModelRunContext } from "../model/types.ts";
import { type Sandbox, type SandboxDriver, SandboxLimitKind } from "../sandbox/types.ts";
import type { ErrorSource, LimitKind } from "../core/run_outcome.ts";
import type { LoadedTask } from "../task/loader.ts";
import {
  readSubmissionFile,
  scoreOutOfRange,
  startTaskEnvironment,
  type TaskEnvironment,
} from "../task/environment.ts";
import { buildAgent } from "../agent/registry.ts";
import { LimitExceededError } from "../agent/types.ts";
import type { ToolOptions } from "../agent/tools.ts";
import { createAgentContext, type DistributiveOmit } from "./agent_context.ts";
import type { CellEndEvent, CellStatus, LogEvent, RunLimits } from "./events.ts";
import type { GridCell } from "./grid.ts";
import { LimitTracker } from "./limits.ts";
import { killAgentProcesses, primaryLimit } from "./sandbox_limits.ts";

/** Resolves a model name (`provider/model`) to a model. */
export type ModelResolver = (name: string) => Promise<Model> | Model;

/** Everything a cell needs besides itself. */
export interface CellDeps {
  evalId: string;
  task: LoadedTask;
  driver: SandboxDriver;
  resolveModel: ModelResolver;
  limits: RunLimits;
  toolOptions: ToolOptions;
  /** Writes one event to the log. */
  write: (event: LogEvent) => void;
  /** Number of this attempt (1 for the first). */
  attempt: number;
  /** Aborted on cancellation (SIGINT): the cell then ends without a `cell_end`, so a resume reruns it. */
  cancel: AbortSignal;
}

/** Bind a model to a run when it supports it (`Model.forRun`). */
export function bindToRun(model: Model, context: ModelRunContext): Model {
  return typeof model.forRun === "function" ? model.forRun(context) : model;
}

/** Where an error came from. */
export function classifyError(error: unknown, phase: "setup" | "agent" | "score"): ErrorSource {
  const name = error instanceof Error ? error.name : "";
  if (name === "ModelError" || name === "ModelConfigError") return "model";
  if (name === "TaskHookError" || name === "TaskLoadError" || name === "ImageBuildError") return "task";
  if (name.startsWith("Sandbox")) return "server";
  if (phase === "setup") return "server";
  if (phase === "score") return "task";
  return "agent";
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 2000);
  return String(error).slice(0, 2000);
}

/** The limit kinds that come from the sandbox (not from the run's budgets). */
const SANDBOX_LIMITS: ReadonlySet<string> = new Set(SandboxLimitKind.options);

/** The sandbox limit the sandbox has hit (the most explanatory one), or null; a failed read counts as none. */
async function sandboxLimitHit(sandbox: Sandbox): Promise<SandboxLimitKind | null> {
  try {
    return primaryLimit(await sandbox.limitsHit()) ?? null;
  } catch {
    return null;
  }
}

/** Thrown out of {@link runCell} when the run was cancelled; the cell is left without a `cell_end`. */
export class CellCancelledError extends Error {
  constructor() {
    super("cell cancelled");
    this.name = "CellCancelledError";
  }
}

/** Run one attempt at a cell and return its `cell_end` event (already written). */
export async function runCell(cell: GridCell, deps: CellDeps): Promise<CellEndEvent> {
  const runId = crypto.randomUUID();
  const startedAt = Date.now();
  const t0 = performance.now();
  const emit = (e: DistributiveOmit<LogEvent, "t" | "cell" | "run_id">) =>
    deps.write({ ...e, t: Date.now(), cell: cell.id, run_id: runId } as LogEvent);
  emit({
    type: "cell_start",
    eval_id: deps.evalId,
    task_id: cell.task.id,
    task_family: cell.task.family,
    human_minutes: cell.task.humanMinutes,
    human_source: cell.task.humanSource,
    variant: cell.variant.name,
    variant_hash: cell.variant.hash,
    scaffold: cell.variant.scaffold,
    args: cell.variant.args,
    model: cell.model,
    epoch: cell.epoch,
    seed: cell.seed,
    attempt: deps.attempt,
  });

  let status = "ok" as CellStatus;
  let limit: LimitKind | null = null;
  let error: string | null = null;
  let errorSource: ErrorSource | null = null;
  let score: number | null = null;
  let agentS = 0;
  let tracker = new LimitTracker(deps.limits);
  const fail = (e: unknown, phase: "setup" | "agent" | "score") => {
    status = "error";
    error = errorText(e);
    errorSource = classifyError(e, phase);
  };

  let env: TaskEnvironment | undefined;
  try {
    if (deps.cancel.aborted) throw new CellCancelledError();
    try {
      env = await startTaskEnvironment(deps.task, deps.driver);
    } catch (e) {
      // After a Ctrl-C the failure is the interruption's (a terminal signals the sandbox processes too): the
      // cell stays open and is rerun on resume.
      if (deps.cancel.aborted) throw new CellCancelledError();
      fail(e, "setup");
    }
    if (env) {
      const environment = env;
      const runContext: ModelRunContext = {
        taskId: cell.task.id,
        humanMinutes: cell.task.humanMinutes,
        seed: cell.seed,
        scaffold: cell.variant.scaffold,
        extras: {
          attempt: (outcome: "solve" | "fail") =>
            outcome === "solve" ? environment.runSolution() : environment.runWrongAttempt(),
        },
      };
      const agentAbort = new AbortController();
      const onCancel = () => agentAbort.abort(new CellCancelledError());
      deps.cancel.addEventListener("abort", onCancel, { once: true });
      if (deps.cancel.aborted) onCancel(); // cancelled while the environment was starting
      const timer = deps.limits.timeS === null ? undefined : setTimeout(
        () => agentAbort.abort(new LimitExceededError("time", `${deps.limits.timeS} s of wall time`)),
        deps.limits.timeS * 1000,
      );
      let submission: string | null = null;
      let agentPhaseOver = false;
      // An agent cut off by a limit or a cancel may still be finishing a call in the background: its late
      // events are dropped so nothing follows the cell's end in the log.
      const agentEmit: typeof emit = (e) => {
        if (!agentPhaseOver) emit(e);
      };
      const agentStart = performance.now();
      tracker = new LimitTracker(deps.limits); // the time limit counts the agent loop only, not setup
      try {
        const model = bindToRun(await deps.resolveModel(cell.model), runContext);
        const ctx = createAgentContext({
          taskId: cell.task.id,
          instructions: environment.instructions,
          model,
          getModel: async (name) => bindToRun(await deps.resolveModel(name), runContext),
          sandbox: environment.sandbox,
          tracker,
          toolOptions: deps.toolOptions,
          emit: agentEmit,
          signal: agentAbort.signal,
        });
        const agent = buildAgent(cell.variant.scaffold, cell.variant.args);
        // Race the agent against the abort signal so a hung model or tool cannot outlive the limit.
        const aborted = new Promise<never>((_, reject) => {
          const onAbort = () => reject(agentAbort.signal.reason);
          if (agentAbort.signal.aborted) onAbort();
          else agentAbort.signal.addEventListener("abort", onAbort, { once: true });
        });
        aborted.catch(() => {});
        const running = agent(ctx);
        running.catch(() => {}); // if the abort wins the race, a later rejection must not go unhandled
        const outcome = await Promise.race([running, aborted]);
        submission = outcome.submission;
      } catch (e) {
        if (e instanceof CellCancelledError || deps.cancel.aborted) throw new CellCancelledError();
        if (e instanceof LimitExceededError) {
          status = "limit";
          limit = e.kind;
          emit({ type: "note", message: e.message, data: { limit: e.kind } });
        } else {
          fail(e, "agent");
        }
      } finally {
        agentPhaseOver = true;
        clearTimeout(timer);
        deps.cancel.removeEventListener("abort", onCancel);
        agentS = (performance.now() - agentStart) / 1000;
      }
      // A sandbox limit hit at any time during the agent phase (by a background process too) ends the run
      // with that limit, also when it is what made the agent phase fail.
      const sandboxLimit = SANDBOX_LIMITS.has(limit ?? "")
        ? limit as SandboxLimitKind // the agent phase just ended on it: already read
        : await sandboxLimitHit(environment.sandbox);
      if (sandboxLimit && limit !== sandboxLimit) {
        const explained = status === "error" ? ` (it explains the agent-phase error: ${error})` : "";
        emit({
          type: "note",
          message: `${sandboxLimit} limit reached in the sandbox${explained}`,
          data: { limit: sandboxLimit },
        });
        status = "limit";
        limit = sandboxLimit;
        error = null;
        errorSource = null;
      }
      // After a fork bomb the agent's processes still hold the process limit: stop them so scoring can fork.
      if (limit === "processes" && !(await killAgentProcesses(environment.sandbox))) {
        emit({ type: "note", message: "some agent processes survived the kill before scoring" });
      }
      if (status !== "error") {
        const submitted = submission !== null;
        if (submission === null) {
          // METR workbench convention: an agent may leave its answer in ~/submission.txt.
          submission = await readSubmissionFile(environment.sandbox).catch(() => null);
        }
        const scoreStart = performance.now();
        try {
          score = await environment.score(submission ?? "");
          if (scoreOutOfRange(score)) {
            emit({
              type: "note",
              message:
                `score ${score} is outside [0, 1]; kept as the task returned it (METR families may do this)`,
              data: { flag: "score_out_of_range" },
            });
          }
          emit({
            type: "score",
            score,
            submission: (submission ?? "").slice(0, 4000),
            submitted,
            duration_ms: Math.round(performance.now() - scoreStart),
          });
        } catch (e) {
          if (deps.cancel.aborted) throw new CellCancelledError(); // interrupted while scoring: rerun
          // Scoring that failed in a sandbox the agent left over a limit (a full disk, …) is that limit.
          const kind = await sandboxLimitHit(environment.sandbox);
          if (kind) {
            status = "limit";
            limit = kind;
            emit({
              type: "note",
              message: `scoring failed after the ${kind} limit was reached: ${errorText(e)}`,
              data: { limit: kind },
            });
          } else {
            fail(e, "score");
          }
        }
      }
    }
  } finally {
    if (env) {
      const teardownError = await env.destroy().catch((e) => e);
      if (teardownError && status !== "error") {
        emit({ type: "note", message: `teardown failed: ${errorText(teardownError)}` });
      }
    }
  }
  const usage = tracker.usage();
  const end: CellEndEvent = {
    type: "cell_end",
    t: Date.now(),
    cell: cell.id,
    run_id: runId,
    status,
    limit,
    error,
    error_source: errorSource,
    score,
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cost_usd: usage.costUsd,
    actions: usage.actions,
    model_calls: usage.modelCalls,
    duration_s: (performance.now() - t0) / 1000,
    agent_s: agentS,
    started_at: startedAt,
    completed_at: Date.now(),
  };
  deps.write(end);
  return end;
}
