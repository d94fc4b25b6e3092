/**
 * A task's success threshold: loaded from both family formats, shown by `deno task tasks`, and checked by
 * QA against the reference (a success) and the wrong attempt (a failure, since the simulated model runs it for
 * a failed run).
 */
import assert from "node:assert/strict";
import { successThresholdReasons } from "../../lib/task/qa.ts";
import { loadSuite } from "../../lib/task/loader.ts";
import { taskSummaryRow } from "../../lib/task/summary.ts";
import { metrTaskMetadata, parseManifest } from "../../lib/task/metr_manifest.ts";
import { TaskLoadError } from "../../lib/task/errors.ts";

const withThreshold = (successThreshold?: number) => ({ manifest: { successThreshold } }) as never;

Deno.test("QA: the reference must reach the success threshold and the wrong attempt stay below it", () => {
  assert.deepEqual(successThresholdReasons(withThreshold(0.95), 1, 0.9), []);
  const wrongTooHigh = successThresholdReasons(withThreshold(undefined), 1, 0.86);
  assert.equal(wrongTooHigh.length, 1);
  assert.match(wrongTooHigh[0], /wrong attempt scored 0\.86, at or above the default success threshold 0\.5/);
  const referenceTooLow = successThresholdReasons(withThreshold(0.95), 0.93, 0.2);
  assert.match(referenceTooLow[0], /reference solution scored 0\.93, below the success threshold 0\.95/);
  assert.deepEqual(
    successThresholdReasons(withThreshold(0.95), null, null),
    [],
    "a missing score is reported elsewhere",
  );
});

Deno.test("success_threshold in a METR manifest's meta block is read, checked and named when invalid", () => {
  const manifest = (value: string) =>
    parseManifest(
      `tasks:\n  t:\n    meta:\n      human_minutes: 30\n      success_threshold: ${value}\n`,
      "fam",
    );
  assert.equal(metrTaskMetadata("fam", "t", manifest("0.9")).metadata.successThreshold, 0.9);
  assert.throws(
    () => metrTaskMetadata("fam", "t", manifest("1.5")),
    (e: unknown) => e instanceof TaskLoadError && /tasks\.t\.meta\.success_threshold/.test(e.message),
  );
});

Deno.test("the bundled suite: declared thresholds reach the tasks table; others show the default", async () => {
  const suite = await loadSuite();
  const rows = new Map(suite.tasks.map((t) => [t.id, taskSummaryRow(t)]));
  assert.equal(rows.get("sql_engine/select_filter")!.successThreshold, 0.95); // METR format
  assert.equal(rows.get("tiny_compiler/compiler_opt")!.successThreshold, 0.95); // TypeScript
  assert.equal(rows.get("password_recovery/plain")!.successThreshold, 0.5);
});
