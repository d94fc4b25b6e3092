/**
 * `deno task horizons --runs <file|url> [options]` — METR-style time horizons per agent with hierarchical
 * bootstrap intervals, as CSV or JSON; optionally the doubling-time trend and SVG figures.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { z } from "../deps/zod.ts";
import { toCsv as csvTable } from "../util/csv.ts";
import { readMetrRuns, readReleaseDates } from "../frame/metr.ts";
import { simulatedDataWarning } from "../frame/sources.ts";
// The plotting modules (Observable Plot, linkedom) load only when --plots is given: they cost ~0.1 s CPU.
import { bootstrapHorizons } from "../stats/bootstrap_horizons.ts";
import { type AgentHorizon, agentHorizons } from "../stats/agent_horizons.ts";
import { frontierPoints, type HorizonTrend, horizonTrend } from "../stats/doubling_time.ts";
import { horizonSummary, type HorizonSummaryRow } from "../stats/horizon_summary.ts";
import type { BootstrapHorizons } from "../stats/bootstrap_horizons.ts";
import { runColumns } from "../stats/run_columns.ts";
import { minutesNote } from "../stats/minutes.ts";
import { applyTaskMetaToRuns } from "../frame/minutes.ts";
import { baselineTimes, TASK_TIMES } from "../baseline/times.ts";
import { hasInspectLogs, readInspectAsMetrRuns } from "../frame/inspect/mod.ts";
import {
  INSPECT_IMPORT_FLAGS,
  inspectImportOptions,
  inspectOnlyProblem,
  isEventLogFile,
  joinNegativeValues,
  outputDirProblem,
  readTaskMetaOption,
  unscoredProblem,
} from "./args.ts";

const USAGE = `Usage: deno task horizons --runs <runs.jsonl|URL> [options]

Fits METR's time-horizon model per agent and prints one row per agent:
agent, coefficient, intercept, p50, p50_low, p50_high, p80, average and the bucket rates.
Runs of tasks without human minutes are left out (one line on stderr names them).

Options:
  --runs <path|url>          runs file in METR's runs.jsonl format, or Inspect logs (a .eval/.json log
                             or a folder of them; see docs/inspect.md) (required)
  --scorer <name>            (Inspect logs) the scorer whose score is the run's score (default: the first)
  --score-key <key>          (Inspect logs) the key to read from a dict-valued score
  --minutes-key <key>        (Inspect logs) the sample-metadata key holding human minutes
                             (default: human_minutes)
  --weights <w>              invsqrt (default) | equal | none
  --regularization <r>       L2 penalty on the slope, 1/C (default 0.01)
  --bootstrap <n>            hierarchical bootstrap replicates (default 500; 0 = none)
  --seed <n>                 random seed (default 0)
  --interval <lo,hi>         interval quantiles (default 0.1,0.9)
  --score <column>           outcome column (default score; e.g. score_binarized)
  --format <f>               csv (default) | json
  --release-dates <yaml>     also fit the p50 trend over release dates (doubling time)
  --trend-agents <a,b,...>   agents in the trend, or "frontier" (each better than all earlier releases);
                             default: all with a release date except "human"
  --plots <dir>              write success-curve SVGs per agent (and trend.svg) to <dir>
  --task-meta <file>         task-times table (CSV or JSON; docs/task-standard.md): sets human_minutes and
                             human_source of the runs of the tasks it names
  --task-times baseline|estimate  baseline (default): tasks with a successful human baseline get its
                             minutes (docs/baselines.md); estimate: the runs' own minutes
  --baselines <file|dir>     the baseline event log(s) (default runs/baselines/)
  --help                     this text
`;

const STRING_OPTIONS = [
  "runs",
  "weights",
  "regularization",
  "bootstrap",
  "seed",
  "interval",
  "score",
  "format",
  "release-dates",
  "trend-agents",
  "plots",
  "task-meta",
  "task-times",
  "baselines",
  ...INSPECT_IMPORT_FLAGS,
];

/** Parsed command-line options. */
export const HorizonsArgs = z.object({
  runs: z.string({ error: "required (a runs.jsonl file or URL)" }).min(
    1,
    "required (a runs.jsonl file or URL)",
  ),
  weights: z.enum(["invsqrt", "equal", "none"]).default("invsqrt"),
  regularization: z.coerce.number().nonnegative().default(0.01),
  bootstrap: z.coerce.number().int().nonnegative().default(500),
  seed: z.coerce.number().int().default(0),
  interval: z.string().default("0.1,0.9").transform((s, ctx) => {
    const v = s.split(",").map(Number);
    if (v.length !== 2 || !v.every((x) => x >= 0 && x <= 1) || !(v[0] < v[1])) {
      ctx.addIssue({
        code: "custom",
        message: `--interval must be "lo,hi" with 0 <= lo < hi <= 1, got "${s}"`,
      });
      return z.NEVER;
    }
    return v as [number, number];
  }),
  score: z.string().default("score"),
  format: z.enum(["csv", "json"]).default("csv"),
  "release-dates": z.string().optional(),
  "trend-agents": z.string().optional(),
  plots: z.string().optional(),
  "task-meta": z.string().optional(),
  "task-times": z.enum(TASK_TIMES).default("baseline"),
  baselines: z.string().optional(),
  scorer: z.string().min(1, "must name a scorer").optional(),
  "score-key": z.string().min(1, "must name a key").optional(),
  "minutes-key": z.string().min(1, "must name a key").optional(),
});
/** Parsed command-line options. */
export type HorizonsArgs = z.infer<typeof HorizonsArgs>;

/** One output row. */
export type HorizonRow = HorizonSummaryRow;

/** Build the output rows from point estimates and (optionally) a bootstrap. */
export function horizonRows(point: AgentHorizon[], boot: BootstrapHorizons | null): HorizonRow[] {
  return horizonSummary(point, boot);
}

/** CSV text of rows, through `lib/util/csv.ts` (RFC 4180 quoting; NaN printed empty). */
export function toCsv(rows: HorizonRow[]): string {
  if (rows.length === 0) return "";
  return csvTable(Object.keys(rows[0]), rows as unknown as Record<string, unknown>[]);
}

/** Run the command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
    for (const k of STRING_OPTIONS) options[k] = { type: "string" };
    values = parseArgs({ args: joinNegativeValues(argv, STRING_OPTIONS), options, strict: true })
      .values as Record<
        string,
        string | boolean | undefined
      >;
  } catch (e) {
    console.error(`horizons: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const parsed = HorizonsArgs.safeParse(values);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      console.error(`horizons: ${i.path.length ? `--${i.path.join(".")}: ` : ""}${i.message}`);
    }
    console.error(`\n${USAGE}`);
    return 2;
  }
  const args = parsed.data;
  if (args["trend-agents"] !== undefined && args["release-dates"] === undefined) {
    console.error("horizons: --trend-agents needs --release-dates <yaml>");
    return 2;
  }
  const plotsProblem = args.plots === undefined ? null : await outputDirProblem("plots", args.plots);
  if (plotsProblem) {
    console.error(`horizons: ${plotsProblem}`);
    return 2;
  }
  if (await isEventLogFile(args.runs)) {
    console.error(
      `horizons: --runs ${args.runs} is an event log of deno task eval, not a runs table; convert it with ` +
        `deno task runs --log ${args.runs} --format jsonl --out runs.jsonl`,
    );
    return 1;
  }
  const taskMeta = await readTaskMetaOption(args["task-meta"]);
  if (taskMeta.errors) {
    for (const line of taskMeta.errors) console.error(`horizons: ${line}`);
    return 2;
  }
  if (args["task-times"] === "baseline") {
    const times = await baselineTimes(args.baselines, taskMeta.table);
    if (times.error) {
      console.error(`horizons: ${times.error}`);
      return 2;
    }
    taskMeta.table = times.table;
    if (times.note) console.error(`horizons: ${times.note}`);
  }
  try {
    const inspect = await hasInspectLogs(args.runs);
    const inspectOnly = inspect ? null : inspectOnlyProblem(args, `--runs ${args.runs}`, "a METR runs file");
    if (inspectOnly) {
      console.error(`horizons: ${inspectOnly}`);
      return 2;
    }
    const runs = inspect
      ? await readInspectAsMetrRuns(
        args.runs,
        inspectImportOptions(args),
        (note) => console.error(`horizons: ${note}`),
      )
      : await readMetrRuns(args.runs);
    const unscored = unscoredProblem(args, runs.rows.map((row) => row.score));
    if (unscored) {
      console.error(`horizons: ${unscored}`);
      return 1;
    }
    for (const e of runs.errors.slice(0, 20)) {
      console.error(
        `horizons: ${runs.source}:${e.line}${e.taskId ? ` (${e.taskId})` : ""}: skipped: ${e.message}`,
      );
    }
    if (runs.errors.length > 20) {
      console.error(`horizons: … ${runs.errors.length - 20} more bad lines skipped`);
    }
    if (runs.rows.length === 0) throw new Error(`${runs.source}: no valid runs`);
    const opts = {
      weights: args.weights,
      regularization: args.regularization,
      scoreColumn: args.score,
      successProbabilities: [0.5, 0.8],
    };
    const simulated = simulatedDataWarning(runs.table);
    if (simulated) console.error(`horizons: ${simulated}`);
    let source = runs.table;
    if (taskMeta.table) {
      const applied = applyTaskMetaToRuns(source, taskMeta.table);
      source = applied.table;
      console.error(
        `horizons: ${
          args["task-meta"] ? "--task-meta" : "task times"
        } gave human minutes to ${applied.runs} runs of ` +
          `${applied.tasks} tasks`,
      );
    }
    // Runs of tasks without human minutes are left out of every fit (runColumns); say which, in one line.
    const table = args.score === "score" && !taskMeta.table
      ? runs.columns
      : runColumns(source, { scoreColumn: args.score });
    if (table.excluded) console.error(`horizons: ${minutesNote(table.excluded)}`);
    const boot = args.bootstrap > 0
      ? bootstrapHorizons(table, {
        ...opts,
        replicates: args.bootstrap,
        seed: args.seed,
        interval: args.interval,
      })
      : null;
    const point = boot ? boot.point : agentHorizons(table, opts);
    const rows = horizonRows(point, boot);

    let trend: HorizonTrend | null = null;
    if (args["release-dates"]) {
      const dates = await readReleaseDates(args["release-dates"]);
      const frontier = args["trend-agents"] === "frontier";
      const wanted = frontier
        ? undefined
        : args["trend-agents"]?.split(",").map((s) => s.trim()).filter(Boolean);
      const missing = (wanted ?? []).filter((a) => !(a in dates) || !point.some((p) => p.agent === a));
      if (missing.length) {
        throw new Error(`--trend-agents: no release date or no runs for ${missing.join(", ")}`);
      }
      const chosen = point.map((p, g) => ({ p, g })).filter(({ p }) =>
        wanted ? wanted.includes(p.agent) : p.agent in dates && p.agent !== "human"
      );
      const candidates = chosen.map(({ p, g }) => ({
        agent: p.agent,
        date: dates[p.agent],
        horizon: p.horizons.p50,
        ...(boot ? { samples: boot.horizons[g][0] } : {}),
      }));
      trend = horizonTrend(frontier ? frontierPoints(candidates) : candidates, { interval: args.interval });
      const ci = boot
        ? ` (${args.interval[0] * 100}–${args.interval[1] * 100}%: ${trend.low.toFixed(2)}–${
          trend.high.toFixed(2)
        })`
        : "";
      console.error(
        `horizons: p50 doubling time ${
          trend.doublingMonths.toFixed(2)
        } months${ci} over ${trend.points.length} agents: ${trend.points.map((p) => p.agent).join(", ")}`,
      );
    }

    if (args.plots) {
      const { successCurveFigure } = await import("../plot/success_curve.ts");
      const { horizonTrendFigure } = await import("../plot/horizon_trend.ts");
      const { writeFigure } = await import("../plot/render.ts");
      for (const p of point) {
        const file = `${args.plots}/success_${p.agent.replace(/[^A-Za-z0-9._-]+/g, "_")}.svg`;
        await writeFigure(file, successCurveFigure(boot ?? point, p.agent));
      }
      if (trend) {
        const intervals = boot
          ? Object.fromEntries(boot.summary.map((s) => [s.agent, s.intervals.p50]))
          : undefined;
        await writeFigure(`${args.plots}/trend.svg`, horizonTrendFigure(trend, { intervals }));
      }
      console.error(`horizons: figures written to ${args.plots}/`);
    }

    if (args.format === "json") {
      const out = trend
        ? {
          agents: rows,
          trend: {
            doublingMonths: trend.doublingMonths,
            low: trend.low,
            high: trend.high,
            slopePerYear: trend.slope,
            agents: trend.points.map((p) => p.agent),
          },
        }
        : rows;
      console.log(
        JSON.stringify(out, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 2),
      );
    } else {
      await Deno.stdout.write(new TextEncoder().encode(toCsv(rows)));
    }
    return 0;
  } catch (e) {
    console.error(`horizons: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
