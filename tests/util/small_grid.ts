/**
 * The small eval grid several runner tests drive through the CLI: the fixture tasks × the four scaffolds ×
 * 4 epochs with the offline simulated model, at concurrency 2, progress as lines.
 */
import { FIXTURE_TASKS } from "../agent/harness.ts";

/** The `eval` CLI arguments of the small grid, logging into `logDir`. */
export function smallGridArgs(logDir: string): string[] {
  return [
    "--tasks-dir",
    FIXTURE_TASKS,
    "--variants",
    "basic,chat,allTools,bestOfN",
    "--model",
    "simulated/30",
    "--epochs",
    "4",
    "--concurrency",
    "2",
    "--progress",
    "lines",
    "--log",
    logDir,
  ];
}
