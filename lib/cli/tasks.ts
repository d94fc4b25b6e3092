/**
 * `deno task tasks [--json] [--dir tasks] [--tasks <glob>]` — list the suite's tasks and their metadata.
 * Load problems are printed to stderr (family, task, field, reason) and make the exit code 1; the
 * valid tasks are listed all the same.
 * @module
 */
import { parseArgs } from "node:util";
import { DEFAULT_TASKS_DIR, loadSuite, selectTasks } from "../task/loader.ts";
import { taskSummaryRow } from "../task/summary.ts";
import { formatTable } from "../util/table.ts";

const USAGE = "usage: deno task tasks [--json] [--dir <tasks dir>] [--tasks <glob,...>]";

if (import.meta.main) {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      options: {
        json: { type: "boolean", default: false },
        dir: { type: "string", default: DEFAULT_TASKS_DIR },
        tasks: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const suite = await loadSuite(values.dir).catch((e: Error) => {
    console.error(`error: --dir: ${e.message}`);
    Deno.exit(2);
  });
  const rows = selectTasks(suite.tasks, values.tasks).map(taskSummaryRow);
  if (rows.length === 0 && values.tasks !== undefined && suite.errors.length === 0) {
    console.error(`error: --tasks: no task matches ${values.tasks} in ${suite.dir}`);
    Deno.exit(2);
  }
  if (values.json) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log(formatTable(rows.map((r) => ({
      id: r.id,
      domain: r.domain,
      minutes: r.humanMinutes,
      source: r.humanSource,
      bucket: r.bucket,
      quality: r.quality,
    }))));
    console.log(`${rows.length} tasks in ${new Set(rows.map((r) => r.family)).size} families`);
  }
  for (const error of suite.errors) console.error(`error: ${error.message}`);
  if (suite.errors.length) Deno.exit(1);
}
