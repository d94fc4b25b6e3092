/**
 * One run of one cell: start the task environment, bind the model to the run, run the scaffold's agent
 * under the limits, score whatever was submitted (also after a limit), destroy the environment, and log
 * every step. A resource limit of the sandbox (memory, disk, processes) hit during the agent phase ends the
 * run with `status: limit` and that kind (checked after every failed command and when the agent phase
 * ends); after a process limit the agent's processes are killed so scoring can run. Errors are classified
 * by source (Vivaria's typed sources) and never escape: the cell ends with `status: error` and the grid
 * goes on.
 *
 * The steps: {@link runCell} logs `cell_start`, starts the environment, runs the agent and settles sandbox
 * limits (agent_phase.ts), scores (score_phase.ts), destroys the environment and logs `cell_end`; they share
 * one `CellOutcome` (cell_outcome.ts). Nothing here knows a particular model: every model is bound to the
 * same run context, which offers the environment's reference runs to offline models (the simulator).
 *
 * @module
 */
import type { SandboxDriver } from "../sandbox/types.ts";
import type { LoadedTask } from "../task/loader.ts";
import { startTaskEnvironment, type TaskEnvironment } from "../task/environment.ts";
import type { ToolOptions } from "../agent/tools.ts";
import type { CellEndEvent, LogEvent, RunLimits } from "./events.ts";
import type { GridCell } from "./grid.ts";
import { type ModelResolver, runAgent, settleSandboxLimit } from "./agent_phase.ts";
import { scoreSubmission } from "./score_phase.ts";
import { CellCancelledError, type CellEmit, CellOutcome, errorText } from "./cell_outcome.ts";
import { engineOfSandbox, sandboxInfrastructureFailure } from "../sandbox/pool/pool.ts";

export { bindToRun, type ModelResolver } from "./agent_phase.ts";
export { CellCancelledError, classifyError } from "./cell_outcome.ts";

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

/** Run one attempt at a cell and return its `cell_end` event (already written). */
export async function runCell(cell: GridCell, deps: CellDeps): Promise<CellEndEvent> {
  const runId = crypto.randomUUID();
  const startedAt = Date.now();
  const t0 = performance.now();
  const emit: CellEmit = (e) => deps.write({ ...e, t: Date.now(), cell: cell.id, run_id: runId } as LogEvent);
  logCellStart(cell, deps, emit);
  const outcome = new CellOutcome(emit, deps.limits);
  let env: TaskEnvironment | undefined;
  // The engine of a pool the sandbox was placed on (recorded also when setup then fails on it).
  let engine: string | null = null;
  const driver: SandboxDriver = {
    name: deps.driver.name,
    buildImage: (recipe) => deps.driver.buildImage(recipe),
    create: async (spec) => {
      const sandbox = await deps.driver.create(spec);
      engine = engineOfSandbox(sandbox);
      return sandbox;
    },
  };
  try {
    env = await startEnvironment({ ...deps, driver }, outcome);
    if (env) {
      const submission = await runAgent(cell, env, deps, outcome);
      await settleSandboxLimit(env.sandbox, outcome);
      if (outcome.status !== "error") await scoreSubmission(env, submission, outcome, deps.cancel);
      // The sandbox's engine was lost during the run (a pool's engine marked down): whatever the agent or
      // scorer saw is not the task's result. The attempt ends as an infrastructure error, and is rescheduled.
      const lost = sandboxInfrastructureFailure(env.sandbox);
      if (lost) {
        outcome.fail(lost, "agent");
        outcome.limit = null;
        outcome.score = null;
      }
    }
  } finally {
    if (env) await destroyEnvironment(env, outcome);
  }
  return logCellEnd(cell, runId, outcome, { startedAt, t0 }, deps.write, engine);
}

function logCellStart(cell: GridCell, deps: CellDeps, emit: CellEmit): void {
  emit({
    type: "cell_start",
    eval_id: deps.evalId,
    task_id: cell.task.id,
    task_family: cell.task.family,
    human_minutes: cell.task.humanMinutes,
    human_source: cell.task.humanSource,
    success_threshold: cell.task.successThreshold ?? null,
    variant: cell.variant.name,
    variant_hash: cell.variant.hash,
    scaffold: cell.variant.scaffold,
    args: cell.variant.args,
    model: cell.model,
    epoch: cell.epoch,
    seed: cell.seed,
    attempt: deps.attempt,
  });
}

/** Start the task environment; a failure is recorded on `outcome` (undefined returned), a cancel thrown. */
async function startEnvironment(deps: CellDeps, outcome: CellOutcome): Promise<TaskEnvironment | undefined> {
  if (deps.cancel.aborted) throw new CellCancelledError();
  try {
    return await startTaskEnvironment(deps.task, deps.driver);
  } catch (e) {
    // After a Ctrl-C the failure is the interruption's (a terminal signals the sandbox processes too): the
    // cell stays open and is rerun on resume.
    if (deps.cancel.aborted) throw new CellCancelledError();
    outcome.fail(e, "setup");
    return undefined;
  }
}

/** Destroy the environment; a teardown failure is noted unless the run already ended with an error. */
async function destroyEnvironment(env: TaskEnvironment, outcome: CellOutcome): Promise<void> {
  const teardownError = await env.destroy().catch((e) => e);
  if (teardownError && outcome.status !== "error") {
    outcome.emit({ type: "note", message: `teardown failed: ${errorText(teardownError)}` });
  }
}

/** Write and return the `cell_end` event of the attempt. */
function logCellEnd(
  cell: GridCell,
  runId: string,
  outcome: CellOutcome,
  clock: { startedAt: number; t0: number },
  write: (event: LogEvent) => void,
  engine: string | null = null,
): CellEndEvent {
  const usage = outcome.tracker.usage();
  const end: CellEndEvent = {
    type: "cell_end",
    t: Date.now(),
    cell: cell.id,
    run_id: runId,
    status: outcome.status,
    limit: outcome.limit,
    error: outcome.error,
    error_source: outcome.errorSource,
    score: outcome.score,
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cost_usd: usage.costUsd,
    actions: usage.actions,
    model_calls: usage.modelCalls,
    duration_s: (performance.now() - clock.t0) / 1000,
    agent_s: outcome.agentS,
    started_at: clock.startedAt,
    completed_at: Date.now(),
    ...(engine === null ? {} : { engine }),
  };
  write(end);
  return end;
}
