/**
 * finding_replication (METR format, tasks/finding_replication) in real sandboxes: local always, docker when an
 * engine is reachable (always in CI). Partial credit per field (the reference without its novelty step scores
 * strictly between the wrong attempt and the reference), intermediate scores visible mid-run (report format
 * for the research tasks, a validation slice for the model), and the family's cheats at 0.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../../lib/util/path.ts";
import { type LoadedFamily, loadFamilyDir } from "../../lib/task/loader.ts";
import { startTaskEnvironment, type TaskEnvironment } from "../../lib/task/environment.ts";
import { createSandboxDriver, dockerEngineReachable } from "../../lib/sandbox/mod.ts";
import type { SandboxDriver, SandboxDriverName } from "../../lib/sandbox/types.ts";

const FAMILY_DIR = fromFileUrl(new URL("../../tasks/finding_replication", import.meta.url));
const inCi = Deno.env.get("CI") === "true";
const DRIVERS: SandboxDriverName[] = (await dockerEngineReachable()) || inCi
  ? ["local", "docker"]
  : ["local"];

let loaded: Promise<LoadedFamily> | undefined;
/** Loads the family once per test process (the first load builds its image). */
function family(): Promise<LoadedFamily> {
  loaded ??= loadFamilyDir(FAMILY_DIR).then((result) => {
    assert.ok(
      result.family,
      `finding_replication did not load: ${result.errors.map((e) => e.message).join("; ")}`,
    );
    return result.family;
  });
  return loaded;
}

async function withTask(driver: SandboxDriver, name: string, body: (env: TaskEnvironment) => Promise<void>) {
  const task = (await family()).tasks.find((t) => t.name === name);
  assert.ok(task, `finding_replication has no task ${name}`);
  const env = await startTaskEnvironment(task, driver);
  try {
    await body(env);
  } finally {
    await env.destroy();
  }
}

/** Runs a shell script as the agent in /home/agent; resolves to its last stdout line. */
async function asAgent(env: TaskEnvironment, script: string): Promise<string> {
  const done = await env.sandbox.exec(["bash", "-s"], {
    stdin: script,
    cwd: "/home/agent",
    timeoutMs: 60_000,
  });
  assert.equal(done.exitCode, 0, `script failed: ${done.stderr.slice(-800)}`);
  return done.stdout.trim().split("\n").pop() ?? "";
}

for (const name of DRIVERS) {
  const opts = { sanitizeOps: false, sanitizeResources: false };

  Deno.test({
    name: `finding_replication (${name}): per-field partial credit and format-only intermediate scores`,
    ...opts,
    fn: async () => {
      const driver = await createSandboxDriver(name);
      await withTask(driver, "ab_replication", async (env) => {
        // Nothing written yet: intermediate 0, then one well-formed field of five.
        assert.equal((await env.intermediateScore()).score, 0);
        await asAgent(env, `echo '{"effect": 0.01, "issues": "x"}' > /home/agent/report.json`);
        const mid = await env.intermediateScore();
        assert.equal(mid.score, 0.2);
        assert.match(JSON.stringify(mid.message), /claim_replicates/);

        const wrong = await env.score(await env.runWrongAttempt());
        const reference = await env.score(await env.runSolution());
        // The reference without its novelty step (keeps each user's first week, does not report the code).
        const source = await Deno.readTextFile(`${FAMILY_DIR}/qa/solution_ab_replication.sh`);
        const partialScript = source.replace("first_day[user] >= 7", "first_day[user] >= 0")
          .replace(', "novelty_effect"]', "]");
        assert.notEqual(partialScript, source);
        const partial = await env.score(await asAgent(env, partialScript));
        assert.ok(reference !== null && reference >= 0.9, `reference ${reference}`);
        assert.ok(
          wrong !== null && partial !== null && wrong < partial && partial < reference,
          `${wrong} ${partial}`,
        );
        // The intermediate score reports format only: the complete reference report is 1.
        assert.equal((await env.intermediateScore()).score, 1);
      });
    },
  });

  Deno.test({
    name:
      `finding_replication (${name}): the model's validation slice is visible mid-run; family cheats score 0`,
    ...opts,
    fn: async () => {
      const driver = await createSandboxDriver(name);
      await withTask(driver, "shift_robust_model", async (env) => {
        assert.equal((await env.intermediateScore()).score, 0);
        // Trained on the spurious flag: low on the validation slice and at the end.
        const wrong = await env.runWrongAttempt();
        const early = (await env.intermediateScore()).score;
        assert.ok(early !== null && early < 0.3, `wrong attempt's slice score ${early}`);
        assert.ok((await env.score(wrong))! < 0.3);
        await env.runSolution();
        assert.ok((await env.intermediateScore()).score! >= 0.9);
        // The majority class everywhere, and a link to the root-only truth: 0.
        assert.equal(await env.score(await env.runCheat("all_issues")), 0);
        assert.equal(await env.score(await env.runCheat("link_truth")), 0);
      });
      await withTask(driver, "observational_reanalysis", async (env) => {
        // Every issue code ticked with the published estimate: the wrong codes cancel the right ones.
        assert.equal(await env.score(await env.runCheat("all_issues")), 0);
        assert.equal(await env.score(await env.runCheat("paper_claim")), 0);
      });
    },
  });
}
