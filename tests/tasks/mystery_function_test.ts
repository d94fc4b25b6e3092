import assert from "node:assert/strict";
import {
  expectedOutputs,
  scorePredictions,
  statefulRun,
  testInputs,
} from "../../tasks/mystery_function/family.ts";
import family from "../../tasks/mystery_function/family.ts";

Deno.test("stateful function follows its three rules and the step term", () => {
  const c = { k: 7, step: 3 };
  // acc 7 -> x=3 (x%3==0): 7+21=28, out 28+3=31; x=4: 57, out 57+6=63; x=5: 57^5=60, out 60+9=69
  assert.deepEqual(statefulRun(c, [3, 4, 5]), [31, 63, 69]);
});

Deno.test("scorePredictions: tolerance, partial credit, malformed input", () => {
  assert.equal(scorePredictions([1, 2, 3, 4], "[1, 2.0000001, 3.1, null]", false), 0.5);
  assert.equal(scorePredictions([1e9], "[1000000500]", false), 1);
  assert.equal(scorePredictions([1, 2], "", false), 0);
  assert.equal(scorePredictions([1, 2], '{"a": 1}', false), 0);
  assert.equal(scorePredictions([1, 2, 3], "[[1, 2], [3]]", true), 1);
});

Deno.test("piecewise test inputs include points near both breakpoints", () => {
  const data = family.tasks.piecewise.data as unknown as Parameters<typeof testInputs>[0];
  const xs = testInputs(data) as number[];
  const o = data.oracle as unknown as { b1: number; b2: number };
  assert.ok(xs.filter((x) => Math.abs(x - o.b1) < 0.31).length >= 5);
  assert.ok(xs.filter((x) => Math.abs(x - o.b2) < 0.31).length >= 5);
  assert.equal(expectedOutputs(data).length, 80);
});
