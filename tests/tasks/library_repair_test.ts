import assert from "node:assert/strict";
import family, { repairScore } from "../../tasks/library_repair/family.ts";
import { type Bug, plantBugs } from "../../tasks/_shared/plant_bugs.ts";

Deno.test("plantBugs applies exact replacements and rejects ambiguous or missing text", () => {
  assert.equal(plantBugs("a < b", [{ id: "x", fixed: "<", buggy: "<=" }]), "a <= b");
  assert.throws(() => plantBugs("a < b < c", [{ id: "x", fixed: "<", buggy: "<=" }]), /matches 2 times/);
  assert.throws(() => plantBugs("a", [{ id: "x", fixed: "<", buggy: "<=" }]), /matches 0 times/);
});

Deno.test("every planted bug of every task applies to its reference", async () => {
  for (const [name, t] of Object.entries(family.tasks)) {
    const data = t.data as { module: string; bugs: Bug[] };
    const ref = await Deno.readTextFile(
      new URL(`../../tasks/library_repair/${name}/solution/${data.module}.py`, import.meta.url),
    );
    const buggy = plantBugs(ref, data.bugs);
    assert.notEqual(buggy, ref);
  }
});

Deno.test("repairScore: untouched 0, full 1, regressions lower it", () => {
  const ref = { a: 1, b: 2, c: 3, d: 4 };
  const buggy = { a: 1, b: 2, c: 0, d: 0 };
  assert.equal(repairScore(ref, buggy, buggy), 0);
  assert.equal(repairScore(ref, buggy, ref), 1);
  assert.equal(repairScore(ref, buggy, { a: 1, b: 2, c: 3, d: 0 }), 0.5);
  assert.equal(repairScore(ref, buggy, { a: 0, b: 2, c: 3, d: 0 }), 0);
  assert.equal(repairScore(ref, buggy, {}), 0);
  assert.throws(() => repairScore(ref, ref, ref), /break no hidden test/);
});
