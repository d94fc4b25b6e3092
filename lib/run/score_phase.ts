/**
 * The scoring step of a cell: score whatever was submitted (the agent's `submit`, else `~/submission.txt`,
 * the METR workbench convention), also after a budget limit, and log the score. Scoring that fails in a
 * sandbox the agent left over a limit (a full disk, …) ends the run with that limit.
 *
 * @module
 */
import { readSubmissionFile, scoreOutOfRange, type TaskEnvironment } from "../task/environment.ts";
import { sandboxLimitHit } from "./agent_phase.ts";
import { CellCancelledError, type CellOutcome, errorText } from "./cell_outcome.ts";

/**
 * Score `submission` (null: the agent submitted nothing) in `environment`, recording the score, a limit or
 * an error on `outcome`. A cancel during scoring throws {@link CellCancelledError} (the cell is rerun).
 */
export async function scoreSubmission(
  environment: TaskEnvironment,
  agentSubmission: string | null,
  outcome: CellOutcome,
  cancel: AbortSignal,
): Promise<void> {
  const submitted = agentSubmission !== null;
  // METR workbench convention: an agent may leave its answer in ~/submission.txt.
  const submission = agentSubmission ?? await readSubmissionFile(environment.sandbox).catch(() => null);
  const scoreStart = performance.now();
  try {
    const score = await environment.score(submission ?? "");
    outcome.score = score;
    if (scoreOutOfRange(score)) {
      outcome.emit({
        type: "note",
        message: `score ${score} is outside [0, 1]; kept as the task returned it (METR families may do this)`,
        data: { flag: "score_out_of_range" },
      });
    }
    outcome.emit({
      type: "score",
      score,
      submission: (submission ?? "").slice(0, 4000),
      submitted,
      duration_ms: Math.round(performance.now() - scoreStart),
    });
  } catch (e) {
    if (cancel.aborted) throw new CellCancelledError(); // interrupted while scoring: rerun
    const kind = await sandboxLimitHit(environment.sandbox);
    if (kind) {
      outcome.reachLimit(kind);
      outcome.emit({
        type: "note",
        message: `scoring failed after the ${kind} limit was reached: ${errorText(e)}`,
        data: { limit: kind },
      });
    } else {
      outcome.fail(e, "score");
    }
  }
}
