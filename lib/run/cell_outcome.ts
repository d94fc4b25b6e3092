/**
 * The outcome of one cell attempt as its steps (lib/run/cell.ts, agent_phase.ts, score_phase.ts) build it:
 * status, limit, error and its source, score, agent seconds and the usage tracker, plus how errors are
 * classified and shown.
 *
 * @module
 */
import type { ErrorSource, LimitKind } from "../core/run_outcome.ts";
import type { CellStatus, LogEvent, RunLimits } from "./events.ts";
import type { DistributiveOmit } from "./agent_context.ts";
import { LimitTracker } from "./limits.ts";
import { isInfrastructureError } from "../sandbox/pool/errors.ts";

/** Writes one event of the cell's run (the cell id, run id and time are added). */
export type CellEmit = (event: DistributiveOmit<LogEvent, "t" | "cell" | "run_id">) => void;

/** The phase an error happened in. */
export type CellPhase = "setup" | "agent" | "score";

/** Where an error came from. */
export function classifyError(error: unknown, phase: CellPhase): ErrorSource {
  const name = error instanceof Error ? error.name : "";
  // An engine of the pool lost mid-run (lib/sandbox/pool/): not the task's, agent's or model's fault.
  if (isInfrastructureError(error)) return "infra";
  if (name === "ModelError" || name === "ModelConfigError") return "model";
  if (name === "TaskHookError" || name === "TaskLoadError" || name === "ImageBuildError") return "task";
  if (name.startsWith("Sandbox")) return "server";
  if (phase === "setup") return "server";
  if (phase === "score") return "task";
  return "agent";
}

/** An error as one log line (name and message, at most 2000 characters). */
export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 2000);
  return String(error).slice(0, 2000);
}

/** Thrown out of `runCell` when the run was cancelled; the cell is left without a `cell_end`. */
export class CellCancelledError extends Error {
  constructor() {
    super("cell cancelled");
    this.name = "CellCancelledError";
  }
}

/** The mutable outcome of one attempt; every step reads and updates it. */
export class CellOutcome {
  /** `ok` until a limit or an error ends the run. */
  status: CellStatus = "ok";
  /** The limit that ended the run, if any. */
  limit: LimitKind | null = null;
  /** The error that ended the run (one line), if any. */
  error: string | null = null;
  /** Where that error came from. */
  errorSource: ErrorSource | null = null;
  /** The task's score of the submission (null: not scored, or manual scoring). */
  score: number | null = null;
  /** Wall seconds of the agent phase. */
  agentS = 0;
  /** Usage and budget checks; replaced when the agent phase starts (its time limit excludes setup). */
  tracker: LimitTracker;

  constructor(readonly emit: CellEmit, readonly limits: RunLimits) {
    this.tracker = new LimitTracker(limits);
  }

  /** End with an error from `phase`. */
  fail(error: unknown, phase: CellPhase): void {
    this.status = "error";
    this.error = errorText(error);
    this.errorSource = classifyError(error, phase);
  }

  /** End on a limit (replacing an earlier error, which the limit explains). */
  reachLimit(kind: LimitKind): void {
    this.status = "limit";
    this.limit = kind;
    this.error = null;
    this.errorSource = null;
  }
}
