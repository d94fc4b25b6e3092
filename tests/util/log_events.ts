/**
 * Builders of run-log events for tests that write or read logs by hand: a valid `cell_start` and
 * `cell_end` with fixed, documented values, so a test only names what it is about (cell, run id, status,
 * score) and overrides any other field it needs.
 *
 * @module
 */
import type { CellEndEvent, CellStartEvent, CellStatus } from "../../lib/run/events.ts";

/**
 * A `cell_start` of attempt `run` at `cell`: task `fam/<cell>` (family `fam`, 8 human minutes from a
 * baseline), variant `chat` on model `openai/x`, epoch 0, seed 1, attempt 1, at t = 1.
 */
export function cellStart(cell: string, run: string, fields: Partial<CellStartEvent> = {}): CellStartEvent {
  return {
    type: "cell_start",
    t: 1,
    cell,
    run_id: run,
    eval_id: "e",
    task_id: `fam/${cell}`,
    task_family: "fam",
    human_minutes: 8,
    human_source: "baseline",
    variant: "chat",
    variant_hash: "h",
    scaffold: "chat",
    args: {},
    model: "openai/x",
    epoch: 0,
    seed: 1,
    attempt: 1,
    ...fields,
  };
}

/**
 * The `cell_end` of attempt `run` at `cell`, at t = 2: a `limit` status hit the token limit, an `error`
 * came from the model (`ModelError: x`). Usage: 10 input + 5 output tokens, 0.5 USD, 3 actions, 4 model
 * calls, 9 s (8 s in the agent), started at 100 and completed at 200.
 */
export function cellEnd(
  cell: string,
  run: string,
  status: CellStatus,
  score: number | null,
  fields: Partial<CellEndEvent> = {},
): CellEndEvent {
  return {
    type: "cell_end",
    t: 2,
    cell,
    run_id: run,
    status,
    limit: status === "limit" ? "tokens" : null,
    error: status === "error" ? "ModelError: x" : null,
    error_source: status === "error" ? "model" : null,
    score,
    input_tokens: 10,
    output_tokens: 5,
    cost_usd: 0.5,
    actions: 3,
    model_calls: 4,
    duration_s: 9,
    agent_s: 8,
    started_at: 100,
    completed_at: 200,
    ...fields,
  };
}
