/**
 * A finished baseline as a run of the event log, in the same vocabulary as agent runs: an `eval_start`
 * header of its own, then `cell_start`, the person's commands and what the terminal showed (`action` /
 * `observation`, tool `shell`), notes (`note`), the `score` and `cell_end`. The run is agent `human`:
 * model `human`, variant and scaffold `human`, the baseliner's pseudonym in `args.baseliner` (which the runs
 * table shows as the run's `alias`). `cell_end.agent_s` is the working time (wall time minus pauses, see
 * {@link replayJournal}); `duration_s` the wall time from the first to the last journal line.
 *
 * @module
 */
import type { LogEvent } from "../run/events.ts";
import { LOG_FORMAT_VERSION } from "../run/events.ts";
import type { BaselineState, JournalEntry } from "./journal.ts";

/** The model, variant and scaffold name of every human run. */
export const HUMAN = "human";

/** Version written in the baseline runs' headers. */
export const BASELINE_TOOLKIT_VERSION = "0.1.0";

/** The log events of a finished baseline (submitted or abandoned), from its journal. */
export function baselineRunEvents(state: BaselineState, entries: readonly JournalEntry[]): LogEvent[] {
  const b = state.begin;
  const evalId = `baseline-${b.baseline_id}`;
  const cell = b.baseline_id;
  const runId = b.baseline_id;
  const base = { cell, run_id: runId };
  const end = state.submit?.t ?? state.lastAt;
  const events: LogEvent[] = [
    {
      type: "eval_start",
      t: b.t,
      eval_id: evalId,
      format_version: LOG_FORMAT_VERSION,
      toolkit_version: BASELINE_TOOLKIT_VERSION,
      tasks: [b.task_id],
      variants: [{ name: HUMAN, scaffold: HUMAN, args: {}, hash: HUMAN }],
      models: [HUMAN],
      epochs: 1,
      sandbox: b.sandbox,
      seed: 0,
      limits: { tokens: null, actions: null, timeS: null, costUsd: null },
      resumed: false,
    },
    {
      type: "cell_start",
      t: b.t,
      ...base,
      eval_id: evalId,
      task_id: b.task_id,
      task_family: b.task_family,
      human_minutes: b.human_minutes,
      human_source: b.human_source,
      success_threshold: b.success_threshold ?? null,
      variant: HUMAN,
      variant_hash: HUMAN,
      scaffold: HUMAN,
      args: { baseliner: b.baseliner, baseline_id: b.baseline_id, sessions: state.sessions },
      model: HUMAN,
      epoch: 0,
      seed: 0,
      attempt: 1,
    },
  ];
  let actions = 0;
  for (const e of entries) {
    if (e.kind === "action") {
      actions++;
      events.push({
        type: "action",
        t: e.t,
        ...base,
        index: e.index,
        tool: "shell",
        args: { command: e.command, exact: e.exact },
      });
    } else if (e.kind === "observation") {
      events.push({
        type: "observation",
        t: e.t,
        ...base,
        index: e.index,
        tool: "shell",
        output: e.output,
        is_error: false,
        duration_ms: 0,
      });
    } else if (e.kind === "note") {
      events.push({ type: "note", t: e.t, ...base, message: e.text, data: { from: "baseliner" } });
    } else if (e.kind === "pause" || e.kind === "resume" || e.kind === "session" || e.kind === "env") {
      events.push({
        type: "note",
        t: e.t,
        ...base,
        message: e.kind === "session"
          ? (e.resumed ? "baseline resumed" : "baseline started")
          : e.kind === "env"
          ? `environment ${e.env_id}${e.replaces ? ` (replaces ${e.replaces}, which had died)` : ""}`
          : e.kind,
        data: { from: "baseline", kind: e.kind },
      });
    }
  }
  const score = state.submit?.score ?? (state.abandoned ? 0 : null);
  events.push({
    type: "score",
    t: end,
    ...base,
    score,
    submission: (state.submit?.submission ?? "").slice(0, 4000),
    submitted: state.submit !== null,
    duration_ms: 0,
  });
  events.push({
    type: "cell_end",
    t: end,
    ...base,
    status: "ok",
    limit: null,
    error: null,
    error_source: null,
    score,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
    actions,
    model_calls: 0,
    duration_s: Math.max(0, (end - state.startedAt) / 1000),
    agent_s: state.workingMs / 1000,
    started_at: state.startedAt,
    completed_at: end,
  });
  return events;
}
