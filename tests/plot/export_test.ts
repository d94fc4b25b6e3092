/**
 * Figures to paste: every standard figure of lib/plot exports as one standalone SVG (and PNG, PDF) that
 * keeps the title, legend entries, caption and source line, with every text inside the viewBox.
 */
import assert from "node:assert/strict";
import {
  bucketProfileFigure,
  budgetCurveFigure,
  estimateTextWidth,
  type Figure,
  gapVsEffortFigure,
  horizonTrendFigure,
  standaloneSvg,
  successCurveFigure,
  textExtents,
  verdictFigure,
  viewBoxOf,
  writeFigure,
} from "../../lib/plot/mod.ts";
import { bootstrapHorizons, horizonTrend } from "../../lib/stats/mod.ts";
import { bucketScores } from "../../lib/measure/score.ts";
import { estimateMetrics } from "../../lib/measure/estimates.ts";
import { verdicts } from "../../lib/protocol/verdict.ts";
import { successAtBudgets } from "../../lib/elicitation/budget.ts";
import { simulateRuns } from "../stats/_simulate.ts";
import { logisticP, simRuns, simTasks } from "../protocol/_sim.ts";

const LONG = "Claude 3.5 Sonnet (New)";
const rows = simulateRuns(
  21,
  [{ alias: LONG, intercept: 3, coefficient: -0.5 }, {
    alias: "GPT-4 0314",
    intercept: 1,
    coefficient: -0.6,
  }],
  25,
  3,
);
const boot = bootstrapHorizons(rows, { replicates: 40, seed: 1, weights: "equal" });
const tasks = simTasks(12, 3, 1, 900, 3);
const table = simRuns(
  tasks,
  [LONG, "B"],
  (a, t) => logisticP(t.human_minutes, a === LONG ? 10 : 100),
  4,
  4,
  (_a, _t, e) => ({ total_tokens: 1000 * (e + 1) }),
);

/** Each standard figure, with the texts its export must keep (title, legend entries, caption). */
function standardFigures(): { name: string; figure: Figure; texts: string[] }[] {
  const dates: Record<string, string> = { [LONG]: "2024-10-22", "GPT-4 0314": "2023-03-14" };
  const trend = horizonTrend(
    boot.point.map((p, g) => ({
      agent: p.agent,
      date: dates[p.agent],
      horizon: p.horizons.p50,
      samples: boot.horizons[g][0],
    })),
  );
  const est = estimateMetrics(table, { replicates: 20 });
  const vrows = verdicts(est, [{
    id: "1h",
    metric: "p50_horizon",
    comparator: ">=",
    value: 1,
    unit: "hours",
    meaning: "m",
  }], { margin: { horizonFactor: 2 } });
  const curve = successAtBudgets(table, "tokens", { budgets: [500, 1500, 2500, 5000] });
  return [
    {
      name: "success-curve",
      figure: successCurveFigure(boot, LONG, { caption: "Dots: weighted bucket rates." }),
      texts: [
        `${LONG}: success vs task length`,
        "fitted logistic",
        "p50 horizon",
        "Dots: weighted bucket rates.",
      ],
    },
    {
      name: "horizon-trend",
      figure: horizonTrendFigure(trend, { caption: "Frontier agents only." }),
      texts: ["Time horizon by release date", "Doubling time", LONG, "Frontier agents only."],
    },
    {
      name: "gap-vs-effort",
      figure: gapVsEffortFigure([
        { variants_tried: 1, subsets: 3, tokens_spent: null, naive_gap: 0.01, crossfit_gap: 0 },
        { variants_tried: 2, subsets: 3, tokens_spent: null, naive_gap: 0.05, crossfit_gap: 0.01 },
      ]),
      texts: ["Elicitation gap vs variants tried", "naive best-of-n", "cross-fitted"],
    },
    {
      name: "budget-curves",
      figure: budgetCurveFigure(curve),
      texts: ["Success vs budget"],
    },
    {
      name: "bucket-profile",
      figure: bucketProfileFigure(bucketScores(table)),
      texts: ["Success per difficulty bucket", LONG, "B"],
    },
    {
      name: "verdict",
      figure: verdictFigure(vrows, "1h"),
      texts: ["1h: p50_horizon >= 1 hours", "crossed", "not_crossed", LONG],
    },
  ];
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

Deno.test("every standard figure's standalone SVG keeps title, legend, caption, source; no text outside", () => {
  for (const { name, figure, texts } of standardFigures()) {
    const svg = standaloneSvg(figure.html, {
      source: { data: "all_runs.jsonl", models: ["a"], date: "2026-11-27" },
    });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, name);
    for (const t of texts) assert.ok(svg.includes(escapeXml(t)), `${name}: "${t}" missing`);
    assert.ok(svg.includes("Source: all_runs.jsonl · models: a · 2026-11-27"), `${name}: source line`);
    const [vx, vy, vw, vh] = viewBoxOf(svg);
    const extents = textExtents(svg);
    assert.ok(extents.length > 5, `${name}: texts found`);
    for (const e of extents) {
      assert.ok(
        e.x0 >= vx - 0.5 && e.y0 >= vy - 0.5 && e.x1 <= vx + vw + 0.5 && e.y1 <= vy + vh + 0.5,
        `${name}: "${e.text}" at [${e.x0.toFixed(1)}, ${e.y0.toFixed(1)}, ${e.x1.toFixed(1)}, ${
          e.y1.toFixed(1)
        }] outside the viewBox ${vw}×${vh}`,
      );
    }
  }
});

Deno.test("the trend figure leaves room for long point labels (no 'Cla' cut) inside Plot's own SVG too", () => {
  const fig = standardFigures().find((f) => f.name === "horizon-trend")!.figure;
  const [vx, , vw] = viewBoxOf(fig.svg);
  const label = textExtents(fig.svg).find((e) => e.text === LONG);
  assert.ok(label, "label present");
  assert.ok(label.x1 <= vx + vw, `label ends at ${label.x1.toFixed(1)} > ${vw}`);
});

Deno.test("text extents follow anchors, font sizes, transforms and nested SVGs", () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" font-size="10">` +
    `<g transform="translate(10,20)" text-anchor="end"><text x="5">ab</text></g>` +
    `<svg x="50" y="0" width="20" height="10" viewBox="0 0 40 20"><text x="0" y="10" font-size="20">W</text></svg></svg>`;
  const [a, b] = textExtents(svg);
  const wa = estimateTextWidth("ab", 10);
  assert.ok(Math.abs(a.x1 - 15) < 1e-9 && Math.abs(a.x0 - (15 - wa)) < 1e-9);
  assert.ok(Math.abs(a.y0 - 12) < 1e-9, String(a.y0));
  // Nested svg scales by 0.5 and moves by 50.
  assert.ok(Math.abs(b.x0 - 50) < 1e-9 && Math.abs(b.x1 - (50 + estimateTextWidth("W", 20) / 2)) < 1e-9);
});

Deno.test("writeFigure writes SVG, PNG (2×) and PDF that keep the legend; bad options are refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-fig-" });
  try {
    const fig = standardFigures()[0].figure;
    const written = await writeFigure(`${dir}/a/success`, fig, {
      formats: ["svg", "png", "pdf"],
      source: "METR all_runs.jsonl",
    });
    assert.deepEqual(written, ["svg", "png", "pdf"].map((e) => `${dir}/a/success.${e}`));
    const svg = await Deno.readTextFile(`${dir}/a/success.svg`);
    assert.match(svg, /^<\?xml/);
    assert.ok(svg.includes("p50 horizon") && svg.includes("Source: METR all_runs.jsonl"));
    const png = await Deno.readFile(`${dir}/a/success.png`);
    assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47]);
    const [, , vw] = viewBoxOf(svg.replace(/^<\?xml[^>]*>\s*/, ""));
    assert.equal(new DataView(png.buffer, png.byteOffset).getUint32(16), vw * 2, "2× by default");
    const pdf = await Deno.readFile(`${dir}/a/success.pdf`);
    assert.equal(new TextDecoder().decode(pdf.slice(0, 5)), "%PDF-");
    // One file by extension.
    assert.deepEqual(await writeFigure(`${dir}/b.svg`, fig), [`${dir}/b.svg`]);
    await assert.rejects(writeFigure(`${dir}/c`, fig), /no .svg\/.png\/.pdf\/.html extension/);
    await assert.rejects(writeFigure(`${dir}/d.svg`, fig, { scale: -1 } as never));
    await assert.rejects(writeFigure(`${dir}/d.svg`, fig, { sauce: "x" } as never));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a standalone SVG is not laid out twice; a source line can still be added", () => {
  const fig = standardFigures()[2].figure;
  const once = fig.standalone;
  assert.equal(standaloneSvg(once), once);
  const withSource = standaloneSvg(once, { source: "METR runs" });
  assert.ok(withSource.includes("Source: METR runs"));
  assert.equal((withSource.match(/<h2|Elicitation gap vs variants tried/g) ?? []).length, 1);
  const [, , , h0] = viewBoxOf(once), [, , , h1] = viewBoxOf(withSource);
  assert.ok(h1 > h0);
  const [vx, vy, vw, vh] = viewBoxOf(withSource);
  for (const e of textExtents(withSource)) {
    assert.ok(e.x0 >= vx && e.y0 >= vy && e.x1 <= vx + vw && e.y1 <= vy + vh, e.text);
  }
});
