/**
 * Realistic mistakes on every command line: each must end in a one-line error naming the option or file,
 * a non-zero exit code, and no stack trace. Most call the command's `main` in this process; those where the
 * process matters (a real eval, an unreachable Docker engine, `main` spawning eval) run it as a subprocess.
 */
import { assertFails, cli, README } from "./_run.ts";
import { inProcess, type Main } from "./_in_process.ts";
import { main as evalMain } from "../../lib/cli/eval.ts";
import { main as horizons } from "../../lib/cli/horizons.ts";
import { main as mainJob } from "../../lib/cli/main.ts";
import { main as protocol } from "../../lib/cli/protocol.ts";
import { main as qa } from "../../lib/cli/qa.ts";
import { main as report } from "../../lib/cli/report.ts";
import { main as runs } from "../../lib/cli/runs.ts";
import { main as tasks } from "../../lib/cli/tasks.ts";
import { main as workbench } from "../../lib/cli/workbench.ts";

const MAINS: Record<string, Main> = {
  eval: evalMain,
  horizons,
  main: mainJob,
  protocol,
  qa,
  report,
  runs,
  tasks,
  workbench,
};
/** `lib/cli/<name>.ts`'s `main(args)`, called in this process. */
const run = (name: string, args: string[], env: Record<string, string> = {}) =>
  inProcess(MAINS[name], args, env);

const tmp = await Deno.makeTempDir({ prefix: "evalkit_cli_" });
const RUNS = `${tmp}/runs.jsonl`;
await Deno.writeTextFile(RUNS, "");
const ALL_BAD = `${tmp}/all_bad.jsonl`;
await Deno.writeTextFile(ALL_BAD, "not json\n{also not json\n");

// tasks
Deno.test("tasks: a missing --dir is a one-line error, not a stack trace", async () => {
  assertFails(await run("tasks", ["--dir", `${tmp}/nope`]), 2, /^error: --dir: cannot read tasks directory/m);
});
Deno.test("tasks: a file as --dir is a one-line error", async () => {
  assertFails(await run("tasks", ["--dir", README]), 2, /^error: --dir: .*Not a directory/m);
});
Deno.test("tasks: an unknown option is a one-line error with the usage", async () => {
  assertFails(await run("tasks", ["--bogus"]), 2, /^error: Unknown option '--bogus'/m);
});
Deno.test("tasks: a --tasks glob that matches nothing fails instead of listing no rows", async () => {
  assertFails(await run("tasks", ["--tasks", "nope/*"]), 2, /^error: --tasks: no task matches nope\/\*/m);
});

// qa
Deno.test("qa: an unknown option is a one-line error", async () => {
  assertFails(await run("qa", ["--bogus"]), 2, /^error: Unknown option '--bogus'/m);
});
Deno.test("qa: a missing --dir is a one-line error", async () => {
  assertFails(await run("qa", ["--dir", `${tmp}/nope`]), 2, /^error: --dir: cannot read tasks directory/m);
});
Deno.test("qa: a negative --concurrency reaches the option's own check", async () => {
  assertFails(
    await run("qa", ["--concurrency", "-3"]),
    2,
    /^error: --concurrency must be a positive integer, got "-3"/m,
  );
});
Deno.test("qa: an unknown --sandbox and an unknown --tasks glob are named", async () => {
  assertFails(
    await run("qa", ["--sandbox", "nope"]),
    2,
    /^error: --sandbox must be local or docker, got "nope"/m,
  );
  assertFails(await run("qa", ["--tasks", "nope/*"]), 2, /^error: --tasks: no task matches nope\/\*/m);
});

// eval
Deno.test("eval: --epochs -1 is rejected by name, not as an 'ambiguous' argument", async () => {
  assertFails(
    await run("eval", ["--model", "simulated/30", "--epochs", "-1"]),
    2,
    /^error: --epochs must be a non-negative integer, got "-1"/m,
  );
});
Deno.test("eval: a missing --tasks-dir is a one-line error", async () => {
  assertFails(
    await run("eval", ["--model", "simulated/30", "--tasks-dir", `${tmp}/nope`]),
    2,
    /^error: --tasks-dir: cannot read tasks directory/m,
  );
});
Deno.test("eval: unknown provider, missing API key, bad --sandbox and unknown glob are named", async () => {
  assertFails(await run("eval", ["--model", "foo/bar"]), 2, /^error: foo\/bar: unknown provider "foo"/m);
  assertFails(
    await run("eval", ["--model", "openai/gpt-4o"], { OPENAI_API_KEY: "" }),
    2,
    /^error: openai\/gpt-4o: no API key: set the OPENAI_API_KEY/m,
  );
  assertFails(
    await run("eval", ["--model", "simulated/30", "--sandbox", "nope"]),
    2,
    /^error: --sandbox must be local or docker, got "nope"/m,
  );
  assertFails(
    await run("eval", ["--model", "simulated/30", "--tasks", "nope/*"]),
    2,
    /^error: --tasks: no task matches nope\/\*/m,
  );
});
Deno.test("eval: an endpoint that does not answer fails the command and names the error", async () => {
  const r = await cli("eval", [
    "--model",
    "openai/gpt-4o",
    "--variants",
    "basic",
    "--tasks",
    "mystery_function/affine",
    "--log",
    `${tmp}/eval_log`,
    "--progress",
    "none",
  ], { OPENAI_API_KEY: "test", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
  assertFails(r, 1, /^error: 1 of 1 cell\(s\) ended with an error; last: ModelError: .*127\.0\.0\.1:9/m);
});

// workbench
Deno.test("workbench: an unknown option is a one-line error", async () => {
  assertFails(await run("workbench", ["start", "--bogus"]), 2, /^error: Unknown option '--bogus'/m);
});
Deno.test("workbench: run with a missing --dir is a one-line error", async () => {
  assertFails(
    await run("workbench", ["run", "x/y", "--cmd", "true", "--dir", `${tmp}/nope`]),
    2,
    /^error: --dir: cannot read tasks directory/m,
  );
});

// runs
Deno.test("runs: a log with no readable line fails instead of printing an empty table", async () => {
  assertFails(
    await run("runs", ["--log", ALL_BAD]),
    1,
    /^error: --log .*: no readable run events \(2 unreadable/m,
  );
});
Deno.test("runs: a METR file with no valid run fails", async () => {
  assertFails(await run("runs", ["--metr", ALL_BAD]), 1, /^error: --metr .*: no valid runs \(2 bad lines\)/m);
});
Deno.test("runs: a negative --success-threshold reaches the option's own check", async () => {
  assertFails(
    await run("runs", ["--log", ALL_BAD, "--success-threshold", "-1"]),
    2,
    /^error: --success-threshold must be in \[0,1\], got "-1"/m,
  );
});

// horizons
Deno.test("horizons: a missing --runs says it is required", async () => {
  assertFails(await run("horizons", []), 2, /^horizons: --runs: required \(a runs.jsonl file or URL\)/m);
});
Deno.test("horizons: --bootstrap -1 is rejected by name", async () => {
  assertFails(
    await run("horizons", ["--runs", RUNS, "--bootstrap", "-1"]),
    2,
    /^horizons: --bootstrap: Too small/m,
  );
});
Deno.test("horizons: a file as --plots is refused before any work", async () => {
  assertFails(
    await run("horizons", ["--runs", RUNS, "--plots", README]),
    2,
    /^horizons: --plots .*README.md: exists and is not a directory/m,
  );
});
Deno.test("horizons: --trend-agents without --release-dates is refused instead of ignored", async () => {
  assertFails(
    await run("horizons", ["--runs", RUNS, "--trend-agents", "frontier"]),
    2,
    /^horizons: --trend-agents needs --release-dates/m,
  );
});

// protocol
Deno.test("protocol: --replicates -1 is rejected by name", async () => {
  assertFails(
    await run("protocol", ["--runs", RUNS, "--replicates", "-1"]),
    2,
    /^protocol: --replicates: Too small/m,
  );
});
Deno.test("protocol: a file as --plots is refused before any work", async () => {
  assertFails(
    await run("protocol", ["--runs", RUNS, "--plots", README]),
    2,
    /^protocol: --plots .*README.md: exists and is not a directory/m,
  );
});
Deno.test("protocol: a --tags file that does not exist fails instead of running without tags", async () => {
  assertFails(
    await run("protocol", ["--runs", RUNS, "--tags", `${tmp}/nope.csv`]),
    1,
    /^protocol: --tags .*nope.csv: no such file/m,
  );
});
Deno.test("protocol: a URL as --runs says URLs are not accepted (not 'no such file')", async () => {
  assertFails(
    await run("protocol", ["--runs", "http://127.0.0.1:9/runs.jsonl"]),
    1,
    /^protocol: --runs http:\/\/127.0.0.1:9\/runs.jsonl: a URL is not accepted here/m,
  );
});
Deno.test("protocol: a thresholds file with a wrong field names the file and the field", async () => {
  const file = `${tmp}/thresholds.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      thresholds: [{
        id: "h",
        metric: "p50_horizon",
        comparator: "=>",
        value: 1,
        unit: "hours",
        meaning: "m",
      }],
    }),
  );
  assertFails(
    await run("protocol", ["--runs", RUNS, "--thresholds", file]),
    1,
    /^protocol: .*thresholds.json at thresholds.0.comparator: Invalid option/m,
  );
});

// report
Deno.test("report: --jobs -1 is rejected by name", async () => {
  assertFails(
    await run("report", ["--jobs", "-1"]),
    1,
    /^report failed: --jobs: expected a whole number, got "-1"/m,
  );
});
Deno.test("report: a missing --data or --runs-log is named before any notebook runs", async () => {
  assertFails(
    await run("report", ["--data", `${tmp}/nope.jsonl`]),
    2,
    /^report failed: --data .*nope.jsonl: no such file/m,
  );
  assertFails(await run("report", ["--data", tmp]), 2, /^report failed: --data .*: not a file/m);
  assertFails(
    await run("report", ["--runs-log", `${tmp}/nope`]),
    2,
    /^report failed: --runs-log .*nope: no such file or directory/m,
  );
});
Deno.test("report: a URL as --data is refused by name (it used to become a path under the project)", async () => {
  assertFails(
    await run("report", ["--data", "http://127.0.0.1:9/runs.jsonl"]),
    2,
    /^report failed: --data http:\/\/127.0.0.1:9\/runs.jsonl: a URL is not accepted here/m,
  );
});

// output paths
Deno.test("runs: an --out in a missing directory is a one-line error, not a stack trace", async () => {
  const one = `${tmp}/one.jsonl`;
  await Deno.writeTextFile(
    one,
    JSON.stringify({
      run_id: "r1",
      task_id: "f/t",
      task_family: "f",
      alias: "a",
      model: "m",
      score: 1,
      score_binarized: 1,
      human_minutes: 5,
    }) + "\n",
  );
  assertFails(
    await run("runs", ["--metr", one, "--out", `${tmp}/nope/x.csv`]),
    1,
    /^error: --out .*nope\/x.csv: No such file/m,
  );
});
Deno.test("eval: a file as --log is named before any sandbox starts", async () => {
  assertFails(
    await run("eval", ["--model", "simulated/30", "--tasks", "mystery_function/affine", "--log", README]),
    2,
    /^error: --log .*README.md: exists and is not a directory/m,
  );
});
Deno.test("protocol: --out and tags --file/--out name the option when the path is unusable", async () => {
  assertFails(
    await run("protocol", ["tags", "import", "--runs", tmp, "--file", `${tmp}/nope.csv`]),
    1,
    /^protocol: --file .*nope.csv: No such file/m,
  );
  assertFails(
    await run("protocol", ["tags", "export", "--runs", tmp, "--out", `${tmp}/nope/x.csv`]),
    1,
    /^protocol: --out .*nope\/x.csv: No such file/m,
  );
});

// a Docker engine that does not answer (subprocesses: the smoke test of these three programs)
Deno.test("qa, eval, workbench run: an unreachable Docker engine is one line with the fix, no stack trace", async () => {
  const env = { DOCKER_HOST: "tcp://127.0.0.1:9" };
  const unavailable =
    /^error: docker sandbox unavailable: cannot reach a Docker engine at tcp:\/\/127.0.0.1:9/m;
  assertFails(
    await cli("qa", ["--sandbox", "docker", "--tasks", "mystery_function/affine"], env),
    1,
    unavailable,
  );
  assertFails(
    await cli("eval", [
      "--model",
      "simulated/30",
      "--sandbox",
      "docker",
      "--tasks",
      "mystery_function/affine",
      "--log",
      `${tmp}/docker_log`,
      "--progress",
      "none",
    ], env),
    1,
    unavailable,
  );
  assertFails(
    await cli("workbench", ["run", "mystery_function/affine", "--cmd", "true", "--sandbox", "docker"], env),
    1,
    unavailable,
  );
});

// main
Deno.test("main: a bad --sandbox is refused even with --skip-eval (it used to run the whole report)", async () => {
  assertFails(
    await run("main", ["--sandbox", "nope", "--skip-eval", "--out", `${tmp}/report`]),
    2,
    /^error: --sandbox must be local or docker, got "nope"/m,
  );
});
Deno.test("main: --epochs -1 reaches eval's own check, not an 'ambiguous' parse error", async () => {
  // A subprocess: main starts eval as a child process whose output is not captured in-process.
  assertFails(
    await cli("main", ["--epochs", "-1", "--out", `${tmp}/report`]),
    2,
    /^error: --epochs must be a non-negative integer, got "-1"/m,
  );
});
Deno.test("runs: a --log directory without any .jsonl fails instead of printing a header only", async () => {
  const dir = `${tmp}/no_logs`;
  await Deno.mkdir(`${dir}/sub`, { recursive: true });
  await Deno.writeTextFile(`${dir}/sub/eval.jsonl`, "");
  assertFails(
    await run("runs", ["--log", dir]),
    1,
    /^error: --log .*no_logs: no .jsonl log file in it \(subdirectories are not searched\)/m,
  );
});
Deno.test("protocol: a --runs directory without any .jsonl names the problem, not 'the runs table is empty'", async () => {
  const dir = `${tmp}/no_logs_protocol`;
  await Deno.mkdir(dir, { recursive: true });
  assertFails(
    await run("protocol", ["--runs", dir]),
    1,
    /^protocol: --runs .*no_logs_protocol: no .jsonl log file in it/m,
  );
});
Deno.test("horizons and runs --metr: an eval event log is recognised and the conversion is named", async () => {
  const log = `${tmp}/eval-log.jsonl`;
  await Deno.writeTextFile(log, '{"type":"eval_start","t":0}\n');
  assertFails(
    await run("horizons", ["--runs", log]),
    1,
    /^horizons: --runs .*eval-log.jsonl is an event log of deno task eval, not a runs table; convert it with deno task runs --log/m,
  );
  assertFails(
    await run("runs", ["--metr", log]),
    1,
    /^error: --metr .*eval-log.jsonl is an event log of deno task eval: read it with --log/m,
  );
});

// variants files
Deno.test("eval: a misspelt key in a variants file is named instead of silently running the defaults", async () => {
  const misspeltArg = `${tmp}/variants_arg.json`;
  await Deno.writeTextFile(
    misspeltArg,
    JSON.stringify([{ scaffold: "allTools", args: { temprature: 0.7 } }]),
  );
  assertFails(
    await run("eval", [
      "--model",
      "simulated/30",
      "--variants",
      misspeltArg,
      "--tasks",
      "mystery_function/affine",
    ]),
    2,
    /^error: variant .*variants_arg.json \[0\] \(scaffold allTools\): unknown argument args.temprature \(known: temperature/m,
  );
  const misspeltKey = `${tmp}/variants_key.json`;
  await Deno.writeTextFile(misspeltKey, JSON.stringify([{ scaffold: "basic", argz: {} }]));
  assertFails(
    await run("eval", [
      "--model",
      "simulated/30",
      "--variants",
      misspeltKey,
      "--tasks",
      "mystery_function/affine",
    ]),
    2,
    /^error: .*variants_key.json \[0\]: \(root\): Unrecognized key: "argz"/m,
  );
});
