/**
 * `deno task runs --log <dir> [--format csv|json|jsonl]` — print the runs of a log directory (one row per
 * cell, METR runs.jsonl-compatible columns). Unreadable log lines are reported on stderr and skipped.
 * `--metr <file>` reads METR's runs.jsonl instead, and `--out <file>` writes to a file.
 * @module
 */
import { parseArgs } from "node:util";
import { runs } from "../frame/tables.ts";
import { renderTable, TableFormat } from "../frame/export.ts";
import { readMetrRuns } from "../frame/metr.ts";
import { formatIssue } from "../run/log_reader.ts";

const USAGE = `usage: deno task runs --log <dir|file> [--format csv|json|jsonl] [--out <file>]
       deno task runs --metr <runs.jsonl> [--format csv|json|jsonl] [--out <file>]

  --success-threshold X   score at or above which score_binarized is 1 (default 0.5)`;

if (import.meta.main) {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      options: {
        log: { type: "string" },
        metr: { type: "string" },
        format: { type: "string", default: "csv" },
        out: { type: "string" },
        "success-threshold": { type: "string", default: "0.5" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
    Deno.exit(2);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const format = TableFormat.safeParse(v.format);
  if (!format.success) {
    console.error(`error: --format must be csv, json or jsonl, got "${v.format}"`);
    Deno.exit(2);
  }
  const threshold = Number(v["success-threshold"]);
  if (!(threshold >= 0 && threshold <= 1)) {
    console.error(`error: --success-threshold must be in [0,1], got "${v["success-threshold"]}"`);
    Deno.exit(2);
  }
  if ((v.log === undefined) === (v.metr === undefined)) {
    console.error(`error: give exactly one of --log or --metr\n\n${USAGE}`);
    Deno.exit(2);
  }
  let text: string;
  try {
    if (v.log !== undefined) {
      const { table, issues } = await runs(v.log, { successThreshold: threshold });
      for (const issue of issues) console.error(`warning: skipped ${formatIssue(issue)}`);
      text = renderTable(table, format.data);
    } else {
      const metr = await readMetrRuns(v.metr!);
      for (const e of metr.errors) console.error(`warning: skipped ${v.metr}:${e.line}: ${e.message}`);
      text = renderTable(metr.table, format.data);
    }
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
  if (v.out) await Deno.writeTextFile(v.out, text);
  else await Deno.stdout.write(new TextEncoder().encode(text));
}
