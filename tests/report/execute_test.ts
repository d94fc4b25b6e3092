/**
 * Real headless execution (the jupyter_client executor + the Deno kernel) of small fixture notebooks: outputs are kept,
 * error outputs fail naming notebook and cell, and a promised figure that is not shown fails too.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ensureJupyter } from "../../lib/report/setup.ts";
import { executeNotebook, NotebookError, summarizeDisplays } from "../../lib/report/execute.ts";
import { writeFixture } from "./fixtures/make.ts";

// Fixtures live under tests/report/fixtures so the kernel finds the project's deno.json (imports).
const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const LIB = new URL("../../lib", import.meta.url).href;

async function scratch(): Promise<string> {
  return await Deno.makeTempDir({ dir: FIXTURES, prefix: "_run-" });
}

Deno.test("a clean notebook executes and keeps its table and named figure", async () => {
  await ensureJupyter();
  const dir = await scratch();
  try {
    const path = await writeFixture(
      dir,
      "clean",
      [
        "// %%",
        `import * as aq from "arquero";`,
        `import { display, showFigure } from "${LIB}/notebook/display.ts";`,
        `await display(aq.table({ a: [1, 2], b: ["x", "<y>"] }), { name: "t" });`,
        "// %%",
        `await display(showFigure('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>', { name: "f" }));`,
        "// %%",
        `console.log("seed", Deno.env.get("EVALKIT_SEED"));`,
      ].join("\n"),
      { figures: ["f"], minTables: 1 },
    );
    const r = await executeNotebook(path, {
      outputPath: `${dir}/out/clean.ipynb`,
      env: { EVALKIT_SEED: "99" },
    });
    const s = summarizeDisplays(r.notebook);
    assert.deepEqual(s.figureNames, ["f"]);
    assert.equal(s.htmlTableCount, 1);
    assert.equal(s.svgCount, 1);
    const stdout = r.notebook.cells.flatMap((c) => (c.cell_type === "code" ? c.outputs : []))
      .filter((o) => o.output_type === "stream").map((o) => (o as { text: string | string[] }).text).flat()
      .join("");
    assert.equal(stdout, "seed 99\n", "parameters reach the kernel through the environment");
    // No timing metadata: executed notebooks are deterministic.
    assert.ok(!JSON.stringify(r.notebook).includes("iopub.execute_input"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("back-to-back short cells each keep their own output, in order", async () => {
  // The pattern that nbconvert/nbclient 0.7 loses with the Deno kernel (docs/report.md): tiny cells run one
  // right after another, the stream of a cell arriving while the next cell is about to start.
  const dir = await scratch();
  try {
    const cells = Array.from({ length: 8 }, (_, i) => [`// %%`, `console.log("cell ${i}");`]).flat();
    const path = await writeFixture(dir, "burst", cells.join("\n"), { figures: [], minTables: 0 });
    const r = await executeNotebook(path, { outputPath: `${dir}/out/burst.ipynb` });
    const perCell = r.notebook.cells.filter((c) => c.cell_type === "code").map((c) =>
      c.cell_type === "code"
        ? c.outputs.map((o) => [(o as { text?: string | string[] }).text ?? ""].flat().join("")).join("")
        : ""
    );
    assert.deepEqual(perCell, Array.from({ length: 8 }, (_, i) => `cell ${i}\n`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an error output fails with the notebook, cell index, cell id and exception", async () => {
  const dir = await scratch();
  try {
    const path = await writeFixture(
      dir,
      "broken",
      [
        "// %%",
        "const fine = 1;",
        "// %%",
        `throw new RangeError("bad bucket boundary");`,
        "// %%",
        "fine",
      ].join("\n"),
      { figures: [], minTables: 0 },
    );
    await assert.rejects(
      () => executeNotebook(path, { outputPath: `${dir}/out/broken.ipynb` }),
      (e: unknown) => {
        assert.ok(e instanceof NotebookError);
        assert.equal(e.notebook, "broken");
        assert.equal(e.errors.length, 1);
        assert.equal(e.errors[0].cellIndex, 1);
        assert.equal(e.errors[0].cellId, "broken-01");
        assert.match(e.message, /cell 1 \(id broken-01, starting "throw new RangeError/);
        assert.match(e.message, /RangeError: bad bucket boundary/);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a notebook missing a promised figure or table fails", async () => {
  const dir = await scratch();
  try {
    const path = await writeFixture(
      dir,
      "missing",
      [
        "// %%",
        `import { display, showFigure } from "${LIB}/notebook/display.ts";`,
        `await display(showFigure('<svg xmlns="http://www.w3.org/2000/svg"></svg>', { name: "shown" }));`,
      ].join("\n"),
      { figures: ["shown", "forgotten"], minTables: 1 },
    );
    await assert.rejects(
      () => executeNotebook(path, { outputPath: `${dir}/out/missing.ipynb` }),
      /missing figures: forgotten[\s\S]*shows 0 HTML tables, expected at least 1/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
