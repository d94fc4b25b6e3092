/**
 * The task environment against the real sandboxes: guarded hooks name the task and hook; scores
 * outside [0,1] are refused; manual scoring returns null; the reference solution and wrong attempt
 * act as the agent; and the sandbox is gone after destroy.
 */
import { assert, assertEquals, assertRejects } from "../util/assert.ts";
import { fromFileUrl } from "../../lib/util/path.ts";
import { loadSuite } from "../../lib/task/loader.ts";
import { startTaskEnvironment } from "../../lib/task/environment.ts";
import { TaskHookError } from "../../lib/task/errors.ts";
import { checkPrivacy, qaTask } from "../../lib/task/qa.ts";
import { testDrivers } from "../util/drivers.ts";

const HOOKS = fromFileUrl(new URL("../fixtures/suite_hooks/", import.meta.url));
const suite = await loadSuite(HOOKS);
const task = (name: string) => suite.tasks.find((t) => t.name === name)!;

for (const { name, driver, skip } of await testDrivers()) {
  Deno.test({
    name:
      `environment (${name}): good task — solution as agent scores 1, wrong attempt 0, empty 0, private /root`,
    ignore: !driver,
    fn: async () => {
      const result = await qaTask(task("good"), driver!, {});
      assertEquals(result.reasons, []);
      assertEquals(result.referenceScore, 1);
      assertEquals(result.wrongScore, 0);
      assertEquals(result.emptyScore, 0);
      assert(result.privacyOk);
      assert(result.passed);
    },
  });

  Deno.test({
    name:
      `environment (${name}): score outside [0,1] and a throwing scorer are TaskHookErrors naming task and hook`,
    ignore: !driver,
    fn: async () => {
      for (
        const [taskName, text] of [["out_of_range", "outside [0,1]"], ["score_throws", "scorer exploded"]]
      ) {
        const env = await startTaskEnvironment(task(taskName), driver!);
        try {
          const error = await assertRejects(() => env.score("x"), text);
          assert(error instanceof TaskHookError);
          assertEquals(error.taskId, `hooks/${taskName}`);
          assertEquals(error.hook, "score");
        } finally {
          await env.destroy();
        }
      }
    },
  });

  Deno.test({
    name: `environment (${name}): a throwing setup hook is reported and leaves no sandbox behind`,
    ignore: !driver,
    fn: async () => {
      const error = await assertRejects(
        () => startTaskEnvironment(task("setup_throws"), driver!),
        "setup exploded",
      );
      assert(error instanceof TaskHookError);
      assertEquals(error.hook, "setup");
    },
  });

  Deno.test({
    name: `environment (${name}): null score means manual scoring; QA reports it instead of crashing`,
    ignore: !driver,
    fn: async () => {
      const env = await startTaskEnvironment(task("manual"), driver!);
      try {
        assertEquals(await env.score("anything"), null);
        assertEquals(await checkPrivacy(env), []);
      } finally {
        await env.destroy();
      }
      const result = await qaTask(task("manual"), driver!, {});
      assert(!result.passed);
      assert(
        result.reasons.some((r) => r.includes("reference solution scored null")),
        result.reasons.join("; "),
      );
    },
  });

  if (skip) console.warn(skip);
}
