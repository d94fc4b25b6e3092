/**
 * QA of every bundled task in both real sandboxes (the "done when"): empty submission 0,
 * reference ≥ 0.9, wrong attempt below the reference, nothing private readable by the agent, and every
 * cheat of the battery (lib/task/cheats.ts, generic and the family's own) at 0 with the host untouched.
 * One step per task, so a failing task is named with its reasons. Also asserts the suite's shape (issue 15):
 * ≥ 39 tasks in ≥ 14 families, ≥ 8 tasks of ≥ 8 hours, ≥ 4 of ≥ 16 hours, ≥ 2 of ≥ 40 hours, every bucket
 * below 3,840 minutes with ≥ 2 tasks, the long tasks across the four domains, each with intermediate scoring
 * and declared cheats, and ≥ 4 METR-format families.
 */
import { assert, assertEquals } from "../util/assert.ts";
import { loadSuite } from "../../lib/task/loader.ts";
import { qaSuite } from "../../lib/task/qa.ts";
import { testDrivers } from "../util/drivers.ts";
import { DEFAULT_BUCKETS } from "../../lib/task/buckets.ts";

const suite = await loadSuite();

Deno.test("suite: loads without errors; ≥ 39 tasks up to a working week, ≥ 2 in every bucket below 3,840 minutes", () => {
  assertEquals(suite.errors.map((e) => e.message), []);
  assert(suite.tasks.length >= 39, `${suite.tasks.length} tasks`);
  assert(suite.families.length >= 14, `${suite.families.length} families`);
  assert(suite.tasks.every((t) => t.manifest.humanMinutes !== undefined), "a bundled task lacks minutes");
  for (const bucket of DEFAULT_BUCKETS.filter((b) => b.maxMinutes <= 3840)) {
    const n = suite.tasks.filter((t) => t.bucket?.id === bucket.id).length;
    assert(n >= 2, `bucket ${bucket.id} has ${n} task(s), expected >= 2`);
  }
  const atLeast = (minutes: number) => suite.tasks.filter((t) => (t.manifest.humanMinutes ?? 0) >= minutes);
  for (const [minutes, count] of [[480, 8], [960, 4], [2400, 2]]) {
    assert(atLeast(minutes).length >= count, `${atLeast(minutes).length} tasks of >= ${minutes} min`);
  }
  const longDomains = new Set(atLeast(480).map((t) => t.manifest.domain));
  for (const d of ["software_engineering", "ml_engineering", "cybersecurity", "research"]) {
    assert(longDomains.has(d as never), `no task of >= 8 hours in domain ${d}`);
  }
  for (const t of atLeast(480)) {
    assert(t.family.definition.intermediateScore !== undefined, `${t.id}: no intermediate scoring`);
    assert(Object.keys(t.family.definition.cheats ?? {}).length >= 1, `${t.id}: declares no cheats`);
    assert(/\d+\s*min/.test(t.manifest.detail ?? ""), `${t.id}: detail gives no per-part minutes`);
  }
  const domains = new Set(suite.tasks.map((t) => t.manifest.domain));
  for (const d of ["software_engineering", "ml_engineering", "cybersecurity", "research"]) {
    assert(domains.has(d as never), `no task in domain ${d}`);
  }
  assert(
    suite.families.filter((f) => f.format === "metr-python").length >= 4,
    "four METR-format Python families (two of them long-task families)",
  );
});

for (const { name, driver } of await testDrivers()) {
  Deno.test({
    name: `QA (${name}): every bundled task`,
    ignore: !driver,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async (t) => {
      const started = performance.now();
      const results = await qaSuite(suite.tasks, driver!, { concurrency: 2 });
      console.log(
        `QA (${name}): ${results.length} tasks in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      for (const result of results) {
        await t.step(result.taskId, () => {
          assert(result.cheats.length >= 5, `${result.taskId}: the cheat battery did not run`);
          assert(result.passed, `${result.taskId}: ${result.reasons.join("; ")}`);
        });
      }
    },
  });
}
