/**
 * Typed failures of the engine pool. An {@link EngineDownError} or {@link NoEngineError} is an
 * **infrastructure** error: the run did not fail because of the task, the agent or the model but because the
 * machine under it went away, so the runner records it with error source `infra` and reschedules the cell on
 * another engine. A {@link SandboxPlacementError} is a configuration problem (no engine could ever hold the
 * task) and is not retried.
 *
 * @module
 */

/** Marks an error as an infrastructure failure (see {@link isInfrastructureError}). */
export interface InfrastructureFailure {
  readonly infrastructure: true;
}

/** An engine stopped answering while a sandbox was on it, or while one was being started there. */
export class EngineDownError extends Error implements InfrastructureFailure {
  /** Always true: this is an infrastructure failure. */
  readonly infrastructure = true as const;
  /** An error naming the `engine` and why it is considered down (`reason`). */
  constructor(readonly engine: string, readonly reason: string) {
    super(`engine ${engine} stopped answering (${reason}); the run's results are discarded`);
    this.name = "EngineDownError";
  }
}

/** No engine that could hold the sandbox was up within the pool's wait. */
export class NoEngineError extends Error implements InfrastructureFailure {
  /** Always true: this is an infrastructure failure. */
  readonly infrastructure = true as const;
  /** An error naming the sandbox's `label` and what the engines were doing (`detail`). */
  constructor(readonly label: string, detail: string) {
    super(`no engine could take the sandbox for ${label}: ${detail}`);
    this.name = "NoEngineError";
  }
}

/** No engine of the pool can ever hold the sandbox (its resources exceed every engine's, or labels). */
export class SandboxPlacementError extends Error {
  /** An error naming the sandbox's `label` and why each engine refuses it (`detail`). */
  constructor(readonly label: string, detail: string) {
    super(`no engine of the pool can hold the sandbox for ${label}: ${detail}`);
    this.name = "SandboxPlacementError";
  }
}

/**
 * True for errors that say the infrastructure failed (an engine lost), not the task, agent or model: the
 * error itself or one of its causes (a task hook that failed because its sandbox's engine went away).
 */
export function isInfrastructureError(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 8; depth++) {
    if ((e as { infrastructure?: unknown }).infrastructure === true) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
