/**
 * `deno task eval` — run (or resume) a grid of tasks × variants × models × epochs and log every event.
 *
 * ```sh
 * deno task eval --tasks 'mystery_function/*' --variants basic,chat,allTools,bestOfN --model simulated/30 \
 *   --epochs 3 --sandbox local --log runs/
 * ```
 * Re-running the same command resumes (finished cells are skipped, interrupted ones rerun);
 * `--retry-errors` also reruns cells that ended with an error.
 * @module
 */
import { parseArgs } from "node:util";
import { prepareImagesWithProgress } from "./images.ts";
import * as aq from "../deps/arquero.ts";
import { closeAllSandboxes, createSandboxDriver, setSandboxSignalPolicy } from "../sandbox/mod.ts";
import { type SandboxDriver, SandboxDriverName } from "../sandbox/types.ts";
import { EnginePool, loadEnginesFile } from "../sandbox/pool/mod.ts";
import { createModel } from "../model/registry.ts";
import { loadPriceTable, type PriceTable, withPriceOverrides } from "../model/pricing.ts";
import { DEFAULT_TASKS_DIR, loadSuite, selectTasks } from "../task/loader.ts";
import { loadVariants } from "../agent/variant.ts";
import "../agent/builtin.ts";
import { describeIssues, type EvalOptions, runEval } from "../run/runner.ts";
import { parseQuestionSpec, runUntilSettled, settleLine, type SettleOptions } from "./until_settled.ts";
import {
  autoProgress,
  barProgress,
  lineProgress,
  type ProgressReporter,
  silentProgress,
} from "../run/progress.ts";
import { defaultConcurrency } from "../run/pool.ts";
import { watchParent } from "../run/parent_watch.ts";
import { sweepLeftovers } from "../run/leftovers.ts";
import { inStableOrder, runs } from "../frame/tables.ts";
import { dataSourceLines, describeDataSources, labelSimulatedRows } from "../frame/sources.ts";
import { formatTable } from "../util/table.ts";
import { resolve, toFileUrl } from "../util/path.ts";
import { CliExit, joinNegativeValues, outputDirProblem, readTaskMetaOption, withExitCode } from "./args.ts";

const USAGE = `usage: deno task eval --model <provider/model>[,...] [options]

  --tasks <glob,...>        task ids or globs (default: every task)
  --tasks-dir <dir>         task families directory (default: the bundled tasks/)
  --task-meta <file>        task-times table (CSV or JSON: task, human_minutes, …; docs/task-standard.md),
                            overriding the families' metadata
  --variants <file|names>   JSON/YAML variants file, or scaffold names (default: basic,chat,allTools,bestOfN)
  --import <module.ts>      import a module first (e.g. one that calls registerScaffold); repeatable
  --model <name>            provider/model, e.g. openai/gpt-4o, anthropic/claude-3-5-sonnet-latest,
                            simulated (default skill) or simulated/<minutes> (its 50% horizon); repeatable
  --epochs N                runs per cell (default 1)
  --sandbox local|docker    (default local)
  --engines <engines.yaml>  spread the grid over a pool of Docker engines (implies --sandbox docker;
                            docs/scale.md); --concurrency then defaults to the pool's total capacity
  --log <dir>               log directory (default runs/)
  --concurrency N           cells in flight (default: cores)
  --retry-errors            also rerun cells whose last attempt errored
  --seed N                  eval seed (default 0)
  --token-limit N           tokens per run (input+output; default 2000000; 0 = none)
  --action-limit N          tool actions per run (default 200; 0 = none)
  --time-limit S            wall seconds of the agent loop (default 1800; 0 = none)
  --cost-limit USD          dollars per run (default 10; 0 = none)
  --tool-timeout S          timeout of one bash/python command (default 120)
  --prices <file>           JSON price table overriding the built-in prices (USD per million tokens; see docs/models.md)
  --eval-id ID              log under this id instead of the grid's hash
  --fsync                   fsync every log line
  --progress auto|bar|lines|none   (default auto: a bar on a terminal, lines otherwise)
  --json                    print the summary as JSON

Adaptive allocation (docs/planning.md): run the grid in rounds until the question is settled
  --until-settled <spec>    gap:<a>,<b>[,delta=0.1][,interval=0.8] | horizon:<variant>,above=<min>|below=<min>
                            | verdict:<variant>,value=<V>[,unit=hours][,comparator=>=][,confidence=0.9];
                            --epochs is then the most epochs a task × variant may get; one --model
  --max-rounds N            rounds = looks of the stopping rule (default 6)
  --round-size N            cells (task × variant runs) per round (default 10)
  --budget-runs N           runs in all (default: the whole grid)
  --spending obf|pocock     boundary over the looks (default obf: O'Brien–Fleming)`;

const NUMERIC_OPTIONS = [
  "epochs",
  "concurrency",
  "seed",
  "token-limit",
  "action-limit",
  "time-limit",
  "cost-limit",
  "tool-timeout",
  "max-rounds",
  "round-size",
  "budget-runs",
];

function fail(message: string): never {
  throw new CliExit(2, `error: ${message}\n(deno task eval --help shows every option)`);
}

function numberFlag(name: string, value: string | undefined, fallback: number | null, integer = false) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    fail(`--${name} must be a ${integer ? "non-negative integer" : "non-negative number"}, got "${value}"`);
  }
  return n === 0 ? null : n;
}

/**
 * Run `deno task eval` with `args` (the words after `deno task eval`); returns the exit code: 0 done, 1 a
 * failure (nothing finished, a sandbox driver that cannot start), 2 a usage error, 130 interrupted (Ctrl-C).
 * SIGTERM or the death of the launching process still exit the process at once (143 / 137), as the program
 * does. The signal listeners it installs are removed before it returns.
 */
export function main(args: string[]): Promise<number> {
  return withExitCode(() => evalCommand(args));
}

async function evalCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args, NUMERIC_OPTIONS),
      options: {
        tasks: { type: "string" },
        "tasks-dir": { type: "string", default: DEFAULT_TASKS_DIR },
        "task-meta": { type: "string" },
        variants: { type: "string", default: "basic,chat,allTools,bestOfN" },
        import: { type: "string", multiple: true },
        model: { type: "string", multiple: true },
        epochs: { type: "string", default: "1" },
        sandbox: { type: "string" },
        engines: { type: "string" },
        log: { type: "string", default: "runs" },
        concurrency: { type: "string" },
        "retry-errors": { type: "boolean", default: false },
        seed: { type: "string", default: "0" },
        "token-limit": { type: "string" },
        "action-limit": { type: "string" },
        "time-limit": { type: "string" },
        "cost-limit": { type: "string" },
        "tool-timeout": { type: "string" },
        prices: { type: "string" },
        "eval-id": { type: "string" },
        fsync: { type: "boolean", default: false },
        progress: { type: "string", default: "auto" },
        json: { type: "boolean", default: false },
        "until-settled": { type: "string" },
        "max-rounds": { type: "string" },
        "round-size": { type: "string" },
        "budget-runs": { type: "string" },
        spending: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    fail((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const models = (v.model ?? []).flatMap((m) => m.split(",")).map((m) => m.trim()).filter(Boolean);
  if (models.length === 0) fail("--model is required (e.g. --model simulated/30)");
  const driverName = SandboxDriverName.safeParse(v.sandbox ?? (v.engines ? "docker" : "local"));
  if (!driverName.success) fail(`--sandbox must be local or docker, got "${v.sandbox}"`);
  if (v.engines !== undefined && driverName.data !== "docker") fail("--engines needs --sandbox docker");
  const enginesConfig = v.engines === undefined
    ? undefined
    : await loadEnginesFile(v.engines).catch((e: Error) => fail(`--engines: ${e.message}`));
  const epochs = numberFlag("epochs", v.epochs, 1, true);
  if (epochs === null) fail("--epochs must be at least 1");
  const seed = numberFlag("seed", v.seed, 0, true) ?? 0;
  const poolCapacity = enginesConfig?.engines.reduce((n, e) => n + e.capacity, 0);
  const concurrency = numberFlag("concurrency", v.concurrency, poolCapacity ?? defaultConcurrency(), true);
  if (concurrency === null) fail("--concurrency must be at least 1");
  const limits = {
    tokens: numberFlag("token-limit", v["token-limit"], 2_000_000, true),
    actions: numberFlag("action-limit", v["action-limit"], 200, true),
    timeS: numberFlag("time-limit", v["time-limit"], 1800),
    costUsd: numberFlag("cost-limit", v["cost-limit"], 10),
  };
  const toolTimeout = numberFlag("tool-timeout", v["tool-timeout"], 120);
  const progressByName: Record<string, () => ProgressReporter> = {
    auto: autoProgress,
    bar: () => barProgress(),
    lines: () => lineProgress(),
    none: () => silentProgress,
  };
  if (!progressByName[v.progress]) fail(`--progress must be auto, bar, lines or none, got "${v.progress}"`);

  for (const module of v.import ?? []) {
    try {
      await import(toFileUrl(resolve(module)).href);
    } catch (e) {
      fail(`--import ${module}: ${(e as Error).message}`);
    }
  }
  let variants;
  try {
    variants = await loadVariants(v.variants);
  } catch (e) {
    fail((e as Error).message);
  }
  let prices: PriceTable | undefined;
  if (v.prices !== undefined) {
    try {
      prices = withPriceOverrides(await loadPriceTable(v.prices));
    } catch (e) {
      fail(`--prices: ${(e as Error).message}`);
    }
  }
  for (const m of models) {
    try {
      createModel(m, { prices });
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const taskMeta = await readTaskMetaOption(v["task-meta"]);
  if (taskMeta.errors) fail(taskMeta.errors.join("\n"));
  const suite = await loadSuite(v["tasks-dir"], { taskMeta: taskMeta.table }).catch((e: Error) =>
    fail(`--tasks-dir: ${e.message}`)
  );
  for (const e of suite.errors) console.error(`warning: skipped ${e.message}`);
  for (const w of suite.warnings) console.error(`warning: ${w.message}`);
  const tasks = selectTasks(suite.tasks, v.tasks);
  if (tasks.length === 0) fail(`--tasks: no task matches ${v.tasks ?? "(all)"} in ${suite.dir}`);
  // The simulator's chance of success depends on a task's minutes: refuse before any sandbox starts.
  const minuteless = tasks.filter((t) => t.manifest.humanMinutes === undefined).map((t) => t.id);
  const simulated = models.filter((m) => m === "simulated" || m.startsWith("simulated/"));
  if (minuteless.length && simulated.length) {
    fail(
      `--model ${
        simulated[0]
      } needs each task's human minutes; ${minuteless.length} selected task(s) have none ` +
        `(${minuteless.slice(0, 5).join(", ")}${minuteless.length > 5 ? ", …" : ""}): give them with ` +
        "--task-meta <file>, or leave those tasks out with --tasks",
    );
  }

  let settle: SettleOptions | undefined;
  if (v["until-settled"] !== undefined) {
    let question;
    try {
      question = parseQuestionSpec(v["until-settled"]);
    } catch (e) {
      fail((e as Error).message);
    }
    if (models.length !== 1) fail("--until-settled takes exactly one --model");
    for (const name of question.question === "gap" ? [question.a, question.b] : [question.agent]) {
      if (!variants.some((x) => x.name === name)) {
        fail(`--until-settled: variant "${name}" is not among --variants`);
      }
    }
    const minuteless = tasks.find((t) => t.manifest.humanMinutes === undefined);
    if (minuteless) fail(`--until-settled needs each task's human minutes; ${minuteless.id} has none`);
    const spending = v.spending ?? "obf";
    if (spending !== "obf" && spending !== "pocock") {
      fail(`--spending must be obf or pocock, got "${spending}"`);
    }
    const width = question.question === "gap" ? 2 : 1;
    settle = {
      question,
      maxRounds: numberFlag("max-rounds", v["max-rounds"], 6, true) ??
        fail("--max-rounds must be at least 1"),
      roundSize: numberFlag("round-size", v["round-size"], 10, true) ??
        fail("--round-size must be at least 1"),
      budgetRuns: numberFlag("budget-runs", v["budget-runs"], tasks.length * width * epochs, true) ??
        fail("--budget-runs must be at least 1"),
      spending,
      replicates: 1000,
    };
    if (settle.roundSize < width) fail(`--round-size must be at least ${width} for a gap question (a pair)`);
  } else {
    for (const k of ["max-rounds", "round-size", "budget-runs", "spending"] as const) {
      if (v[k] !== undefined) fail(`--${k} needs --until-settled`);
    }
  }

  const logProblem = await outputDirProblem("log", v.log);
  if (logProblem) fail(logProblem);
  await sweepLeftovers(); // what killed runners left: run directories, containers (see lib/run/leftovers.ts)
  let pool: EnginePool | undefined;
  if (enginesConfig) {
    pool = await EnginePool.open(enginesConfig, {
      imageSources: await localImageSource(),
      log: (line) => console.error(`evalkit: ${line}`),
    }).catch((e: Error) => {
      throw new CliExit(1, `error: --engines ${v.engines}: ${e.message}`);
    });
  }
  const driver: SandboxDriver = pool ?? await createSandboxDriver(driverName.data).catch((e: Error) => {
    throw new CliExit(1, `error: ${e.message}`);
  });
  // METR families' images (METR's build step) are built before the first sandbox, with their progress here.
  await prepareImagesWithProgress(tasks, driver);
  const cancel = new AbortController();
  const onSigint = () => {
    if (cancel.signal.aborted) return; // the same Ctrl-C forwarded by deno task, or a repeat
    console.error("\ninterrupted: no new cells are started; re-run the same command to resume");
    cancel.abort();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  // The first Ctrl-C is ours (stop scheduling, let in-flight cells close their sandboxes); a second one makes
  // the sandbox module close everything and exit at once.
  const previousPolicy = setSandboxSignalPolicy("second-signal");
  // SIGTERM, or the death of the launcher (`kill -9` of `deno task eval`), stops at once as if this process
  // had been killed too: nothing more is logged (in-flight cells are rerun on resume), the lock is released,
  // every sandbox is closed, exit 143 / 137.
  const halt = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  const stopNow = (reason: string, code: number) => {
    if (halt.signal.aborted) return;
    halt.abort();
    try {
      console.error(`\n${reason}: stopping now; re-run the same command to resume`);
    } catch {
      // stderr may be gone with the launcher
    }
    // Close every sandbox at once (the agents' processes die), give the cells in flight a moment to see the
    // cancellation (a sandbox still being created is then destroyed by its cell), close what is left, exit.
    // This exits the process even when `main` was called as a function: SIGTERM and the launcher's death mean
    // the process is to stop, and `main` never returns after a halt.
    closeAllSandboxes()
      .then(() => Promise.race([running.catch(() => {}), new Promise((r) => setTimeout(r, 5_000))]))
      .then(() => closeAllSandboxes())
      .finally(() => Deno.exit(code));
  };
  const onSigterm = () => stopNow("terminated (SIGTERM)", 143);
  Deno.addSignalListener("SIGTERM", onSigterm);
  const stopWatching = watchParent((pid) => stopNow(`the launching process (pid ${pid}) died`, 137));
  // After a halt, stopNow closes everything and exits with its own code: nothing more happens here.
  const haltExits = () => new Promise<never>(() => {});
  let summary;
  try {
    const evalOptions: EvalOptions = {
      tasks,
      variants,
      models,
      epochs,
      seed,
      driver,
      resolveModel: (name) => createModel(name, { prices }),
      logDir: v.log,
      evalId: v["eval-id"],
      limits,
      tools: toolTimeout === null ? {} : { timeoutS: toolTimeout },
      concurrency,
      retryErrors: v["retry-errors"],
      fsync: v.fsync,
      progress: progressByName[v.progress](),
      signal: cancel.signal,
      halt: halt.signal,
    };
    const evalRun = settle ? runUntilSettled(evalOptions, settle) : runEval(evalOptions);
    running = evalRun;
    summary = await evalRun.catch((e: Error) => {
      if (halt.signal.aborted) return haltExits();
      throw new CliExit(1, `error: ${e.message}`);
    });
    if (halt.signal.aborted) await haltExits();
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    Deno.removeSignalListener("SIGTERM", onSigterm);
    stopWatching();
    setSandboxSignalPolicy(previousPolicy);
    await pool?.close();
  }
  if (pool) {
    for (const s of pool.status()) {
      console.error(
        `engine ${s.name}: ${s.up ? "up" : `down (${s.lastError})`}, ${s.placed} sandbox(es) placed`,
      );
    }
    if (summary.rescheduled) {
      console.error(`${summary.rescheduled} attempt(s) lost with an engine were rescheduled`);
    }
  }
  for (const line of describeIssues(summary.logIssues)) console.error(`warning: skipped log line ${line}`);

  const { table } = await runs(summary.logPath);
  const sources = describeDataSources(table);
  const byAgent = inStableOrder(table).groupby("alias", "model").rollup({
    runs: aq.op.count(),
    success: aq.op.mean("score_binarized"),
    mean_score: aq.op.mean("score"),
    tokens: aq.op.sum("total_tokens"),
    cost_usd: aq.op.sum("dollar_equivalent"),
  }).orderby("alias").objects() as Record<string, unknown>[];
  if (v.json) {
    // Machine-readable: the cost column keeps its name; each simulated agent has `data: "simulated"`.
    const agents = labelSimulatedRows(byAgent, sources, "cost_usd", { renameCost: false });
    console.log(JSON.stringify({ ...summary, agents, dataSources: sources }, null, 2));
  } else {
    console.log(formatTable(labelSimulatedRows(byAgent, sources)));
    for (const line of dataSourceLines(sources)) console.log(`data: ${line}`);
    console.log(`log: ${summary.logPath}  (tables: deno task runs --log ${v.log})`);
    const settled = settleLine(summary);
    if (settled) console.log(settled);
  }
  // Errors are infrastructure failures (model endpoint, sandbox, task hooks), not agent failures: say which,
  // and fail the command when nothing it ran finished (e.g. an endpoint that does not answer).
  if (summary.counts.error > 0) {
    const errors = table.filter((d: { error: string | null }) => d.error !== null).array("error") as string[];
    console.error(
      `error: ${summary.counts.error} of ${summary.ran} cell(s) ended with an error` +
        (errors.length ? `; last: ${errors[errors.length - 1]}` : "") +
        ` (rerun with --retry-errors)`,
    );
  }
  const nothingFinished = summary.ran > 0 && summary.counts.ok + summary.counts.limit === 0;
  return summary.cancelled ? 130 : nothingFinished ? 1 : 0;
}

/**
 * This machine's own Docker engine as a source of images for a pool (images built here are copied to the
 * engines that lack them), when it answers; none otherwise.
 */
async function localImageSource() {
  const { dockerClient, dockerEngineReachable } = await import("../sandbox/docker.ts");
  try {
    const docker = dockerClient();
    return (await dockerEngineReachable(docker)) ? [{ name: "local", docker }] : [];
  } catch {
    return [];
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
