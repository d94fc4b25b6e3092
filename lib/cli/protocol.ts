/**
 * `deno task protocol --runs <file|log> [--thresholds <file>] [--format json|csv]` — the protocol analysis:
 * bucket-weighted scores, threshold verdicts (with the elicitation gap as a safety margin), the
 * elicitation gap and the checks. `--runs` takes METR's runs.jsonl or this toolkit's event logs (a log
 * file or a directory of them). Thresholds default to `data/thresholds.example.json`.
 *
 * `deno task protocol tags <suggest|review|export|import> …` manages failure tags stored beside the logs.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { z } from "../deps/zod.ts";
import type { ColumnTable } from "../deps/arquero.ts";
import { from } from "../deps/arquero.ts";
import { readMetrRuns } from "../frame/metr.ts";
import { simulatedDataWarning } from "../frame/sources.ts";
import { runs as runsFromLog } from "../frame/tables.ts";
import { formatIssue, readLogs } from "../run/log_reader.ts";
import { eventsByRun, type ReviewEvent } from "../elicitation/events.ts";
import { suggestFailureTags } from "../elicitation/heuristics.ts";
import { FailureCategory } from "../elicitation/categories.ts";
import {
  appendTags,
  confirmTag,
  parseTagsCsv,
  parseTagsJson,
  readTags,
  resolveTags,
  reviewTag,
  tagsFromSuggestions,
  tagsPathFor,
  tagsToCsv,
  tagsToJson,
} from "../elicitation/tags.ts";
import { loadBucketScheme } from "../measure/buckets.ts";
import { loadThresholds } from "../protocol/thresholds.ts";
import { type ProtocolReport, protocolReport } from "../protocol/report.ts";
import { bucketScoresTable } from "../measure/score.ts";
import { toCsv } from "../util/csv.ts";
import { gapVsEffortPoints } from "../elicitation/effort.ts";
import { successAtBudgets } from "../elicitation/budget.ts";
import { bucketProfileFigure, verdictFigure } from "../plot/protocol.ts";
import { budgetCurveFigure, gapVsEffortFigure } from "../plot/elicitation.ts";
import { writeFigure } from "../plot/render.ts";
import { applyTaskMetaToRuns, minutesNote } from "../frame/minutes.ts";
import { hasInspectLogs, readInspectRuns } from "../frame/inspect/mod.ts";
import { baselineTimes, TASK_TIMES } from "../baseline/times.ts";
import {
  CliExit,
  INSPECT_IMPORT_FLAGS,
  inspectImportOptions,
  inspectOnlyProblem,
  joinNegativeValues,
  outputDirProblem,
  readTaskMetaOption,
  unscoredProblem,
} from "./args.ts";

/** The shipped example thresholds. */
export const DEFAULT_THRESHOLDS = new URL("../../data/thresholds.example.json", import.meta.url).pathname;

const USAGE = `Usage: deno task protocol --runs <runs.jsonl | log file | log dir> [options]
       deno task protocol tags <suggest|review|export|import> --runs <path> [options]

Prints the bucket-weighted scores, the threshold verdicts (plain and with the elicitation gap as a
safety margin), the elicitation gap and the protocol checks.

Options:
  --runs <path>            METR runs.jsonl, or this toolkit's event log (file or directory)   (required)
  --scorer <name>          (Inspect logs) the scorer whose score is the run's score (default: the first)
  --score-key <key>        (Inspect logs) the key to read from a dict-valued score
  --minutes-key <key>      (Inspect logs) the sample-metadata key holding human minutes
                           (default: human_minutes)
  --thresholds <file>      thresholds (JSON/YAML; default data/thresholds.example.json)
  --buckets <file>         bucket scheme (JSON/YAML; default METR's names, factor-4 boundaries)
  --format <f>             json (default) | csv (sections: bucket_scores, verdicts, checks)
  --baseline <variant>     baseline of the elicitation gap (default: weakest variant with any success)
  --variants <a,b,…>       candidate variants (default: all others except "human")
  --variant-column <c>     column naming variants (default: variant if present, else alias)
  --margin <m>             auto (default) | gap | none | <horizon factor, e.g. 2>
  --policy <p>             spurious failures: as_failure (default) | exclude | as_success (needs tags)
  --tags <file>            failure tags (default: the store beside --runs, if it exists)
  --qa-failed <file|a,b>   task ids that failed QA (file: one per line, or JSON from deno task qa)
  --score <column>         score (default) | score_binarized
  --bucket-weighting <w>   equal (default) | invsqrt
  --horizon-weighting <w>  invsqrt (default) | equal
  --replicates <n>         bootstrap replicates (default 500)
  --seed <n>               random seed (default 1)
  --confidence <p>         P(crossed) for a firm verdict (default 0.9)
  --out <file>             write there instead of stdout
  --plots <dir>            also write SVG figures: bucket profile, one verdict chart per threshold,
                           gap vs variants tried, success vs budget (tokens or seconds)
  --task-meta <file>       task-times table (CSV or JSON; docs/task-standard.md): sets human_minutes and
                           human_source of the runs of the tasks it names
  --task-times baseline|estimate  baseline (default): tasks with a successful human baseline get its minutes
                           (docs/baselines.md); estimate: the runs' own minutes
  --baselines <file|dir>   the baseline event log(s) (default runs/baselines/)
  --help

Runs of tasks without human minutes are left out of the analysis; one line on stderr (and in the
report's notes) names them.

Tags:
  tags suggest --runs <path> [--write]                 heuristic suggestions for failed runs (append with --write;
                                                       --scorer, --score-key, --minutes-key for Inspect logs)
  tags review --runs <path> --run <id> --reviewer <name> (--confirm | --category <c> --reason <text>)
  tags export --runs <path> [--format csv|json] [--all]  resolved tags (or every record with --all)
  tags import --runs <path> --file <tags.csv|tags.json>  validate and append records
`;

const STRINGS = [
  "runs",
  "thresholds",
  "buckets",
  "format",
  "baseline",
  "variants",
  "variant-column",
  "margin",
  "policy",
  "tags",
  "qa-failed",
  "score",
  "bucket-weighting",
  "horizon-weighting",
  "replicates",
  "seed",
  "confidence",
  "out",
  "plots",
  "run",
  "reviewer",
  "category",
  "reason",
  "file",
  "task-meta",
  "task-times",
  "baselines",
  ...INSPECT_IMPORT_FLAGS,
];
const BOOLEANS = ["help", "write", "confirm", "all"];

/** Parsed options of the main command. */
export const ProtocolArgs = z.object({
  runs: z.string({ error: "required (a runs.jsonl file, or an event log file or directory)" }).min(
    1,
    "required (a runs.jsonl file, or an event log file or directory)",
  ),
  thresholds: z.string().default(DEFAULT_THRESHOLDS),
  buckets: z.string().optional(),
  format: z.enum(["json", "csv"]).default("json"),
  baseline: z.string().optional(),
  variants: z.string().optional().transform((s) => s?.split(",").map((v) => v.trim()).filter(Boolean)),
  "variant-column": z.string().optional(),
  margin: z.string().default("auto").refine(
    (s) => ["auto", "gap", "none"].includes(s) || Number(s) >= 1,
    "expected auto, gap, none or a horizon factor >= 1",
  ),
  policy: z.enum(["as_failure", "exclude", "as_success"]).default("as_failure"),
  tags: z.string().optional(),
  "qa-failed": z.string().optional(),
  score: z.string().default("score"),
  "bucket-weighting": z.enum(["equal", "invsqrt"]).default("equal"),
  "horizon-weighting": z.enum(["equal", "invsqrt"]).default("invsqrt"),
  replicates: z.coerce.number().int().nonnegative().default(500),
  seed: z.coerce.number().int().default(1),
  confidence: z.coerce.number().gt(0.5).lt(1).default(0.9),
  out: z.string().optional(),
  plots: z.string().optional(),
  "task-meta": z.string().optional(),
  "task-times": z.enum(TASK_TIMES).default("baseline"),
  baselines: z.string().optional(),
  scorer: z.string().min(1, "must name a scorer").optional(),
  "score-key": z.string().min(1, "must name a key").optional(),
  "minutes-key": z.string().min(1, "must name a key").optional(),
});
/** Parsed options of the main command. */
export type ProtocolArgs = z.infer<typeof ProtocolArgs>;

/** Runs loaded from a path, with the events when the path is an event log. */
export interface LoadedRuns {
  kind: "metr" | "log" | "inspect";
  table: ColumnTable;
  events?: Map<string, ReviewEvent[]>;
  warnings: string[];
}

/**
 * Loads METR's runs.jsonl, an event log (file or directory) or Inspect logs, reporting bad lines as
 * warnings. `values` are the command's options: `--scorer`, `--score-key` and `--minutes-key` choose how
 * Inspect logs are read, and are a usage error ({@link CliExit} 2) with any other input.
 */
export async function loadRuns(
  path: string,
  values: Readonly<Record<string, unknown>> = {},
): Promise<LoadedRuns> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new Error(`--runs ${path}: a URL is not accepted here; download the file and pass its path`);
  }
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new Error(`--runs ${path}: no such file or directory`);
  }
  if (await hasInspectLogs(path)) {
    // Inspect logs (docs/inspect.md): rows only; the failure heuristics read each row (no events loaded).
    const inspect = await readInspectRuns(path, inspectImportOptions(values));
    const unscored = unscoredProblem(values, inspect.table.array("score") as unknown[]);
    if (unscored) throw new Error([...inspect.notes, unscored].join("\n"));
    if (inspect.table.numRows() === 0) {
      throw new Error(`--runs ${path}: no readable samples in the Inspect logs`);
    }
    return { kind: "inspect", table: inspect.table, warnings: inspect.notes };
  }
  let isLog = info.isDirectory;
  if (!isLog) {
    const file = await Deno.open(path);
    const buf = new Uint8Array(4096);
    const n = (await file.read(buf)) ?? 0;
    file.close();
    const first = new TextDecoder().decode(buf.subarray(0, n)).split("\n")[0].trim();
    isLog = /^\{\s*"type"\s*:/.test(first);
  }
  const inspectOnly = inspectOnlyProblem(
    values,
    `--runs ${path}`,
    isLog ? "this toolkit's event log" : "a METR runs file",
  );
  if (inspectOnly) throw new CliExit(2, inspectOnly);
  if (!isLog) {
    const metr = await readMetrRuns(path);
    return {
      kind: "metr",
      table: metr.table,
      warnings: metr.errors.map((e) => `${path}:${e.line}: ${e.message}`),
    };
  }
  const { table, issues, files } = await runsFromLog(path);
  if (files.length === 0) {
    throw new Error(`--runs ${path}: no .jsonl log file in it (subdirectories are not searched)`);
  }
  const raw: unknown[] = [];
  await readLogs(path, {
    types: ["cell_start", "model_call", "action", "observation", "note", "score", "cell_end"],
    onEvent: (e) => raw.push(e),
  });
  return { kind: "log", table, events: eventsByRun(raw).runs, warnings: issues.map(formatIssue) };
}

/**
 * Task ids that failed QA, from `deno task qa --json` output (`{ results: [{ taskId, passed }] }`), a JSON
 * array of ids, or plain text with one id per line.
 */
export function qaFailedFrom(text: string): string[] {
  try {
    const data = JSON.parse(text);
    const results = Array.isArray(data) ? data : data?.results;
    if (Array.isArray(results)) {
      return results.flatMap((r) => {
        if (typeof r === "string") return [r];
        if (r && typeof r === "object" && r.passed === false) return [String(r.taskId ?? r.task_id)];
        return [];
      });
    }
  } catch { /* not JSON: one id per line */ }
  return text.split("\n").map((s) => s.trim()).filter((s) => s && !s.startsWith("#"));
}

/** `--qa-failed`: a file (see {@link qaFailedFrom}) or a comma-separated list of task ids. */
async function readQaFailed(spec: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(spec);
  } catch {
    return spec.split(",").map((s) => s.trim()).filter(Boolean);
  }
  return qaFailedFrom(text);
}

function sections(report: ProtocolReport): string {
  const verdicts = from(report.verdicts);
  const checks = report.checks.flatMap((c) => [
    { check: c.id, agent: "", status: c.status, message: c.message, numbers: JSON.stringify(c.numbers) },
    ...c.agents.map((a) => ({
      check: c.id,
      agent: a.agent,
      status: a.status,
      message: a.message,
      numbers: JSON.stringify(a.numbers),
    })),
  ]);
  const scores = bucketScoresTable(report.bucketScores);
  const tableCsv = (t: ColumnTable) => toCsv(t.columnNames(), t.objects() as Record<string, unknown>[]);
  return [
    "# bucket_scores",
    tableCsv(scores),
    "# verdicts",
    tableCsv(verdicts),
    "# checks",
    toCsv(["check", "agent", "status", "message", "numbers"], checks),
  ].join("\n");
}

/** JSON of the report: numbers as numbers, non-finite as null. */
export function reportJson(report: ProtocolReport, meta: Record<string, unknown>): string {
  return JSON.stringify(
    { ...meta, ...report },
    (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
    2,
  ) + "\n";
}

async function tagsCommand(
  sub: string | undefined,
  values: Record<string, string | boolean | undefined>,
): Promise<number> {
  const runsPath = values.runs as string | undefined;
  if (!runsPath) {
    console.error("protocol tags: --runs <path> is required");
    return 2;
  }
  const store = (values.tags as string | undefined) ?? await tagsPathFor(runsPath);
  const { tags, issues } = await readTags(store);
  for (const i of issues) console.error(`protocol tags: ${i.file}:${i.line}: ${i.reason} (skipped)`);
  switch (sub) {
    case "suggest": {
      const loaded = await loadRuns(runsPath, values);
      const suggestions = suggestFailureTags(loaded.table, { events: loaded.events });
      const records = tagsFromSuggestions(suggestions);
      if (values.write) {
        await appendTags(store, records);
        console.error(`protocol tags: appended ${records.length} suggestions to ${store}`);
      }
      console.log(tagsToCsv(records).trimEnd());
      return 0;
    }
    case "review": {
      const run = values.run as string | undefined, reviewer = values.reviewer as string | undefined;
      if (!run || !reviewer) {
        console.error("protocol tags review: --run <id> and --reviewer <name> are required");
        return 2;
      }
      let record;
      if (values.confirm) {
        try {
          record = confirmTag(resolveTags(tags), run, reviewer);
        } catch (e) {
          console.error(`protocol tags review: ${(e as Error).message}`);
          return 1;
        }
      } else {
        const category = FailureCategory.safeParse(values.category);
        if (!category.success || !values.reason) {
          console.error(
            "protocol tags review: give --confirm, or --category spurious|real|tradeoff and --reason <text>",
          );
          return 2;
        }
        record = reviewTag(run, category.data, values.reason as string, reviewer);
      }
      await appendTags(store, [record]);
      console.log(JSON.stringify(record));
      return 0;
    }
    case "export": {
      const list = values.all ? tags : [...resolveTags(tags).values()];
      const text = values.format === "json" ? tagsToJson(list) : tagsToCsv(list);
      if (values.out) {
        await Deno.writeTextFile(values.out as string, text).catch((e: Error) => {
          throw new Error(`--out ${values.out}: ${e.message}`);
        });
      } else console.log(text.trimEnd());
      return 0;
    }
    case "import": {
      const file = values.file as string | undefined;
      if (!file) {
        console.error("protocol tags import: --file <tags.csv|tags.json> is required");
        return 2;
      }
      const text = await Deno.readTextFile(file).catch((e: Error) => {
        throw new Error(`--file ${file}: ${e.message}`);
      });
      const parsed = file.endsWith(".json") ? parseTagsJson(text, file) : parseTagsCsv(text, file);
      for (const i of parsed.issues) {
        console.error(`protocol tags import: ${i.file}:${i.line}: ${i.reason} (skipped)`);
      }
      await appendTags(store, parsed.tags);
      console.error(`protocol tags import: appended ${parsed.tags.length} record(s) to ${store}`);
      return parsed.issues.length > 0 && parsed.tags.length === 0 ? 1 : 0;
    }
    default:
      console.error(`protocol tags: unknown subcommand "${sub ?? ""}"\n\n${USAGE}`);
      return 2;
  }
}

/** Writes the figures; a figure whose data are missing is skipped with a message. */
async function writePlots(
  dir: string,
  report: ProtocolReport,
  loaded: LoadedRuns,
  a: ProtocolArgs,
): Promise<string[]> {
  const written: string[] = [];
  const put = async (
    name: string,
    make: () => Promise<import("../plot/render.ts").Figure> | import("../plot/render.ts").Figure,
  ) => {
    try {
      await writeFigure(`${dir}/${name}`, await make());
      written.push(name);
    } catch (e) {
      console.error(`protocol: figure ${name} skipped: ${(e as Error).message}`);
    }
  };
  await put("bucket_profile.svg", () => bucketProfileFigure(report.bucketScores));
  await put("bucket_profile.html", () => bucketProfileFigure(report.bucketScores)); // with the colour legend
  for (const id of new Set(report.verdicts.map((v) => v.threshold))) {
    await put(`verdict_${id.replace(/[^\w.-]+/g, "_")}.svg`, () => verdictFigure(report.verdicts, id));
  }
  const gap = report.elicitationGap;
  if (gap) {
    await put("gap_vs_effort.svg", () =>
      gapVsEffortFigure(
        gapVsEffortPoints(loaded.table, {
          baseline: gap.baseline,
          variants: gap.standings.map((s) => s.variant),
          variantColumn: gap.variantColumn,
          scoreColumn: a.score,
          seed: a.seed,
        }),
      ));
  }
  for (const resource of ["tokens", "seconds"] as const) {
    await put(`budget_${resource}.svg`, () =>
      budgetCurveFigure(
        successAtBudgets(loaded.table, resource, {
          events: loaded.events,
          scoreColumn: loaded.kind === "metr" ? "score_binarized" : a.score,
          successThreshold: 1,
        }),
        { resource },
      ));
  }
  return written;
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const options: Record<string, { type: "string" | "boolean" }> = {};
    for (const k of STRINGS) options[k] = { type: "string" };
    for (const k of BOOLEANS) options[k] = { type: "boolean" };
    const parsed = parseArgs({
      args: joinNegativeValues(argv, STRINGS),
      options,
      strict: true,
      allowPositionals: true,
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
    positionals = parsed.positionals;
  } catch (e) {
    console.error(`protocol: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (positionals[0] === "tags") return await tagsCommand(positionals[1], values);
    if (positionals.length > 0) {
      console.error(`protocol: unexpected argument "${positionals[0]}"\n\n${USAGE}`);
      return 2;
    }
    const parsed = ProtocolArgs.safeParse(values);
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        console.error(`protocol: ${i.path.length ? `--${i.path.join(".")}: ` : ""}${i.message}`);
      }
      return 2;
    }
    const a = parsed.data;
    const plotsProblem = a.plots === undefined ? null : await outputDirProblem("plots", a.plots);
    if (plotsProblem) {
      console.error(`protocol: ${plotsProblem}`);
      return 2;
    }
    if (a.tags !== undefined) {
      const problem = await Deno.stat(a.tags).then(
        (info) => (info.isFile ? null : "not a file"),
        (e: Error) => (e instanceof Deno.errors.NotFound ? "no such file" : e.message),
      );
      if (problem) {
        console.error(`protocol: --tags ${a.tags}: ${problem}`);
        return 1;
      }
    }
    const thresholds = await loadThresholds(a.thresholds);
    const scheme = a.buckets ? await loadBucketScheme(a.buckets) : undefined;
    const taskMeta = await readTaskMetaOption(a["task-meta"]);
    if (taskMeta.errors) {
      for (const line of taskMeta.errors) console.error(`protocol: ${line}`);
      return 2;
    }
    if (a["task-times"] === "baseline") {
      const times = await baselineTimes(a.baselines, taskMeta.table);
      if (times.error) {
        console.error(`protocol: ${times.error}`);
        return 2;
      }
      taskMeta.table = times.table;
      if (times.note) console.error(`protocol: ${times.note}`);
    }
    const loaded = await loadRuns(a.runs, a);
    const simulated = simulatedDataWarning(loaded.table);
    if (simulated) console.error(`protocol: ${simulated}`);
    if (taskMeta.table) {
      const applied = applyTaskMetaToRuns(loaded.table, taskMeta.table);
      loaded.table = applied.table;
      console.error(
        `protocol: ${
          a["task-meta"] ? "--task-meta" : "task times"
        } gave human minutes to ${applied.runs} runs ` +
          `of ${applied.tasks} tasks`,
      );
    }
    for (const w of loaded.warnings.slice(0, 20)) console.error(`protocol: skipped ${w}`);
    if (loaded.warnings.length > 20) {
      console.error(`protocol: … ${loaded.warnings.length - 20} more bad lines skipped`);
    }
    const tagFile = a.tags ?? await tagsPathFor(a.runs);
    const tagRead = await readTags(tagFile);
    for (const i of tagRead.issues) console.error(`protocol: ${i.file}:${i.line}: ${i.reason} (tag skipped)`);
    if (a.tags && tagRead.tags.length === 0) console.error(`protocol: no tags in ${a.tags}`);
    const tags = tagRead.tags.length > 0 ? resolveTags(tagRead.tags) : undefined;
    const report = protocolReport(loaded.table, {
      thresholds: thresholds.thresholds,
      scheme,
      scoreColumn: a.score,
      bucketWeighting: a["bucket-weighting"],
      horizonWeighting: a["horizon-weighting"],
      replicates: a.replicates,
      seed: a.seed,
      confidence: a.confidence,
      baseline: a.baseline,
      variants: a.variants,
      variantColumn: a["variant-column"],
      margin: ["auto", "gap", "none"].includes(a.margin)
        ? (a.margin as "auto" | "gap" | "none")
        : { horizonFactor: Number(a.margin), source: `--margin ${a.margin}` },
      tags,
      policy: a.policy,
      events: loaded.events,
      qaFailedTasks: a["qa-failed"] ? await readQaFailed(a["qa-failed"]) : undefined,
    });
    const text = a.format === "csv" ? sections(report) : reportJson(report, {
      input: { runs: a.runs, kind: loaded.kind, thresholds: a.thresholds, tags: tags ? tagFile : null },
    });
    if (a.out) {
      await Deno.writeTextFile(a.out, text).catch((e: Error) => {
        throw new Error(`--out ${a.out}: ${e.message}`);
      });
    } else await Deno.stdout.write(new TextEncoder().encode(text));
    // Runs of tasks without human minutes were left out of the whole analysis: one line says which.
    if (report.excluded) console.error(`protocol: ${minutesNote(report.excluded)}`);
    if (a.plots) {
      const written = await writePlots(a.plots, report, loaded, a);
      console.error(`protocol: wrote ${written.length} figure(s) to ${a.plots}`);
    }
    return 0;
  } catch (e) {
    console.error(`protocol: ${(e as Error).message}`);
    return e instanceof CliExit ? e.code : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
