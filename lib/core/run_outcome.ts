/**
 * How a run ended, in the words every room shares: where a fatal error came from and which limit stopped
 * it. The runner writes these, agents and sandboxes report them, tables and analyses read them; they live
 * here, below all of those, so none of them has to import another's module for a name.
 *
 * @module
 */
import { z } from "../deps/zod.ts";

/** Where a fatal error came from (Vivaria's typed sources), or null for a clean run. */
export const ErrorSource = z.enum([
  "agent",
  "task",
  "infra",
  "model",
  "usageLimits",
  "server",
  "serverOrTask",
  "user",
]);
/** Where a fatal error came from. */
export type ErrorSource = z.infer<typeof ErrorSource>;

/**
 * Which limit ended a run: one of the run's budgets (`tokens`, `actions`, `time`, `cost`) or a resource limit
 * of its sandbox (`memory`: the OOM killer ran; `disk`: a writable filesystem filled up; `processes`: a fork
 * failed at the process limit).
 */
export const LimitKind = z.enum(["tokens", "actions", "time", "cost", "memory", "disk", "processes"]);
/** Which limit ended a run. */
export type LimitKind = z.infer<typeof LimitKind>;

/**
 * The score at or above which a run counts as a success where runs are binarized (`score_binarized`,
 * success rates, time horizons), for a task that declares no threshold of its own
 * (`TaskMetadata.successThreshold`) and for logs written before tasks could.
 */
export const DEFAULT_SUCCESS_THRESHOLD = 0.5;

/**
 * The threshold a logged run's score is judged by: `override` (one threshold for every task) when given,
 * else the one its `cell_start` recorded (the task's own), else `fallback` (the task's threshold from
 * elsewhere, for logs written before thresholds were recorded), else {@link DEFAULT_SUCCESS_THRESHOLD}.
 */
export function runSuccessThreshold(
  override: number | undefined,
  recorded: number | null | undefined,
  fallback?: number,
): number {
  return override ?? recorded ?? fallback ?? DEFAULT_SUCCESS_THRESHOLD;
}
