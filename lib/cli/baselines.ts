/**
 * `deno task baselines [--log <file|dir>] [--metr <runs.jsonl>] [--json] [--write-task-meta <file>]` — per
 * task, the human attempts (this toolkit's baselines, `deno task workbench baseline`, and METR's own human
 * runs, alias `human` in their runs file): attempts, successes, METR's time estimate (the geometric mean of
 * the successful attempts' working minutes), its spread (min–max and geometric SD) and the author's estimate
 * beside it. `--write-task-meta` writes the baseline minutes of the tasks with a success as a task-times
 * table (source `baseline`) for `--task-meta` of `deno task tasks`, `runs`, `horizons` … See docs/baselines.md.
 * @module
 */
import { parseArgs } from "node:util";
import { readLogs } from "../run/log_reader.ts";
import type { LogEvent } from "../run/events.ts";
import { readMetrRuns } from "../frame/metr.ts";
import { DEFAULT_TASKS_DIR, loadSuite } from "../task/loader.ts";
import {
  baselineTaskMetaCsv,
  type HumanAttempt,
  humanAttemptsFromEvents,
  humanAttemptsFromMetr,
  summarizeBaselines,
} from "../baseline/summary.ts";
import { formatTable } from "../util/table.ts";
import { CliExit, withExitCode } from "./args.ts";
import { baselineDir } from "../baseline/times.ts";
import { type EvidenceLevel, evidenceLevels, readQaEvidence } from "../baseline/quality.ts";
import { join, PROJECT_ROOT } from "../util/path.ts";

const USAGE =
  `usage: deno task baselines [--log <file|dir>] [--metr <runs.jsonl>] [--json] [--write-task-meta <file>]
  --log <file|dir>          event log(s) holding baseline runs (default: runs/baselines/, or $EVALKIT_BASELINE_DIR)
  --metr <runs.jsonl>       also read METR's human runs (alias human) from their runs file
  --dir <tasks dir>         the suite whose author estimates are shown (default: the bundled tasks/)
  --success-threshold X     a score at or above X is a success (default: each task's own threshold, else 0.5;
                            METR rows use score_binarized)
  --json                    JSON rows instead of a table
  --write-task-meta <file>  write baseline minutes (tasks with a success) as a task-times CSV, source baseline`;

/** Runs `deno task baselines`; returns the exit code (0 done, 2 a usage or input error). */
export function main(argv: string[]): Promise<number> {
  return withExitCode(() => baselines(argv));
}

function fail(message: string): never {
  throw new CliExit(2, `error: ${message}`);
}

const fmt = (v: number | null, digits = 1) => (v === null ? "-" : v.toFixed(digits));

async function baselines(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        log: { type: "string" },
        metr: { type: "string" },
        dir: { type: "string", default: DEFAULT_TASKS_DIR },
        "success-threshold": { type: "string" },
        json: { type: "boolean", default: false },
        "write-task-meta": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message.split("\n")[0]}\n${USAGE}`);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const threshold = values["success-threshold"] === undefined
    ? undefined
    : Number(values["success-threshold"]);
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) {
    fail("--success-threshold must be in (0, 1]");
  }
  // Each task's own threshold, for logs that did not record it (the suite also gives the estimates below).
  const suite = await loadSuite(values.dir).catch(() => undefined);
  const ownThreshold = new Map(
    (suite?.tasks ?? []).flatMap((t) =>
      t.manifest.successThreshold === undefined ? [] : [[t.id, t.manifest.successThreshold] as const]
    ),
  );
  const attempts: HumanAttempt[] = [];
  const logPath = values.log ?? baselineDir();
  const logGiven = values.log !== undefined;
  const events: LogEvent[] = [];
  try {
    const { issues } = await readLogs(logPath, {
      types: ["cell_start", "cell_end"],
      onEvent: (e) => events.push(e),
    });
    for (const issue of issues) console.error(`warning: ${issue.file}:${issue.line}: ${issue.reason}`);
  } catch (error) {
    if (logGiven) fail(`--log: ${(error as Error).message}`);
  }
  attempts.push(...humanAttemptsFromEvents(events, threshold, (id) => ownThreshold.get(id)));
  let metrRows: Record<string, unknown>[] = [];
  if (values.metr !== undefined) {
    const metr = await readMetrRuns(values.metr).catch((e: Error) => fail(`--metr: ${e.message}`));
    metrRows = metr.rows as unknown as Record<string, unknown>[];
    attempts.push(...humanAttemptsFromMetr(metrRows, threshold));
  }
  const estimates = new Map<string, { minutes: number | null; source: string | null }>();
  for (const row of metrRows) {
    // METR's own figure for their tasks (from their file), unless the suite has the task.
    const minutes = typeof row.human_minutes === "number" ? row.human_minutes : null;
    estimates.set(String(row.task_id), { minutes, source: `metr:${row.human_source ?? "?"}` });
  }
  for (const task of suite?.tasks ?? []) {
    estimates.set(task.id, {
      minutes: task.manifest.humanMinutes ?? null,
      source: task.manifest.humanSource ?? null,
    });
  }
  const rows = summarizeBaselines(attempts, estimates);
  if (values["write-task-meta"] !== undefined) {
    await Deno.writeTextFile(values["write-task-meta"], baselineTaskMetaCsv(rows));
    console.error(
      `wrote ${rows.filter((r) => r.baseline_minutes !== null).length} task times to ${
        values["write-task-meta"]
      }`,
    );
  }
  if (values.json) {
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    console.log(`no human attempts in ${logPath}${values.metr ? ` or ${values.metr}` : ""}`);
    return 0;
  }
  console.log(formatTable(rows.map((r) => ({
    task: r.task_id,
    attempts: r.attempts,
    successes: r.successes,
    baseline_min: fmt(r.baseline_minutes),
    "min–max": r.min_minutes === null ? "-" : `${fmt(r.min_minutes)}–${fmt(r.max_minutes)}`,
    geo_sd: fmt(r.geo_sd, 2),
    estimate_min: r.estimate_minutes ?? "-",
    source: r.estimate_source ?? "-",
    ratio: fmt(r.ratio, 2),
  }))));
  console.log(
    `${rows.length} tasks, ${attempts.length} attempts; baseline_min = geometric mean of the successful attempts' ` +
      "working minutes (breaks excluded)",
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

/** The QA evidence ledger of quality levels: `$EVALKIT_QUALITY_FILE` or `runs/quality.jsonl`. */
export function qualityFile(): string {
  return Deno.env.get("EVALKIT_QUALITY_FILE") ?? join(PROJECT_ROOT, "runs", "quality.jsonl");
}

/**
 * Each task's quality level from evidence (lib/baseline/quality.ts): `declared` maps task ids to their
 * declared quality; baselines are read from `logPath` (default the baseline directory; absent is fine).
 */
export async function taskEvidence(
  declared: ReadonlyMap<string, string>,
  logPath?: string,
): Promise<Map<string, EvidenceLevel>> {
  const events: LogEvent[] = [];
  await readLogs(logPath ?? baselineDir(), {
    types: ["cell_start", "cell_end"],
    onEvent: (e) => events.push(e),
  })
    .catch(() => {});
  return evidenceLevels(declared, await readQaEvidence(qualityFile()), humanAttemptsFromEvents(events));
}
