/**
 * `deno task qa [--sandbox local|docker] [--tasks <glob>] [--concurrency N] [--json] [--no-cheats]
 * [--cheat NAME]...` — QA every task: the empty submission scores 0, the reference solution >= 0.9, the
 * wrong attempt below the reference, nothing private is readable by the agent, and every cheat of the
 * battery (lib/task/cheats.ts: generic cheats and the family's own) scores at the floor without touching
 * the host. `--no-cheats` skips the battery; `--cheat NAME` (repeatable or comma-separated) runs only the
 * named cheats and skips the base checks. `--family-tests` also runs each METR family's own pytest files
 * (`*_test.py`) in a started environment per task (they always run, in place of the reference and wrong
 * attempt, for a METR family with tests and no `qa/solution_<task>.sh`). Prints a table per task and one per task and cheat; exits 1 on
 * any failure (including families that failed to load).
 * @module
 */
import { parseArgs } from "node:util";
import { prepareImagesWithProgress } from "./images.ts";
import { createSandboxDriver } from "../sandbox/mod.ts";
import { sweepLeftovers } from "../run/leftovers.ts";
import { SandboxDriverName } from "../sandbox/types.ts";
import { DEFAULT_TASKS_DIR, globToRegExp, loadSuite, selectTasks } from "../task/loader.ts";
import { type QaResult, qaSuite } from "../task/qa.ts";
import { cheatMatches, cheatNamesFor, GENERIC_CHEATS } from "../task/cheats.ts";
import { formatTable } from "../util/table.ts";
import { CliExit, joinNegativeValues, readTaskMetaOption, withExitCode } from "./args.ts";
import { appendQaEvidence } from "../baseline/quality.ts";
import { qualityFile } from "./baselines.ts";

/**
 * Run `deno task qa` with `args`; returns the exit code: 0 every selected task passed, 1 a failure (or a
 * sandbox driver that cannot start), 2 a usage error.
 */
export function main(args: string[]): Promise<number> {
  return withExitCode(() => qa(args));
}

async function qa(args: string[]): Promise<number> {
  const usage =
    "usage: deno task qa [--sandbox local|docker] [--tasks <glob,...>] [--concurrency N] [--json] " +
    "[--no-cheats] [--cheat NAME[,NAME...]]... [--family-tests] [--task-meta <file>] [--record-quality]\n" +
    `generic cheats: ${GENERIC_CHEATS.join(", ")}; a family's own cheats are family:<name>`;
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args, ["concurrency"]),
      options: {
        sandbox: { type: "string", default: "local" },
        tasks: { type: "string" },
        dir: { type: "string", default: DEFAULT_TASKS_DIR },
        "task-meta": { type: "string" },
        concurrency: { type: "string", default: "2" },
        json: { type: "boolean", default: false },
        "no-cheats": { type: "boolean", default: false },
        "family-tests": { type: "boolean", default: false },
        cheat: { type: "string", multiple: true },
        "record-quality": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const driverName = SandboxDriverName.safeParse(values.sandbox);
  if (!driverName.success) {
    console.error(`error: --sandbox must be local or docker, got "${values.sandbox}"`);
    return 2;
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    console.error(`error: --concurrency must be a positive integer, got "${values.concurrency}"`);
    return 2;
  }
  const taskMeta = await readTaskMetaOption(values["task-meta"]);
  if (taskMeta.errors) {
    for (const line of taskMeta.errors) console.error(`error: ${line}`);
    return 2;
  }
  const suite = await loadSuite(values.dir, { taskMeta: taskMeta.table }).catch((e: Error) => {
    throw new CliExit(2, `error: --dir: ${e.message}`);
  });
  for (const w of suite.warnings) console.error(`warning: ${w.message}`);
  const tasks = selectTasks(suite.tasks, values.tasks);
  if (tasks.length === 0 && suite.errors.length === 0) {
    console.error(`error: --tasks: no task matches ${values.tasks ?? "(all)"}`);
    return 2;
  }
  const onlyCheats = values.cheat?.flatMap((c) => c.split(",")).map((c) => c.trim()).filter((c) => c);
  if (onlyCheats && values["no-cheats"]) {
    console.error("error: --cheat and --no-cheats exclude each other");
    return 2;
  }
  for (const selector of onlyCheats ?? []) {
    const known = tasks.some((t) => {
      try {
        return cheatNamesFor(t).some((n) => cheatMatches(n, selector));
      } catch {
        return false;
      }
    });
    if (!known) {
      console.error(
        `error: --cheat: no selected task has a cheat named "${selector}" (generic cheats: ${
          GENERIC_CHEATS.join(", ")
        }; a family's own: family:<name>)`,
      );
      return 2;
    }
  }
  await sweepLeftovers(); // what killed runs left: run directories, containers, image builds
  const driver = await createSandboxDriver(driverName.data).catch((e: Error) => {
    throw new CliExit(1, `error: ${e.message}`);
  });
  // METR families' images (METR's build step) are built before the first sandbox, with their progress here.
  await prepareImagesWithProgress(tasks, driver);
  const started = performance.now();
  const log = (r: QaResult) => {
    if (!values.json) {
      const cheats = r.cheats.length
        ? `, cheats ${r.cheats.filter((c) => c.status !== "fail").length}/${r.cheats.length} passed`
        : "";
      console.error(
        `${r.passed ? "pass" : "FAIL"}  ${r.taskId}  (${(r.durationMs / 1000).toFixed(1)} s${cheats})`,
      );
    }
  };
  const results = await qaSuite(tasks, driver, {
    concurrency,
    onResult: log,
    cheats: !values["no-cheats"],
    base: !onlyCheats,
    onlyCheats,
    familyTests: values["family-tests"],
  });
  const totalSeconds = (performance.now() - started) / 1000;
  // Load failures count when they concern the selection: a task the --tasks globs match, or a family that
  // any of them names (a failed family has no task ids to match).
  const patterns = values.tasks?.split(",").map((p) => p.trim()).filter(Boolean).map(globToRegExp);
  const selected = (family: string, task: string | undefined) =>
    !patterns ||
    patterns.some((r) =>
      task !== undefined
        ? r.test(`${family}/${task}`) || r.test(family)
        : r.test(family) || r.test(`${family}/x`) || r.source.startsWith(`^${family}/`)
    );
  const loadFailures = suite.errors.filter((e) => selected(e.family, e.task)).map((e) => ({
    taskId: `${e.family}${e.task ? "/" + e.task : ""}`,
    reason: e.message,
  }));
  const failed = results.filter((r) => !r.passed).length + loadFailures.length;
  if (values["record-quality"]) {
    // Evidence for quality levels (docs/baselines.md): one line per task, pass or fail; the latest counts.
    const date = new Date().toISOString();
    await appendQaEvidence(
      qualityFile(),
      results.map((r) => ({
        task: r.taskId,
        sandbox: driverName.data,
        date,
        passed: r.passed,
        complete: r.baseChecked && !values["no-cheats"] && !onlyCheats,
        evidence:
          `deno task qa --sandbox ${driverName.data}: empty ${r.emptyScore}, reference ${r.referenceScore}, ` +
          `wrong ${r.wrongScore}, private ${r.privacyOk}, cheats ${
            r.cheats.filter((c) => c.status !== "fail").length
          }/${r.cheats.length}`,
      })),
    );
  }
  if (values.json) {
    console.log(JSON.stringify({ sandbox: driverName.data, totalSeconds, results, loadFailures }, null, 2));
  } else {
    if (!onlyCheats) {
      console.log(formatTable(results.map((r) => ({
        task: r.taskId,
        bucket: r.bucket,
        empty: r.emptyScore,
        reference: r.referenceScore,
        wrong: r.wrongScore,
        private: r.privacyOk === null ? "-" : r.privacyOk ? "ok" : "LEAK",
        "family tests": r.familyTests?.status ?? "-",
        cheats: r.cheats.length === 0
          ? "-"
          : `${r.cheats.filter((c) => c.status !== "fail").length}/${r.cheats.length}`,
        seconds: (r.durationMs / 1000).toFixed(1),
        status: r.passed ? "pass" : "FAIL",
      }))));
    }
    const cheatRows = results.flatMap((r) =>
      r.cheats.map((c) => ({
        task: r.taskId,
        cheat: c.cheat,
        score: c.score,
        seconds: (c.durationMs / 1000).toFixed(1),
        status: c.status === "fail" ? "FAIL" : c.status,
      }))
    );
    if (cheatRows.length) {
      if (!onlyCheats) console.log("");
      console.log(formatTable(cheatRows));
    }
    for (const r of results.filter((r) => !r.passed)) {
      for (const reason of r.reasons) console.log(`FAIL ${r.taskId}: ${reason}`);
    }
    for (const f of loadFailures) console.log(`FAIL ${f.taskId}: ${f.reason}`);
    console.log(
      `QA (${driverName.data}): ${
        results.length - (failed - loadFailures.length)
      } passed, ${failed} failed, ` +
        `${totalSeconds.toFixed(1)} s total`,
    );
  }
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
