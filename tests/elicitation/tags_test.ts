import assert from "node:assert/strict";
import { from } from "arquero";
import {
  appendTags,
  confirmTag,
  type FailureTag,
  parseTagsCsv,
  parseTagsJson,
  readTags,
  resolveTags,
  reviewTag,
  tagsFromSuggestions,
  tagsPathFor,
  tagsToCsv,
  tagsToJson,
} from "../../lib/elicitation/tags.ts";
import { applySpuriousPolicy, spuriousShare, underEachPolicy } from "../../lib/elicitation/policy.ts";
import { bucketScores } from "../../lib/measure/score.ts";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

Deno.test("tag store: append-only beside the logs; a review beats any heuristic, the latest review wins", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-protocol-test-" });
  const store = await tagsPathFor(dir);
  assert.equal(store, `${dir}/failure_tags.ndjson`);
  assert.equal(await tagsPathFor(`${dir}/eval-1.jsonl`), `${dir}/eval-1.failure_tags.ndjson`);
  assert.deepEqual(await readTags(store), { tags: [], issues: [] });
  await appendTags(
    store,
    tagsFromSuggestions([
      {
        run_id: "r1",
        category: "spurious",
        signal: "limit",
        reason: "hit the token limit",
        confidence: "medium",
      },
      { run_id: "r2", category: "real", signal: "none", reason: "wrong answer", confidence: "low" },
    ], at(1)),
  );
  let { tags } = await readTags(store);
  const first = await Deno.readTextFile(store);
  await appendTags(store, [reviewTag("r1", "real", "it was working; the limit was generous", "ana", at(2))]);
  await appendTags(store, [confirmTag(resolveTags(tags), "r2", "ben", at(3))]);
  // A later heuristic pass does not override the human decision.
  await appendTags(
    store,
    tagsFromSuggestions([{
      run_id: "r1",
      category: "spurious",
      signal: "limit",
      reason: "again",
      confidence: "high",
    }], at(4)),
  );
  const text = await Deno.readTextFile(store);
  assert.ok(text.startsWith(first), "earlier records are never rewritten");
  ({ tags } = await readTags(store));
  assert.equal(tags.length, 5);
  const resolved = resolveTags(tags);
  assert.equal(resolved.get("r1")!.category, "real");
  assert.equal(resolved.get("r1")!.reviewer, "ana");
  assert.equal(resolved.get("r2")!.source, "review");
  assert.match(resolved.get("r2")!.reason, /^confirmed: wrong answer/);
  await appendTags(store, [reviewTag("r1", "tradeoff", "second look", "ana", at(5))]);
  assert.equal(resolveTags((await readTags(store)).tags).get("r1")!.category, "tradeoff");
  assert.throws(() => confirmTag(resolved, "nope", "x"), /has no tag/);
  await assert.rejects(
    () =>
      appendTags(store, [{
        run_id: "r9",
        category: "fake" as never,
        reason: "x",
        source: "review",
        at: at(1).toISOString(),
      }]),
    /r9.*category/,
  );
});

Deno.test("CSV and JSON export/import round-trip, including commas, quotes and newlines", () => {
  const tags: FailureTag[] = [
    reviewTag("run,1", "spurious", 'said "I give up",\nthen stopped', "o'neil", at(1)),
    {
      ...tagsFromSuggestions([{
        run_id: "r2",
        category: "real",
        signal: "none",
        reason: "no signal",
        confidence: "low",
      }], at(2))[0],
    },
  ];
  const csv = tagsToCsv(tags);
  const back = parseTagsCsv(csv);
  assert.deepEqual(back.issues, []);
  assert.deepEqual(back.tags, tags);
  const json = parseTagsJson(tagsToJson(tags));
  assert.deepEqual(json.tags, tags);
});

Deno.test("import: a bad record is reported with its line and the rest are kept", () => {
  const csv = [
    "run_id,category,reason,source,reviewer,signal,at",
    "a,spurious,ok,review,ana,,2026-01-01T00:00:00.000Z",
    "b,maybe,bad category,review,ana,,2026-01-01T00:00:00.000Z",
    "c,real,ok,heuristic,,none,not-a-date",
    "d,real,fine,heuristic,,none,2026-01-01T00:00:00.000Z",
  ].join("\n");
  const r = parseTagsCsv(csv, "tags.csv");
  assert.deepEqual(r.tags.map((t) => t.run_id), ["a", "d"]);
  assert.deepEqual(r.issues.map((i) => [i.line, i.reason.split(":")[0]]), [[3, "category"], [4, "at"]]);
  assert.equal(r.issues[0].file, "tags.csv");
  assert.match(parseTagsCsv("run_id,category\nx,real\n").issues[0].reason, /missing column "reason"/);
  const j = parseTagsJson('[{"run_id":"a"}, 3]', "t.json");
  assert.equal(j.issues.length, 2);
  assert.match(parseTagsJson("{", "t.json").issues[0].reason, /not JSON/);
});

Deno.test("spurious policies: as failure ≤ excluded ≤ as success, only spurious runs change", () => {
  const rows = [];
  for (let k = 0; k < 10; k++) {
    rows.push({
      run_id: `r${k}`,
      task_id: `t${k}`,
      task_family: "f",
      alias: "A",
      human_minutes: 10,
      score: k < 4 ? 1 : 0,
      score_binarized: k < 4 ? 1 : 0,
    });
  }
  const t = from(rows);
  const tags = resolveTags([
    ...["r4", "r5", "r6"].map((id) => reviewTag(id, "spurious", "tool format", "ana", at(1))),
    reviewTag("r7", "real", "wrong", "ana", at(1)),
    reviewTag("r8", "tradeoff", "slow but thorough", "ana", at(1)),
  ]);
  const rate = (x: ReturnType<typeof from>) => bucketScores(x)[0].buckets[1].score!;
  const three = underEachPolicy(t, tags, (x) => rate(x));
  assert.ok(Math.abs(three.as_failure - 0.4) < 1e-12);
  assert.ok(Math.abs(three.exclude - 4 / 7) < 1e-12);
  assert.ok(Math.abs(three.as_success - 0.7) < 1e-12);
  assert.ok(three.as_failure <= three.exclude && three.exclude <= three.as_success);
  const excluded = applySpuriousPolicy(t, tags, "exclude");
  assert.deepEqual(excluded.array("run_id"), ["r0", "r1", "r2", "r3", "r7", "r8", "r9"]);
  assert.deepEqual(excluded.columnNames(), t.columnNames());
  const succ = applySpuriousPolicy(t, tags, "as_success");
  assert.deepEqual(Array.from(succ.array("score_binarized") as number[]), [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  assert.deepEqual(spuriousShare(tags), { spurious: 3, real: 1, tradeoff: 1, share: 0.6 });
});
