/**
 * Analysis results left as a notebook cell's last expression show as small tables: each result carries a
 * non-enumerable Jupyter display method (plain objects to JSON, equality and spreading), with an aligned text
 * table from the analysis entry points alone and an HTML table once the notebook room is loaded.
 */
import assert from "node:assert/strict";
import { from } from "../../lib/deps/arquero.ts";
import { JUPYTER_DISPLAY_SYMBOL, plainTable } from "../../lib/core/display.ts";
import { agentHorizons, bootstrapHorizons, pairedDifference } from "../../lib/stats/mod.ts";
import { bucketScores } from "../../lib/measure/score.ts";
import { elicitationGap } from "../../lib/elicitation/gap.ts";
import { protocolReport } from "../../lib/protocol/report.ts";
import { rng } from "../../lib/stats/mod.ts";

function runs() {
  const r = rng(8);
  const rows: Record<string, unknown>[] = [];
  for (const variant of ["chat", "react"]) {
    for (let t = 0; t < 24; t++) {
      const minutes = 2 ** (t % 12);
      for (let e = 0; e < 3; e++) {
        const p = 1 / (1 + Math.exp(-(3 + (variant === "react" ? 1 : 0) - 0.6 * Math.log2(minutes))));
        rows.push({
          run_id: `${variant}-${t}-${e}`,
          task_id: `t${t}`,
          task_family: `f${t % 6}`,
          alias: `m · ${variant}`,
          model: "m",
          variant,
          score: r() < p ? 1 : 0,
          human_minutes: minutes,
        });
      }
    }
  }
  return from(rows);
}

type Shown = { [JUPYTER_DISPLAY_SYMBOL]: () => Record<string, unknown> };
const bundleOf = (value: unknown) => (value as Shown)[JUPYTER_DISPLAY_SYMBOL]();

Deno.test("plainTable aligns columns under a caption", () => {
  assert.equal(
    plainTable([{ agent: "a", p50: 12.3456 }, { agent: "bbb", p50: null }], "Horizons"),
    "Horizons\nagent  p50\na      12.35\nbbb",
  );
});

Deno.test("results show as tables, text first and HTML once the notebook room is loaded", async () => {
  const t = runs();
  const fits = agentHorizons(t);
  // Non-enumerable: JSON and structural equality see the plain result.
  assert.deepEqual(Object.keys(fits), ["0", "1"]);
  assert.deepEqual(JSON.parse(JSON.stringify(fits)), JSON.parse(JSON.stringify([...fits])));
  const text = String(bundleOf(fits)["text/plain"]);
  assert.match(text, /^Time horizons \(minutes\) per agent\nagent\s+coefficient/);
  assert.match(text, /m · chat/);
  assert.match(text, new RegExp(String(Number(fits[0].horizons.p50.toPrecision(4)))));

  const results: [string, unknown, RegExp][] = [
    [
      "bootstrapHorizons",
      bootstrapHorizons(t, { replicates: 20 }),
      /80% bootstrap intervals \(20 replicates\)/,
    ],
    [
      "pairedDifference",
      pairedDifference(t, "react", "chat", { replicates: 20, statistic: "successRate" }),
      /Paired difference m · react − m · chat/,
    ],
    ["bucketScores", bucketScores(t), /Bucket-weighted scores per agent\nagent/],
    [
      "elicitationGap",
      elicitationGap(t, { baseline: "chat", pairedReplicates: 20, replicates: 0 }),
      /Elicitation gap: react over chat \(variant\)\nmeasure/,
    ],
    ["protocolReport", protocolReport(t, { thresholds: [], replicates: 0 }), /Protocol verdicts/],
  ];
  for (const [name, value, caption] of results) {
    assert.match(String(bundleOf(value)["text/plain"]), caption, name);
  }

  await import("../../lib/notebook/display.ts");
  const html = String(bundleOf(fits)["text/html"]);
  assert.match(html, /<table/);
  assert.match(html, /Time horizons \(minutes\) per agent/);
  assert.ok(html.includes("m · chat"));
  assert.match(String(bundleOf(results[3][1])["text/html"]), /<table[\s\S]*success rate \(naive best\)/);
});
