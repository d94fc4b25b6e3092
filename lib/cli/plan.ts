/**
 * `deno task plan` — power and sample-size planning: how many tasks and epochs a question needs, from a
 * pilot log or stated assumptions, by simulating evaluations and analysing each with the toolkit's own
 * analysis functions (docs/planning.md).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { toCsv } from "../util/csv.ts";
import { formatTable } from "../util/table.ts";
import { readAnyRuns } from "../frame/read_any.ts";
import { CliExit, joinNegativeValues, withExitCode } from "./args.ts";
import { OptionsError } from "../core/options.ts";
import { type Assumptions, resolveAssumptions } from "../plan/assumptions.ts";
import { assumptionsFromPilot } from "../plan/pilot.ts";
import { describeQuestion, type Question } from "../plan/questions.ts";
import { planPower, type PowerPlan } from "../plan/power.ts";

const USAGE = `Usage: deno task plan (--pilot <log|runs file> | --assume <file.json>) --question <q> [options]

Estimates, by simulation through the same analysis the question will be answered with, the power (share
of simulated evaluations giving a decisive, correct answer) of every design of a grid of tasks × epochs,
and recommends the cheapest design reaching the target power. Simulated, not measured: the answer is only
as good as the assumptions.

Assumptions (one of):
  --pilot <path>             a run log of deno task eval (file or folder), METR's runs.jsonl or Inspect logs:
                             curves, task lengths, random-effect SDs and costs are estimated from it
  --assume <file.json>       assumptions as JSON (curves, taskMinutes, taskSd, …; see docs/planning.md)
  --agent-column <c>         pilot column naming the variants (default variant, else alias)
  --score <column>           pilot outcome column (default score)
  --write-assumptions <f>    also write the assumptions used as JSON (edit it and pass it to --assume)

Question:
  --question gap             paired success-rate gap of --a over --b
    --a <variant> --b <variant>  [--delta 0.1 (fraction; default 0)]  [--interval 0.8]
  --question horizon         p50 time horizon of --agent above/below a threshold
    --agent <name> (--above <minutes> | --below <minutes>)  [--interval 0.8]
  --question verdict         protocol verdict on the p50 horizon (crossed / not crossed with P ≥ confidence)
    --agent <name> --value <v> [--unit minutes|hours] [--comparator ">="] [--confidence 0.9]

Design grid and simulation:
  --tasks <n,n,...>          task counts (default 10,20,40)
  --epochs <n,n,...>         runs per task and variant (default 1,2,4)
  --target-power <p>         power to reach (default 0.8)
  --cost-per-run <c>         a number, or dollars | tokens | minutes (means from the pilot) | runs (default)
  --sims <n>                 simulated evaluations per design (default 200)
  --replicates <n>           bootstrap replicates per simulated analysis (default 200)
  --seed <n>                 seed (default 1)

Output:
  --format <f>               table (default) | json | csv
  --figure <file.svg>        power-vs-design figure (.svg, .png, .pdf or .html)
  --help                     this text
`;

const STRING_OPTIONS = [
  "pilot",
  "assume",
  "agent-column",
  "score",
  "write-assumptions",
  "question",
  "a",
  "b",
  "delta",
  "interval",
  "agent",
  "above",
  "below",
  "value",
  "unit",
  "comparator",
  "confidence",
  "tasks",
  "epochs",
  "target-power",
  "cost-per-run",
  "sims",
  "replicates",
  "seed",
  "format",
  "figure",
];

function fail(message: string): never {
  throw new CliExit(2, `plan: ${message}`);
}

function num(values: Record<string, string | undefined>, name: string, check?: (v: number) => boolean) {
  const s = values[name];
  if (s === undefined) return undefined;
  const v = Number(s);
  if (s.trim() === "" || !Number.isFinite(v) || (check && !check(v))) fail(`--${name}: bad value "${s}"`);
  return v;
}

function intList(
  values: Record<string, string | undefined>,
  name: string,
  min: number,
): number[] | undefined {
  const s = values[name];
  if (s === undefined) return undefined;
  const v = s.split(",").map((x) => Number(x.trim()));
  if (v.length === 0 || !v.every((x) => Number.isInteger(x) && x >= min)) {
    fail(`--${name}: expected a comma-separated list of integers ≥ ${min}, got "${s}"`);
  }
  return [...new Set(v)];
}

function need(values: Record<string, string | undefined>, name: string, why: string): string {
  const v = values[name];
  if (v === undefined || v === "") fail(`--${name} is required ${why}`);
  return v;
}

/** The question the flags describe. */
export function questionFromFlags(values: Record<string, string | undefined>): Question {
  const kind = values.question;
  if (kind === undefined) fail("--question is required (gap, horizon or verdict)");
  const interval = num(values, "interval", (v) => v > 0 && v < 1);
  if (kind === "gap") {
    return {
      question: "gap",
      a: need(values, "a", "for --question gap"),
      b: need(values, "b", "for --question gap"),
      ...(values.delta !== undefined ? { delta: num(values, "delta", (v) => v > -1 && v < 1)! } : {}),
      ...(interval !== undefined ? { interval } : {}),
    };
  }
  if (kind === "horizon") {
    const above = num(values, "above", (v) => v > 0), below = num(values, "below", (v) => v > 0);
    if ((above === undefined) === (below === undefined)) {
      fail("--question horizon needs exactly one of --above <minutes> or --below <minutes>");
    }
    return {
      question: "horizon",
      agent: need(values, "agent", "for --question horizon"),
      threshold: (above ?? below)!,
      direction: above !== undefined ? "above" : "below",
      ...(interval !== undefined ? { interval } : {}),
    };
  }
  if (kind === "verdict") {
    const comparator = values.comparator;
    if (comparator !== undefined && ![">=", ">", "<=", "<"].includes(comparator)) {
      fail(`--comparator: expected >=, >, <= or <, got "${comparator}"`);
    }
    const unit = values.unit;
    if (unit !== undefined && unit !== "minutes" && unit !== "hours") {
      fail(`--unit: expected minutes or hours, got "${unit}"`);
    }
    const value = num(values, "value", (v) => v > 0);
    if (value === undefined) fail("--value is required for --question verdict");
    return {
      question: "verdict",
      agent: need(values, "agent", "for --question verdict"),
      value,
      ...(unit ? { unit: unit as "minutes" | "hours" } : {}),
      ...(comparator ? { comparator: comparator as ">=" } : {}),
      ...(values.confidence !== undefined
        ? { confidence: num(values, "confidence", (v) => v > 0.5 && v < 1)! }
        : {}),
    };
  }
  return fail(`--question: expected gap, horizon or verdict, got "${kind}"`);
}

async function loadAssumptions(values: Record<string, string | undefined>): Promise<Assumptions> {
  if ((values.pilot === undefined) === (values.assume === undefined)) {
    fail("give exactly one of --pilot <log|runs file> or --assume <file.json>");
  }
  const costFlag = values["cost-per-run"];
  const costKind = costFlag === undefined || !Number.isNaN(Number(costFlag)) ? undefined : costFlag;
  if (costKind !== undefined && !["dollars", "tokens", "minutes", "runs"].includes(costKind)) {
    fail(`--cost-per-run: expected a number or dollars, tokens, minutes, runs; got "${costFlag}"`);
  }
  const costNumber = costFlag !== undefined && costKind === undefined
    ? num(values, "cost-per-run", (v) => v >= 0)
    : undefined;
  let assumptions: Assumptions;
  if (values.pilot !== undefined) {
    const path = values.pilot;
    let table;
    try {
      table = (await readAnyRuns(path)).table;
    } catch (e) {
      fail(`--pilot ${path}: ${(e as Error).message}`);
    }
    try {
      const est = assumptionsFromPilot(table, {
        agentColumn: values["agent-column"],
        scoreColumn: values.score,
        cost: costKind as "dollars" | undefined,
        source: `pilot ${path}`,
      });
      console.error(
        `plan: pilot ${path}: ${est.runs} runs, ${est.tasks} tasks in ${est.families} families, ` +
          `${est.epochs.toFixed(1)} runs per (variant, task); taskSd ${
            est.assumptions.taskSd!.toFixed(2)
          }, ` +
          `familySd ${est.assumptions.familySd!.toFixed(2)}, variantTaskSd ${
            est.assumptions.variantTaskSd!.toFixed(2)
          }`,
      );
      assumptions = est.assumptions;
    } catch (e) {
      fail(`--pilot ${path}: ${(e as Error).message}`);
    }
  } else {
    const path = values.assume!;
    let data: unknown;
    try {
      data = JSON.parse(await Deno.readTextFile(path));
    } catch (e) {
      fail(`--assume ${path}: ${e instanceof SyntaxError ? "not valid JSON: " : ""}${(e as Error).message}`);
    }
    try {
      resolveAssumptions(data, `--assume ${path}`);
    } catch (e) {
      if (e instanceof OptionsError) fail(e.message.replace(/^--assume /, "--assume "));
      throw e;
    }
    assumptions = data as Assumptions;
  }
  if (costNumber !== undefined) assumptions = { ...assumptions, costPerRun: costNumber, costUnit: "cost" };
  return assumptions;
}

/** Output rows of a plan (one per design). */
export function planRows(plan: PowerPlan): Record<string, unknown>[] {
  return plan.rows.map((r) => ({
    design: `${r.tasks} tasks × ${r.epochs} epochs`,
    tasks: r.tasks,
    epochs: r.epochs,
    runs: r.runs,
    cost: Number(r.cost.toPrecision(4)),
    power: r.power,
    mcse: Number(r.mcse.toFixed(3)),
    decisive: r.decisive,
    wrong: r.wrong,
    meets_target: r.power >= plan.targetPower,
  }));
}

function truthLine(plan: PowerPlan): string {
  const v = plan.question.question === "gap"
    ? `${(plan.truth.value * 100).toFixed(1)} points`
    : `${plan.truth.value.toFixed(1)} min`;
  return `assumed truth: ${v} (${plan.truth.side} the cut-off)`;
}

function recommendationLine(plan: PowerPlan): string {
  const r = plan.recommended;
  if (!r) {
    const best = plan.rows.reduce((a, b) => (b.power > a.power ? b : a));
    return `no design of the grid reaches power ${plan.targetPower} (best: ${best.tasks} tasks × ${best.epochs} ` +
      `epoch(s), ${best.power.toFixed(2)}); add more tasks (--tasks) or epochs (--epochs)`;
  }
  const ep = (n: number) => `${n} epoch${n === 1 ? "" : "s"}`;
  const close = r.power - plan.targetPower < r.mcse
    ? " (within one MCSE of the target: consider more --sims)"
    : "";
  return `recommended: ${r.tasks} tasks × ${ep(r.epochs)} = ${r.runs} runs, cost ${
    Number(r.cost.toPrecision(4))
  } ${plan.costUnit}, power ${r.power.toFixed(2)} ± ${r.mcse.toFixed(2)}${close}`;
}

/** Run the command; returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return withExitCode(async () => {
    let values: Record<string, string | undefined>;
    let help = false;
    try {
      const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
      for (const k of STRING_OPTIONS) options[k] = { type: "string" };
      const parsed = parseArgs({ args: joinNegativeValues(argv, STRING_OPTIONS), options, strict: true });
      help = parsed.values.help === true;
      values = parsed.values as Record<string, string | undefined>;
    } catch (e) {
      throw new CliExit(2, `plan: ${(e as Error).message}\n\n${USAGE}`);
    }
    if (help) {
      console.log(USAGE);
      return 0;
    }
    const format = values.format ?? "table";
    if (!["table", "json", "csv"].includes(format)) {
      fail(`--format: expected table, json or csv, got "${format}"`);
    }
    if (values.figure !== undefined && !/\.(svg|png|pdf|html)$/i.test(values.figure)) {
      fail(`--figure ${values.figure}: the file name must end in .svg, .png, .pdf or .html`);
    }
    const question = questionFromFlags(values);
    const assumptions = await loadAssumptions(values);
    if (values["write-assumptions"] !== undefined) {
      await Deno.writeTextFile(values["write-assumptions"], JSON.stringify(assumptions, null, 2) + "\n");
    }
    let plan: PowerPlan;
    try {
      plan = planPower(assumptions, question, {
        tasks: intList(values, "tasks", 2),
        epochs: intList(values, "epochs", 1),
        sims: num(values, "sims", (v) => Number.isInteger(v) && v > 0),
        replicates: num(values, "replicates", (v) => Number.isInteger(v) && v >= 20),
        seed: num(values, "seed", Number.isInteger),
        targetPower: num(values, "target-power", (v) => v > 0 && v < 1),
      });
    } catch (e) {
      if (e instanceof CliExit) throw e;
      throw new CliExit(2, `plan: ${(e as Error).message}`);
    }
    const rows = planRows(plan);
    if (format === "json") {
      console.log(JSON.stringify({ ...plan, assumptions }, null, 2));
    } else if (format === "csv") {
      Deno.stdout.writeSync(new TextEncoder().encode(toCsv(Object.keys(rows[0]), rows)));
    } else {
      console.log(`question: ${describeQuestion(plan.question)}`);
      console.log(truthLine(plan));
      console.log(
        formatTable(
          plan.rows.map((r) => ({
            design: `${r.tasks} × ${r.epochs}`,
            runs: r.runs,
            [`cost (${plan.costUnit})`]: Number(r.cost.toPrecision(4)),
            power: `${r.power.toFixed(2)} ± ${r.mcse.toFixed(2)}`,
            decisive: r.decisive.toFixed(2),
            wrong: r.wrong.toFixed(2),
          })),
        ),
      );
      console.log(recommendationLine(plan));
      console.log(
        `(${plan.sims} simulated evaluations per design, ${plan.replicates} bootstrap replicates each; ` +
          `simulated from the assumptions, ${plan.seconds.toFixed(1)} s)`,
      );
    }
    if (values.figure !== undefined) {
      const { powerFigure } = await import("../plan/figure.ts");
      const { writeFigure } = await import("../plot/render.ts");
      const written = await writeFigure(values.figure, powerFigure(plan));
      console.error(`plan: wrote ${written.join(", ")}`);
    }
    return 0;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
