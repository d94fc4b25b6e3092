/**
 * `deno task runs --log <dir> [--format csv|json|jsonl]` — print the runs of a log directory (one row per
 * cell, METR runs.jsonl-compatible columns). Unreadable log lines are reported on stderr and skipped.
 * `--metr <file>` reads METR's runs.jsonl instead, `--inspect <file|dir>` Inspect logs (docs/inspect.md),
 * and `--out <file>` writes to a file. `--task-meta <file>` sets `human_minutes`/`human_source` of the runs
 * of the tasks a task-times table names (tasks without minutes otherwise have `human_minutes` null).
 * @module
 */
import { parseArgs } from "node:util";
import type { ColumnTable } from "../deps/arquero.ts";
import { runs } from "../frame/tables.ts";
import { simulatedDataWarning } from "../frame/sources.ts";
import { renderTable, TableFormat } from "../frame/export.ts";
import { readMetrRuns } from "../frame/metr.ts";
import { formatIssue } from "../run/log_reader.ts";
import { applyTaskMetaToRuns } from "../frame/minutes.ts";
import { readInspectRuns } from "../frame/inspect/mod.ts";
import {
  inspectImportOptions,
  inspectOnlyProblem,
  isEventLogFile,
  joinNegativeValues,
  readTaskMetaOption,
  unscoredProblem,
} from "./args.ts";

const USAGE = `usage: deno task runs --log <dir|file> [--format csv|json|jsonl] [--out <file>]
       deno task runs --metr <runs.jsonl> [--format csv|json|jsonl] [--out <file>]
       deno task runs --inspect <file|dir> [--scorer S] [--score-key K] [--minutes-key K] [--format …] [--out …]

  --inspect <file|dir>    Inspect logs (.eval/.json, a folder searched recursively; docs/inspect.md)
  --scorer S              (--inspect) the scorer whose score is the run's score (default: the first)
  --score-key K           (--inspect) the key of a dict-valued score
  --minutes-key K         (--inspect) the sample-metadata key holding human minutes

  --success-threshold X   score at or above which score_binarized is 1, for every task (default: each
                          task's own threshold from its metadata, else 0.5)
  --task-meta <file>      task-times table (CSV or JSON; docs/task-standard.md): sets human_minutes and
                          human_source of the runs of the tasks it names (null: a task without minutes)`;

/**
 * Run `deno task runs` with `args`; returns the exit code: 0 printed (or written to --out), 1 unreadable
 * input or an unwritable --out, 2 a usage error.
 */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args, ["success-threshold"]),
      options: {
        log: { type: "string" },
        metr: { type: "string" },
        inspect: { type: "string" },
        scorer: { type: "string" },
        "score-key": { type: "string" },
        "minutes-key": { type: "string" },
        format: { type: "string", default: "csv" },
        out: { type: "string" },
        "success-threshold": { type: "string" },
        "task-meta": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const format = TableFormat.safeParse(v.format);
  if (!format.success) {
    console.error(`error: --format must be csv, json or jsonl, got "${v.format}"`);
    return 2;
  }
  const threshold = v["success-threshold"] === undefined ? undefined : Number(v["success-threshold"]);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) {
    console.error(`error: --success-threshold must be in [0,1], got "${v["success-threshold"]}"`);
    return 2;
  }
  if ([v.log, v.metr, v.inspect].filter((x) => x !== undefined).length !== 1) {
    console.error(`error: give exactly one of --log, --metr or --inspect\n\n${USAGE}`);
    return 2;
  }
  const inspectOnly = v.inspect === undefined
    ? inspectOnlyProblem(v, v.log !== undefined ? `--log ${v.log}` : `--metr ${v.metr}`, "not Inspect logs")
    : null;
  if (inspectOnly) {
    console.error(`error: ${inspectOnly}`);
    return 2;
  }
  const taskMeta = await readTaskMetaOption(v["task-meta"]);
  if (taskMeta.errors) {
    for (const line of taskMeta.errors) console.error(`error: ${line}`);
    return 2;
  }
  const withTaskMeta = (table: ColumnTable): ColumnTable => {
    if (!taskMeta.table) return table;
    const applied = applyTaskMetaToRuns(table, taskMeta.table);
    console.error(`--task-meta gave human minutes to ${applied.runs} runs of ${applied.tasks} tasks`);
    return applied.table;
  };
  let text: string;
  try {
    if (v.inspect !== undefined) {
      const imported = await readInspectRuns(v.inspect, {
        ...(threshold !== undefined ? { successThreshold: threshold } : {}),
        ...inspectImportOptions(v),
      });
      for (const note of imported.notes) console.error(`note: ${note}`);
      if (imported.files === 0) throw new Error(`--inspect ${v.inspect}: no Inspect log in it`);
      const unscored = unscoredProblem(v, imported.table.array("score") as unknown[]);
      if (unscored) throw new Error(unscored);
      console.error(`read ${imported.samples} samples from ${imported.files} Inspect log file(s)`);
      text = renderTable(withTaskMeta(imported.table), format.data);
    } else if (v.log !== undefined) {
      const { table, issues, files } = await runs(
        v.log,
        threshold === undefined ? {} : { successThreshold: threshold },
      );
      if (files.length === 0) {
        throw new Error(`--log ${v.log}: no .jsonl log file in it (subdirectories are not searched)`);
      }
      for (const issue of issues.slice(0, 20)) console.error(`warning: skipped ${formatIssue(issue)}`);
      if (issues.length > 20) console.error(`warning: … ${issues.length - 20} more unreadable lines skipped`);
      if (table.numRows() === 0 && issues.length > 0) {
        throw new Error(`--log ${v.log}: no readable run events (${issues.length} unreadable lines)`);
      }
      const simulated = simulatedDataWarning(table);
      if (simulated) console.error(simulated);
      text = renderTable(withTaskMeta(table), format.data);
    } else {
      if (await isEventLogFile(v.metr!)) {
        throw new Error(`--metr ${v.metr} is an event log of deno task eval: read it with --log ${v.metr}`);
      }
      const metr = await readMetrRuns(v.metr!);
      for (const e of metr.errors.slice(0, 20)) {
        console.error(`warning: skipped ${v.metr}:${e.line}: ${e.message}`);
      }
      if (metr.errors.length > 20) {
        console.error(`warning: … ${metr.errors.length - 20} more bad lines skipped`);
      }
      if (metr.table.numRows() === 0 && metr.errors.length > 0) {
        throw new Error(`--metr ${v.metr}: no valid runs (${metr.errors.length} bad lines)`);
      }
      text = renderTable(withTaskMeta(metr.table), format.data);
    }
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
  if (v.out) {
    try {
      await Deno.writeTextFile(v.out, text);
    } catch (e) {
      console.error(`error: --out ${v.out}: ${(e as Error).message}`);
      return 1;
    }
  } else await Deno.stdout.write(new TextEncoder().encode(text));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
