import { assertAlmostEquals, assertEquals, assertThrows } from "./_assert.ts";
import { OptionsError } from "../../lib/core/options.ts";
import { curveP50, resolveAssumptions } from "../../lib/plan/assumptions.ts";
import { checkQuestion, questionTruth } from "../../lib/plan/questions.ts";
import { meanSigmoid, trueGap, trueP50 } from "../../lib/plan/truth.ts";

Deno.test("a p50 curve becomes intercept = −slope · log2(p50), and back", () => {
  const a = resolveAssumptions({ curves: { x: { p50Minutes: 64, slope: -0.5 } }, taskMinutes: [1] });
  assertAlmostEquals(a.intercept[0], 3, 1e-12);
  assertAlmostEquals(trueP50(a, 0), 64, 1e-9);
  assertAlmostEquals(curveP50({ intercept: 3, slope: -0.5 }), 64, 1e-9);
  assertEquals(a.costUnit, "runs");
  assertEquals(a.costPerRun[0], 1);
});

Deno.test("bad assumptions name the field", () => {
  const e = assertThrows(
    () => resolveAssumptions({ curves: { x: { p50Minutes: 10, slope: 0.5 } }, taskMinutes: [1], tasksd: 1 }),
    OptionsError,
  );
  assertEquals(e.problems.some((p) => p.includes('"tasksd"') && p.includes("taskSd")), true);
  assertThrows(() => resolveAssumptions({ curves: {}, taskMinutes: [1] }), OptionsError, "curves");
  assertThrows(
    () => resolveAssumptions({ curves: { x: { intercept: 1, slope: -1 } }, taskMinutes: [] }),
    OptionsError,
  );
});

Deno.test("truth: equal curves give gap 0 whatever the noise; E[sigmoid] is symmetric", () => {
  const a = resolveAssumptions({
    curves: { a: { p50Minutes: 30, slope: -1 }, b: { p50Minutes: 30, slope: -1 } },
    taskMinutes: [1, 30, 900],
    taskSd: 1.5,
    familySd: 0.5,
  });
  assertAlmostEquals(trueGap(a, 0, 1), 0, 1e-15);
  assertAlmostEquals(meanSigmoid(0.7, 1.3) + meanSigmoid(-0.7, 1.3), 1, 1e-9);
  // Random effects pull the mean towards 0.5.
  assertEquals(meanSigmoid(2, 2) < 1 / (1 + Math.exp(-2)), true);
  const q = checkQuestion({ question: "gap", a: "a", b: "b" });
  assertEquals(questionTruth(a, q).side, "at");
});

Deno.test("questions are checked: unknown fields and missing parts are OptionsErrors", () => {
  assertThrows(() => checkQuestion({ question: "gap", a: "x" }), OptionsError, "b");
  assertThrows(
    () => checkQuestion({ question: "horizon", agent: "x", threshold: 10, thresold: 3 }),
    OptionsError,
  );
  assertThrows(() => checkQuestion({ question: "size" }), OptionsError);
});
