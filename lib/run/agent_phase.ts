/**
 * The agent phase of a cell: bind the model to the run, run the scaffold's agent under the run's limits
 * (time, tokens, actions, cost) and the cancel signal, then settle a sandbox limit (memory, disk, processes)
 * hit at any time during the phase. Generic: models get the run context (with the task environment's
 * reference runs) and use what they need.
 *
 * @module
 */
import type { Model, ModelRunContext } from "../model/types.ts";
import { type Sandbox, SandboxLimitKind } from "../sandbox/types.ts";
import type { TaskEnvironment } from "../task/environment.ts";
import { buildAgent } from "../agent/registry.ts";
import { LimitExceededError } from "../agent/types.ts";
import type { ToolOptions } from "../agent/tools.ts";
import { createAgentContext } from "./agent_context.ts";
import type { GridCell } from "./grid.ts";
import { LimitTracker } from "./limits.ts";
import type { RunLimits } from "./events.ts";
import { killAgentProcesses, primaryLimit } from "./sandbox_limits.ts";
import { CellCancelledError, type CellOutcome } from "./cell_outcome.ts";

/** Resolves a model name (`provider/model`) to a model. */
export type ModelResolver = (name: string) => Promise<Model> | Model;

/** What the agent phase needs besides the cell and its environment. */
export interface AgentPhaseDeps {
  resolveModel: ModelResolver;
  limits: RunLimits;
  toolOptions: ToolOptions;
  /** Aborted on cancellation: the phase then throws {@link CellCancelledError}. */
  cancel: AbortSignal;
}

/** Bind a model to a run when it supports it (`Model.forRun`). */
export function bindToRun(model: Model, context: ModelRunContext): Model {
  return typeof model.forRun === "function" ? model.forRun(context) : model;
}

/** The run context every model of the cell is bound to: the cell's task, seed and scaffold, and the
 * environment's reference runs (for offline models that act through them). */
export function modelRunContext(cell: GridCell, environment: TaskEnvironment): ModelRunContext {
  return {
    taskId: cell.task.id,
    humanMinutes: cell.task.humanMinutes,
    seed: cell.seed,
    scaffold: cell.variant.scaffold,
    reference: {
      runSolution: () => environment.runSolution(),
      runWrongAttempt: () => environment.runWrongAttempt(),
    },
  };
}

/**
 * Run the agent: returns its submission (null when it submitted nothing or the phase ended early). A limit
 * or an error is recorded on `outcome`; a cancel throws {@link CellCancelledError}. Events the agent emits
 * after the phase ended (a call finishing in the background after a limit) are dropped.
 */
export async function runAgent(
  cell: GridCell,
  environment: TaskEnvironment,
  deps: AgentPhaseDeps,
  outcome: CellOutcome,
): Promise<string | null> {
  const runContext = modelRunContext(cell, environment);
  const agentAbort = new AbortController();
  const onCancel = () => agentAbort.abort(new CellCancelledError());
  deps.cancel.addEventListener("abort", onCancel, { once: true });
  if (deps.cancel.aborted) onCancel(); // cancelled while the environment was starting
  const timer = deps.limits.timeS === null ? undefined : setTimeout(
    () => agentAbort.abort(new LimitExceededError("time", `${deps.limits.timeS} s of wall time`)),
    deps.limits.timeS * 1000,
  );
  let agentPhaseOver = false;
  const agentEmit: typeof outcome.emit = (e) => {
    if (!agentPhaseOver) outcome.emit(e);
  };
  const agentStart = performance.now();
  outcome.tracker = new LimitTracker(deps.limits); // the time limit counts the agent loop only, not setup
  try {
    const model = bindToRun(await deps.resolveModel(cell.model), runContext);
    const ctx = createAgentContext({
      taskId: cell.task.id,
      instructions: environment.instructions,
      model,
      getModel: async (name) => bindToRun(await deps.resolveModel(name), runContext),
      sandbox: environment.sandbox,
      tracker: outcome.tracker,
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
    return (await Promise.race([running, aborted])).submission;
  } catch (e) {
    if (e instanceof CellCancelledError || deps.cancel.aborted) throw new CellCancelledError();
    if (e instanceof LimitExceededError) {
      outcome.reachLimit(e.kind);
      outcome.emit({ type: "note", message: e.message, data: { limit: e.kind } });
    } else {
      outcome.fail(e, "agent");
    }
    return null;
  } finally {
    agentPhaseOver = true;
    clearTimeout(timer);
    deps.cancel.removeEventListener("abort", onCancel);
    outcome.agentS = (performance.now() - agentStart) / 1000;
  }
}

/** The limit kinds that come from the sandbox (not from the run's budgets). */
const SANDBOX_LIMITS: ReadonlySet<string> = new Set(SandboxLimitKind.options);

/** The sandbox limit the sandbox has hit (the most explanatory one), or null; a failed read counts as none. */
export async function sandboxLimitHit(sandbox: Sandbox): Promise<SandboxLimitKind | null> {
  try {
    return primaryLimit(await sandbox.limitsHit()) ?? null;
  } catch {
    return null;
  }
}

/**
 * After the agent phase: a sandbox limit hit at any time during it (by a background process too) ends the
 * run with that limit, also when it is what made the agent phase fail. After a process limit the agent's
 * processes are killed so scoring can fork.
 */
export async function settleSandboxLimit(sandbox: Sandbox, outcome: CellOutcome): Promise<void> {
  const sandboxLimit = SANDBOX_LIMITS.has(outcome.limit ?? "")
    ? outcome.limit as SandboxLimitKind // the agent phase just ended on it: already read
    : await sandboxLimitHit(sandbox);
  if (sandboxLimit && outcome.limit !== sandboxLimit) {
    const explained = outcome.status === "error"
      ? ` (it explains the agent-phase error: ${outcome.error})`
      : "";
    outcome.emit({
      type: "note",
      message: `${sandboxLimit} limit reached in the sandbox${explained}`,
      data: { limit: sandboxLimit },
    });
    outcome.reachLimit(sandboxLimit);
  }
  // After a fork bomb the agent's processes still hold the process limit: stop them so scoring can fork.
  if (outcome.limit === "processes" && !(await killAgentProcesses(sandbox))) {
    outcome.emit({ type: "note", message: "some agent processes survived the kill before scoring" });
  }
}
