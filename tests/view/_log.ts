/**
 * A small event log for the viewer's tests, written with the runner's own `LogWriter` (so every line is a
 * valid log event): 8 tasks (1 to 480 human minutes, 4 families) × variants `basic` and `chat` × 2 epochs on
 * model `openai/test-model`, each run with model calls, tool calls and outputs, a score and an end. Special
 * runs: {@link HOSTILE_RUN} (failed; markup and script in its model reply and tool output), {@link LONG_RUN}
 * (a 5000-character tool output), {@link LIMIT_RUN} (hit its token limit) and {@link ERROR_RUN} (an infra
 * error, no score).
 *
 * @module
 */
import { LogWriter } from "../../lib/run/log_writer.ts";
import type { LogEvent } from "../../lib/run/events.ts";

/** Markup a transcript might hold; the page must show it as text. */
export const HOSTILE_TEXT =
  `</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><b>bold?</b>`;
/** Model of every run. */
export const MODEL = "openai/test-model";
/** A failed run whose transcript holds {@link HOSTILE_TEXT}. */
export const HOSTILE_RUN = "r-t2-basic-0";
/** A run with a 5000-character tool output. */
export const LONG_RUN = "r-t1-chat-1";
/** A run that hit its token limit. */
export const LIMIT_RUN = "r-t6-basic-1";
/** A run that ended in an infra error. */
export const ERROR_RUN = "r-t7-chat-0";
/** Number of runs in the log. */
export const RUNS = 32;

const MINUTES = [1, 4, 15, 30, 60, 120, 240, 480];

/** Whether run (task i, variant, epoch) succeeds: chat a little better, longer tasks harder. */
function succeeds(i: number, variant: string, epoch: number): boolean {
  const p = (variant === "chat" ? 0.15 : 0) + 1 - Math.log(MINUTES[i] + 1) / Math.log(600);
  return ((i * 7 + epoch * 3 + (variant === "chat" ? 1 : 0)) % 10) / 10 < p;
}

/** Writes the log to `file` (a `.jsonl` path). */
export function writeViewLog(file: string): void {
  const w = LogWriter.open(file);
  const write = (e: LogEvent) => w.write(e);
  let t = 1_700_000_000_000;
  write({
    type: "eval_start",
    t,
    eval_id: "ev",
    format_version: 1,
    toolkit_version: "test",
    tasks: MINUTES.map((_, i) => `fam${i % 4}/task${i}`),
    variants: ["basic", "chat"].map((name) => ({ name, scaffold: name, args: {}, hash: name })),
    models: [MODEL],
    epochs: 2,
    sandbox: "local",
    seed: 1,
    limits: { tokens: 100000, actions: null, timeS: 600, costUsd: null },
    resumed: false,
  });
  for (const [i, minutes] of MINUTES.entries()) {
    for (const variant of ["basic", "chat"]) {
      for (const epoch of [0, 1]) {
        const run_id = `r-t${i}-${variant}-${epoch}`;
        const cell = `c-t${i}-${variant}-${epoch}`;
        const base = { cell, run_id };
        const start = (t += 1000);
        write({
          type: "cell_start",
          t,
          ...base,
          eval_id: "ev",
          task_id: `fam${i % 4}/task${i}`,
          task_family: `fam${i % 4}`,
          human_minutes: minutes,
          human_source: "baseline",
          variant,
          variant_hash: variant,
          scaffold: variant,
          args: {},
          model: MODEL,
          epoch,
          seed: 1,
          attempt: 1,
        });
        const hostile = run_id === HOSTILE_RUN;
        const limit = run_id === LIMIT_RUN;
        const error = run_id === ERROR_RUN;
        const ok = succeeds(i, variant, epoch) && !hostile && !limit && !error;
        for (let k = 0; k < 3; k++) {
          write({
            type: "model_call",
            t: t += 200,
            ...base,
            model: MODEL,
            purpose: "action",
            n: 1,
            input_tokens: 400 * (k + 1),
            output_tokens: 90,
            cost_usd: 0.001,
            duration_ms: 150,
            retries: 0,
            content: hostile ? HOSTILE_TEXT : `Step ${k}: let me look at the files.`,
            tool_calls: [{ name: "bash", arguments: { command: `ls -la step${k}` } }],
          });
          write({
            type: "action",
            t: t += 10,
            ...base,
            index: k,
            tool: "bash",
            args: { command: `ls step${k}` },
          });
          const output = run_id === LONG_RUN && k === 1
            ? "x".repeat(4990) + "END-OF-LONG"
            : hostile
            ? HOSTILE_TEXT
            : `file${k}.txt`;
          write({
            type: "observation",
            t: t += 300,
            ...base,
            index: k,
            tool: "bash",
            output,
            is_error: false,
            duration_ms: 300,
          });
        }
        const score = error ? null : ok ? 1 : 0;
        if (!error) {
          write({
            type: "score",
            t: t += 50,
            ...base,
            score,
            submission: ok ? "the answer" : "a wrong answer",
            submitted: true,
            duration_ms: 20,
          });
        }
        write({
          type: "cell_end",
          t: t += 10,
          ...base,
          status: error ? "error" : limit ? "limit" : "ok",
          limit: limit ? "tokens" : null,
          error: error ? "SandboxError: the sandbox died" : null,
          error_source: error ? "infra" : null,
          score,
          input_tokens: 2400,
          output_tokens: 270,
          cost_usd: 0.003,
          actions: 3,
          model_calls: 3,
          duration_s: (t - start) / 1000,
          agent_s: (t - start) / 1000 - 0.1,
          started_at: start,
          completed_at: t,
        });
      }
    }
  }
  w.close();
}
