import assert from "node:assert/strict";
import { loadThresholds, parseThresholds } from "../../lib/protocol/thresholds.ts";
import { loadBucketScheme, parseBucketScheme } from "../../lib/measure/buckets.ts";
import { InputFileError } from "../../lib/measure/errors.ts";

const EXAMPLE = new URL("../../data/thresholds.example.json", import.meta.url).pathname;

Deno.test("the shipped example thresholds file validates and uses every metric kind", async () => {
  const file = await loadThresholds(EXAMPLE);
  const metrics = new Set(file.thresholds.map((t) => t.metric));
  for (
    const m of ["p50_horizon", "p80_horizon", "level", "level_horizon", "bucket_score", "family_success"]
  ) {
    assert.ok(metrics.has(m as never), m);
  }
  for (const t of file.thresholds) assert.ok(t.meaning.length > 10);
});

Deno.test("bad threshold files name the file, the field path and the reason", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-protocol-test-" });
  const bad = `${dir}/t.json`;
  await Deno.writeTextFile(
    bad,
    JSON.stringify({
      thresholds: [
        { id: "a", metric: "p50_horizon", comparator: ">=", value: 1, unit: "hours", meaning: "m" },
        { id: "b", metric: "p50_horizon", comparator: "=>", value: 1, unit: "hours", meaning: "m" },
      ],
    }),
  );
  await assert.rejects(() => loadThresholds(bad), (e: unknown) => {
    assert.ok(e instanceof InputFileError);
    assert.equal(e.file, bad);
    assert.equal(e.path, "thresholds.1.comparator");
    assert.match(e.message, /t\.json at thresholds\.1\.comparator/);
    return true;
  });
  // A family threshold without its family; a fraction above 1; a duplicate id; an unknown metric.
  const cases: [unknown, string][] = [
    [{
      thresholds: [{
        id: "f",
        metric: "family_success",
        comparator: ">=",
        value: 0.5,
        unit: "fraction",
        meaning: "m",
      }],
    }, "thresholds.0.family"],
    [{
      thresholds: [{
        id: "f",
        metric: "bucket_score",
        bucket: "day_long",
        comparator: ">=",
        value: 2,
        unit: "fraction",
        meaning: "m",
      }],
    }, "thresholds.0.value"],
    [{
      thresholds: [
        { id: "x", metric: "level", comparator: ">=", value: 2, unit: "level", meaning: "m" },
        { id: "x", metric: "level", comparator: ">=", value: 3, unit: "level", meaning: "m" },
      ],
    }, "thresholds.1.id"],
    [
      { thresholds: [{ id: "u", metric: "p99", comparator: ">=", value: 1, unit: "hours", meaning: "m" }] },
      "thresholds.0.metric",
    ],
    [{
      thresholds: [{
        id: "h",
        metric: "p50_horizon",
        comparator: ">=",
        value: 1,
        unit: "days",
        meaning: "m",
      }],
    }, "thresholds.0.unit"],
  ];
  for (const [data, path] of cases) {
    assert.throws(
      () => parseThresholds(data, "x.json"),
      (e: unknown) => e instanceof InputFileError && e.path === path,
      path,
    );
  }
  await Deno.writeTextFile(bad, "{ not json");
  await assert.rejects(() => loadThresholds(bad), /not valid JSON/);
  await assert.rejects(() => loadThresholds(`${dir}/missing.json`), /cannot read/);
});

Deno.test("bucket files: open last bucket, and errors with file, path and reason", async () => {
  const scheme = parseBucketScheme({
    buckets: [
      { id: "short", label: "Short", minMinutes: 0, maxMinutes: 30 },
      { id: "long", label: "Long", minMinutes: 30, maxMinutes: "Infinity" },
    ],
  });
  assert.equal(scheme[1].maxMinutes, Infinity);
  assert.throws(
    () =>
      parseBucketScheme([
        { id: "a", label: "A", minMinutes: 0, maxMinutes: 10 },
        { id: "b", label: "B", minMinutes: 12, maxMinutes: 20 },
      ], "b.json"),
    (e: unknown) =>
      e instanceof InputFileError && e.path === "buckets.1.minMinutes" && /contiguous/.test(e.reason),
  );
  const dir = await Deno.makeTempDir({ prefix: "evalkit-protocol-test-" });
  await Deno.writeTextFile(
    `${dir}/b.yaml`,
    "buckets:\n  - id: a\n    label: A\n    minMinutes: 0\n    maxMinutes: -3\n",
  );
  await assert.rejects(
    () => loadBucketScheme(`${dir}/b.yaml`),
    (e: unknown) => e instanceof InputFileError && e.path === "buckets.0.maxMinutes",
  );
  assert.throws(() => parseBucketScheme({ nope: 1 }, "c.json"), /c\.json at buckets: expected an array/);
});
