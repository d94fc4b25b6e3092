/**
 * `deno task tasks [--json] [--dir tasks] [--tasks <glob>] [--task-meta <file>]` — list the suite's tasks and
 * their metadata. Unknown metadata (METR-format families without it) shows plainly: `?` minutes, source,
 * bucket, domain and quality `unknown` (`null` minutes and summary in JSON). Load problems are printed to
 * stderr (family, task, field, reason) and make the exit code 1; the valid tasks are listed all the same.
 * Warnings (METR fields that map to nothing, task-times rows naming no task) go to stderr too.
 * @module
 */
import { parseArgs } from "node:util";
import { DEFAULT_TASKS_DIR, loadSuite, selectTasks } from "../task/loader.ts";
import { taskSummaryRow } from "../task/summary.ts";
import { formatTable } from "../util/table.ts";
import { CliExit, readTaskMetaOption, withExitCode } from "./args.ts";
import { taskEvidence } from "./baselines.ts";
import { baselineTimes } from "../baseline/times.ts";

const USAGE =
  "usage: deno task tasks [--json] [--dir <tasks dir>] [--tasks <glob,...>] [--task-meta <file>]\n" +
  "       [--task-times baseline|estimate] [--baselines <log file|dir>]   (default baseline: docs/baselines.md)";

/**
 * Run `deno task tasks` with `args`; returns the exit code: 0 listed, 1 some families failed to load (the
 * valid tasks are listed all the same), 2 a usage error.
 */
export function main(args: string[]): Promise<number> {
  return withExitCode(() => listTasks(args));
}

async function listTasks(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        json: { type: "boolean", default: false },
        dir: { type: "string", default: DEFAULT_TASKS_DIR },
        tasks: { type: "string" },
        "task-meta": { type: "string" },
        "task-times": { type: "string", default: "baseline" },
        baselines: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const taskMeta = await readTaskMetaOption(values["task-meta"]);
  if (taskMeta.errors) {
    for (const line of taskMeta.errors) console.error(`error: ${line}`);
    return 2;
  }
  // Baseline-derived minutes where a task has a successful baseline (docs/baselines.md), unless told not to.
  let metaTable = taskMeta.table;
  if (values["task-times"] !== "baseline" && values["task-times"] !== "estimate") {
    console.error(
      `error: --task-times must be baseline or estimate, got "${values["task-times"]}"\n${USAGE}`,
    );
    return 2;
  }
  if (values["task-times"] === "baseline") {
    const times = await baselineTimes(values.baselines, metaTable);
    if (times.error) {
      console.error(`error: ${times.error}`);
      return 2;
    }
    metaTable = times.table;
    if (times.note) console.error(times.note);
  }
  const suite = await loadSuite(values.dir, { taskMeta: metaTable }).catch((e: Error) => {
    throw new CliExit(2, `error: --dir: ${e.message}`);
  });
  const rows = selectTasks(suite.tasks, values.tasks).map(taskSummaryRow);
  if (rows.length === 0 && values.tasks !== undefined && suite.errors.length === 0) {
    console.error(`error: --tasks: no task matches ${values.tasks} in ${suite.dir}`);
    return 2;
  }
  // Quality from evidence (QA in both sandboxes, a successful baseline): docs/baselines.md.
  const evidence = await taskEvidence(new Map(rows.map((r) => [r.id, r.quality])), values.baselines);
  const raised = rows.filter((r) => evidence.get(r.id)?.date).length;
  if (values.json) {
    console.log(
      JSON.stringify(rows.map((r) => ({ ...r, qualityEvidence: evidence.get(r.id) ?? null })), null, 2),
    );
  } else {
    console.log(formatTable(rows.map((r) => ({
      id: r.id,
      domain: r.domain,
      minutes: r.humanMinutes ?? "?",
      source: r.humanSource,
      bucket: r.bucket,
      quality: evidence.get(r.id)?.level ?? r.quality,
      // The score at or above which a run counts as a success (the task's own, else the default).
      "success ≥": String(r.successThreshold),
    }))));
    const unknown = rows.filter((r) => r.humanMinutes === null).length;
    console.log(
      `${rows.length} tasks in ${new Set(rows.map((r) => r.family)).size} families` +
        (unknown ? ` (${unknown} without human minutes: give them with --task-meta <file>)` : ""),
    );
    if (raised) console.log(`quality from evidence for ${raised} tasks (date and evidence: --json)`);
  }
  for (const warning of suite.warnings) console.error(`warning: ${warning.message}`);
  for (const error of suite.errors) console.error(`error: ${error.message}`);
  return suite.errors.length ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
