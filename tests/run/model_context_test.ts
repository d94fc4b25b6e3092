/**
 * The generic runner knows nothing of the simulator: no module of lib/run/ names it in code, and any model
 * (here a small offline model written in the test, not the simulator) gets the same run context, with the
 * task environment's reference runs, and can act through them. Uses the local sandbox (root + bubblewrap).
 */
import assert from "node:assert/strict";
import type { GenerateResult, Model, ModelRunContext } from "../../lib/model/types.ts";
import { createSandboxDriver } from "../../lib/sandbox/mod.ts";
import { loadSuite, selectTasks } from "../../lib/task/loader.ts";
import { loadVariants } from "../../lib/agent/variant.ts";
import { runEval } from "../../lib/run/runner.ts";
import { runs } from "../../lib/frame/tables.ts";
import type { LogRunRow } from "../../lib/frame/runs_from_log.ts";
import { FIXTURE_TASKS } from "../agent/harness.ts";

const RUN_DIR = new URL("../../lib/run/", import.meta.url).pathname;

/** Source without comments (line comments only when they start a line or follow code after white space). */
const code = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");

Deno.test("no module of lib/run/ names the simulator or its extras in code", async () => {
  const offenders: string[] = [];
  for await (const entry of Deno.readDir(RUN_DIR)) {
    if (!entry.name.endsWith(".ts")) continue;
    const text = code(await Deno.readTextFile(RUN_DIR + entry.name));
    for (const word of [/simulat/i, /\bextras\b/, /["']solve["']/]) {
      if (word.test(text)) offenders.push(`${entry.name}: ${word}`);
    }
  }
  assert.deepEqual(offenders, []);
});

/** A model of this test: on its first call it runs the task's reference solution and submits the result. */
function referenceModel(seen: ModelRunContext[]): Model {
  const make = (context?: ModelRunContext): Model => ({
    name: "test/reference",
    forRun: (ctx) => {
      seen.push(ctx);
      return make(ctx);
    },
    async generate(): Promise<GenerateResult> {
      if (!context?.reference) throw new Error("no reference runs in the run context");
      const answer = await context.reference.runSolution();
      return {
        choices: [{
          content: "",
          toolCalls: [{ id: "call-1", name: "submit", arguments: { answer } }],
        }],
        usage: { inputTokens: 1, outputTokens: 1 },
        costUsd: 0,
        model: "test/reference",
        retries: 0,
      };
    },
  });
  return make();
}

Deno.test(
  "any model gets the run context with the environment's reference runs",
  { sanitizeOps: false, sanitizeResources: false },
  async () => {
    const suite = await loadSuite(FIXTURE_TASKS);
    const tasks = selectTasks(suite.tasks, "trivial/one_minute,trivial/one_hour");
    const logDir = await Deno.makeTempDir({ prefix: "evalkit-test-log-" });
    const seen: ModelRunContext[] = [];
    try {
      const summary = await runEval({
        tasks,
        variants: await loadVariants("chat"),
        models: ["test/reference"],
        driver: await createSandboxDriver("local"),
        resolveModel: () => referenceModel(seen),
        logDir,
        concurrency: 1,
        seed: 7,
      });
      assert.equal(summary.counts.ok, 2, JSON.stringify(summary.counts));
      const rows = (await runs(logDir)).table.objects() as unknown as LogRunRow[];
      assert.deepEqual(rows.map((r) => r.score).sort(), [1, 1], "the reference solution scores 1");
      assert.ok(seen.length >= 2);
      for (const ctx of seen) {
        assert.ok(["trivial/one_minute", "trivial/one_hour"].includes(ctx.taskId));
        assert.equal(ctx.scaffold, "chat");
        assert.equal(ctx.humanMinutes, ctx.taskId === "trivial/one_minute" ? 1 : 60);
        assert.equal(typeof ctx.reference?.runWrongAttempt, "function");
        assert.equal(ctx.extras, undefined, "the runner passes no model-specific extras");
      }
    } finally {
      await Deno.remove(logDir, { recursive: true });
    }
  },
);
