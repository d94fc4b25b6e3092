/**
 * Runs scaffolds end to end for tests: the trivial fixture family, the real local sandbox, the real
 * OpenAI-compatible provider against a scripted loopback server, and the real runner and log.
 */
import { createModel, type CreateModelOptions } from "../../lib/model/registry.ts";
import { createSandboxDriver } from "../../lib/sandbox/mod.ts";
import { loadSuite, selectTasks } from "../../lib/task/loader.ts";
import { loadVariants, resolveVariant, type VariantInput } from "../../lib/agent/variant.ts";
import { type EvalOptions, runEval } from "../../lib/run/runner.ts";
import { runs } from "../../lib/frame/tables.ts";
import { events } from "../../lib/frame/tables.ts";
import type { LogRunRow } from "../../lib/frame/runs_from_log.ts";

/** Absolute path of the fixture tasks directory. */
export const FIXTURE_TASKS = new URL("../fixtures/tasks/", import.meta.url).pathname;

/** Run one or more variants of a scripted model on fixture tasks; returns the run rows and events. */
export async function runScripted(opts: {
  variants: string | VariantInput[];
  modelOptions?: CreateModelOptions;
  model?: string;
  tasks?: string;
  /** Task families directory (default: the trivial fixture family). */
  tasksDir?: string;
  limits?: EvalOptions["limits"];
  epochs?: number;
  logDir?: string;
  retryErrors?: boolean;
}): Promise<
  {
    rows: LogRunRow[];
    events: Record<string, unknown>[];
    logDir: string;
    summary: Awaited<ReturnType<typeof runEval>>;
  }
> {
  const suite = await loadSuite(opts.tasksDir ?? FIXTURE_TASKS);
  const tasks = selectTasks(suite.tasks, opts.tasks ?? "trivial/one_minute");
  const variants = typeof opts.variants === "string"
    ? await loadVariants(opts.variants)
    : await Promise.all(opts.variants.map((v) => resolveVariant(v)));
  const logDir = opts.logDir ?? await Deno.makeTempDir({ prefix: "evalkit-test-log-" });
  const summary = await runEval({
    tasks,
    variants,
    models: [opts.model ?? "openai/scripted"],
    epochs: opts.epochs ?? 1,
    driver: await createSandboxDriver("local"),
    resolveModel: (name) => createModel(name, opts.modelOptions ?? {}),
    logDir,
    limits: opts.limits,
    concurrency: 2,
    retryErrors: opts.retryErrors,
  });
  const table = (await runs(logDir)).table;
  const ev = (await events(logDir)).table;
  return {
    rows: table.objects() as unknown as LogRunRow[],
    events: ev.objects() as Record<string, unknown>[],
    logDir,
    summary,
  };
}
