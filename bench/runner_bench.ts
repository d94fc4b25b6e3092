/**
 * Benchmark: 1,000 runs of a trivial task (tests/fixtures/tasks/trivial, `one_minute`) with the simulated
 * model in the local (bubblewrap) sandbox, through the real runner and log.
 *
 *   deno run -A bench/runner_bench.ts [--runs 1000] [--concurrency 2] [--variant chat]
 *
 * Prints throughput (runs/s) and the per-run overhead beyond the sandbox start: the mean wall time of a
 * cell minus the mean time to start (create + setup) and destroy the task environment alone, measured
 * sequentially first. `deno task bench` runs a 20-run version through Deno.bench.
 * @module
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { createModel } from "../lib/model/registry.ts";
import { createSandboxDriver } from "../lib/sandbox/mod.ts";
import type { SandboxDriver } from "../lib/sandbox/types.ts";
import { type LoadedTask, loadSuite, selectTasks } from "../lib/task/loader.ts";
import { startTaskEnvironment } from "../lib/task/environment.ts";
import { loadVariants } from "../lib/agent/variant.ts";
import { runEval } from "../lib/run/runner.ts";
import { events, runs } from "../lib/frame/tables.ts";

const TASKS_DIR = new URL("../tests/fixtures/tasks/", import.meta.url).pathname;

async function trivialTask(): Promise<LoadedTask> {
  const suite = await loadSuite(TASKS_DIR);
  return selectTasks(suite.tasks, "trivial/one_minute")[0];
}

/** Mean ms to start and destroy the task environment alone (sandbox create + setup + teardown). */
async function sandboxLifecycleMs(task: LoadedTask, driver: SandboxDriver, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const env = await startTaskEnvironment(task, driver);
    await env.destroy();
    times.push(performance.now() - t);
  }
  return times.reduce((a, b) => a + b, 0) / n;
}

/** Run `n` runs; returns wall seconds and the runs table. */
async function runMany(
  task: LoadedTask,
  driver: SandboxDriver,
  n: number,
  concurrency: number,
  variant: string,
) {
  const logDir = await Deno.makeTempDir({ prefix: "evalkit-runner-bench-" });
  const t = performance.now();
  const summary = await runEval({
    tasks: [task],
    variants: await loadVariants(variant),
    models: ["simulated/30"],
    epochs: n,
    driver,
    resolveModel: (name) => createModel(name),
    logDir,
    concurrency,
  });
  const wallS = (performance.now() - t) / 1000;
  const { table } = await runs(logDir);
  const ev = (await events(logDir, { types: ["model_call", "observation", "score"] })).table;
  await Deno.remove(logDir, { recursive: true });
  if (summary.counts.ok !== n) {
    throw new Error(`expected ${n} ok runs, got ${JSON.stringify(summary.counts)}`);
  }
  // Time inside the sandbox and the model (tool executions, the simulator's solution run, scoring).
  const inside = (ev.array("duration_ms") as number[]).reduce((a, b) => a + (b ?? 0), 0) / n;
  return { wallS, table, insideMs: inside };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "1000" },
      concurrency: { type: "string", default: String(navigator.hardwareConcurrency || 1) },
      variant: { type: "string", default: "chat" },
    },
  });
  const n = Number(values.runs), concurrency = Number(values.concurrency);
  const task = await trivialTask();
  const driver = await createSandboxDriver("local");
  const lifecycle = await sandboxLifecycleMs(task, driver, 30);
  const cpuBefore = process.cpuUsage();
  const { wallS, table, insideMs } = await runMany(task, driver, n, concurrency, values.variant);
  const cpu = process.cpuUsage(cpuBefore);
  const durations = table.array("duration_s") as number[];
  const meanCellMs = 1000 * durations.reduce((a, b) => a + b, 0) / durations.length;
  const actions = (table.array("actions") as number[]).reduce((a, b) => a + b, 0) / n;
  console.log(`runs: ${n} (${values.variant}, simulated/30, local sandbox, concurrency ${concurrency})`);
  console.log(`wall: ${wallS.toFixed(1)} s → ${(n / wallS).toFixed(1)} runs/s`);
  console.log(`sandbox start+destroy alone (sequential mean of 30): ${lifecycle.toFixed(1)} ms`);
  console.log(
    `mean cell wall time: ${meanCellMs.toFixed(1)} ms (${
      actions.toFixed(1)
    } sandbox actions + scoring per run)`,
  );
  console.log(
    `per-run overhead beyond the sandbox start: ${(meanCellMs - lifecycle).toFixed(1)} ms, of which`,
  );
  console.log(
    `  tool executions, model calls (incl. the simulator's solution run) and scoring: ${
      insideMs.toFixed(1)
    } ms`,
  );
  console.log(
    `  remainder (waits for CPU at this concurrency, agent loop, limits, log writes): ${
      (meanCellMs - lifecycle - insideMs).toFixed(1)
    } ms`,
  );
  const cpuMs = (cpu.user + cpu.system) / 1000 / n;
  console.log(`runner process CPU (sandbox processes excluded): ${cpuMs.toFixed(1)} ms per run`);
  console.log(
    `cores: ${navigator.hardwareConcurrency}, load average: ${
      Deno.loadavg().map((x) => x.toFixed(1)).join(" ")
    }`,
  );
}

if (!import.meta.main) {
  let benchSetup: Promise<{ task: LoadedTask; driver: SandboxDriver }> | undefined;
  Deno.bench(
    { name: "runner: 20 trivial runs, simulated model, local sandbox", n: 3, warmup: 0 },
    async () => {
      benchSetup ??=
        (async () => ({ task: await trivialTask(), driver: await createSandboxDriver("local") }))();
      const { task, driver } = await benchSetup;
      await runMany(task, driver, 20, navigator.hardwareConcurrency || 1, "chat");
    },
  );
}
