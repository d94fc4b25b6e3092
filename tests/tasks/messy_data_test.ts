import assert from "node:assert/strict";
import { jaccard, scoreAnswers } from "../../tasks/messy_data/family.ts";
import { latin1, reconciliation, singleTable, twoSourceJoin } from "../../tasks/messy_data/generate.ts";

Deno.test("jaccard", () => {
  assert.equal(jaccard([], []), 1);
  assert.equal(jaccard(["a", "b"], ["b", "c"]), 1 / 3);
  assert.equal(jaccard(["a", "a"], ["a"]), 1);
});

Deno.test("generators are deterministic and the answers score 1", () => {
  for (
    const [variant, gen] of [
      ["single_table", singleTable],
      ["two_source_join", twoSourceJoin],
      ["reconciliation", reconciliation],
    ] as const
  ) {
    const a = gen(11), b = gen(11);
    assert.deepEqual(a.answers, b.answers);
    assert.equal(scoreAnswers(variant, a.answers, JSON.stringify(a.answers)), 1);
    assert.equal(scoreAnswers(variant, a.answers, ""), 0);
    assert.equal(scoreAnswers(variant, a.answers, "[]"), 0);
  }
});

Deno.test("reconciliation generator stays self-consistent across seeds", () => {
  for (let seed = 1; seed <= 30; seed++) reconciliation(seed); // throws on an inconsistent scenario
});

Deno.test("shipments file is Latin-1, not UTF-8", () => {
  const bytes = twoSourceJoin(3).files["shipments.csv"];
  assert.throws(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  assert.deepEqual([...latin1("é")], [0xe9]);
});

Deno.test("single_table partial answers score partially", () => {
  const { answers } = singleTable(5);
  const sub = { ...answers, unique_orders: 1, best_month: "1999-01" };
  assert.equal(scoreAnswers("single_table", answers, JSON.stringify(sub)), 3 / 5);
});

Deno.test("numeric answers may be given as numeric strings", () => {
  const { answers } = singleTable(5);
  const sub = {
    ...answers,
    unique_orders: String(answers.unique_orders),
    total_revenue: `${answers.total_revenue}`,
  };
  assert.equal(scoreAnswers("single_table", answers, JSON.stringify(sub)), 1);
  assert.equal(
    scoreAnswers("single_table", answers, JSON.stringify({ ...answers, unique_orders: "" })),
    4 / 5,
  );
});
