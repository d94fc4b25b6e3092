/**
 * One CSV path: every CSV writer of the toolkit (lib/util/csv.ts itself, tables via `renderTable`, the
 * horizons CLI's rows, tag exports) writes awkward fields — quotes, commas, CR/LF, padding, unicode, empty,
 * null, NaN, formula-like text — so that `parseCsv` reads back exactly the same strings.
 */
import assert from "node:assert/strict";
import * as aq from "../../lib/deps/arquero.ts";
import { csvField, parseCsv, toCsv } from "../../lib/util/csv.ts";
import { renderTable } from "../../lib/frame/export.ts";
import { type HorizonRow, toCsv as horizonsCsv } from "../../lib/cli/horizons.ts";
import { type FailureTag, parseTagsCsv, tagsToCsv } from "../../lib/elicitation/tags.ts";

const AWKWARD: Array<string | number | null> = [
  'he said "hi"',
  "a,b",
  "line one\nline two",
  "crlf\r\nend",
  "lone\rcr",
  "  padded  ",
  "\ttab-led",
  "héllo — 世界 🙂",
  "",
  null,
  '"',
  ",",
  "=SUM(A1:A2)",
  42.5,
  Number.NaN,
];

/** What a reader gets back for a written value: null and NaN are empty fields, numbers their text. */
const expected = (v: string | number | null) =>
  v === null || (typeof v === "number" && Number.isNaN(v)) ? "" : String(v);

const header = ["plain", "awk,ward", 'quo"te'];
const rows = AWKWARD.map((v, i) => ({ plain: `row${i}`, "awk,ward": v, 'quo"te': i % 2 ? v : "x" }));

function assertRoundTrip(csv: string, name: string) {
  const parsed = parseCsv(csv);
  assert.deepEqual(parsed.header, header, `${name}: header`);
  assert.equal(parsed.records.length, rows.length, `${name}: row count`);
  parsed.records.forEach((r, i) => {
    for (const h of header) {
      assert.equal(r.values[h], expected(rows[i][h as keyof typeof rows[number]]), `${name}: row ${i} ${h}`);
    }
  });
}

Deno.test("util toCsv round-trips awkward fields", () => {
  assertRoundTrip(toCsv(header, rows), "toCsv");
});

Deno.test("renderTable (runs/tables CSV) round-trips awkward fields", () => {
  const table = aq.from(rows).select(...header);
  assertRoundTrip(renderTable(table, "csv"), "renderTable");
});

Deno.test("horizons CSV round-trips awkward fields", () => {
  assertRoundTrip(horizonsCsv(rows as unknown as HorizonRow[]), "horizons");
});

Deno.test("tag export round-trips awkward reasons", () => {
  const tags: FailureTag[] = AWKWARD.filter((v): v is string => typeof v === "string" && v !== "").map((
    reason,
    i,
  ) => ({
    run_id: `run,${i}`,
    category: "real",
    reason,
    source: "review",
    reviewer: "ö'neil",
    signal: null,
    at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
  } as FailureTag));
  const back = parseTagsCsv(tagsToCsv(tags));
  assert.deepEqual(back.issues, []);
  assert.deepEqual(back.tags.map((t) => t.reason), tags.map((t) => t.reason));
  assert.deepEqual(back.tags.map((t) => t.run_id), tags.map((t) => t.run_id));
});

Deno.test("csvField quotes exactly when needed", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField(" lead"), '" lead"');
  assert.equal(csvField('a"b'), '"a""b"');
  assert.equal(csvField(null), "");
  assert.equal(csvField(Number.NaN), "");
  assert.equal(csvField([1, "a,b"]), '"[1,""a,b""]"');
  assert.equal(csvField(new Date(Date.UTC(2026, 0, 2))), "2026-01-02T00:00:00.000Z");
});
