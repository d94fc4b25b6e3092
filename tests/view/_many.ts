/**
 * A synthetic table of many runs for the viewer's scale test and benchmark: `n` rows over 200 tasks, 8
 * agents, 3 epochs, with failures, limits and errors spread through it. No transcripts (rows only).
 *
 * @module
 */
import { type ViewData, viewDataFromRows } from "../../lib/view/data.ts";

const LIMITS = ["tokens", "actions", "time"];

/** Viewer data of `n` synthetic runs (deterministic). */
export function manyRuns(n: number): ViewData {
  const rows: Record<string, unknown>[] = [];
  const failed: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const agent = i % 8;
    const task = Math.floor(i / 8) % 200;
    const score = ((i * 2654435761) % 1000) / 1000;
    rows.push({
      run_id: `run-${i}`,
      task_id: `family${task % 20}/task${task}`,
      alias: `model-${agent % 4} · variant-${agent}`,
      model: `model-${agent % 4}`,
      variant: `variant-${agent}`,
      epoch: Math.floor(i / 1600),
      score,
      human_minutes: 1 + task,
      limit: i % 37 === 0 ? LIMITS[i % 3] : null,
      error: i % 101 === 0 ? `error ${i}` : null,
      duration_s: 10 + (i % 300),
      input_tokens: 1000 + i,
      output_tokens: 100,
    });
    failed.push(score < 0.5);
  }
  return viewDataFromRows(
    "synthetic",
    "log",
    rows,
    failed,
    () => Promise.resolve({ events: [], note: "synthetic run" }),
  );
}
