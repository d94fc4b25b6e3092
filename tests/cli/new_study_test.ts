/**
 * `deno task new-study`: a study folder outside the repository with a starter notebook that parses, imports
 * the toolkit by one file:// URL, and runs headless through the project's notebook executor.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createStudy, main } from "../../lib/cli/new_study.ts";
import { joinText, parseNotebook } from "../../lib/notebook/ipynb.ts";
import { parametersCellValues, projectRoot } from "../../lib/notebook/params.ts";
import { executeNotebook, summarizeDisplays } from "../../lib/report/execute.ts";
import { writeRunLog } from "../util/run_log.ts";
import { assertFails } from "./_run.ts";
import { inProcess } from "./_in_process.ts";

Deno.test("new-study writes a parseable Deno notebook and a README, and refuses a non-empty folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-study-" });
  try {
    const study = await createStudy({ dir: join(dir, "s") });
    const nb = parseNotebook(await Deno.readTextFile(study.notebookPath), study.notebookPath);
    assert.equal(nb.nbformat, 4);
    assert.equal(nb.metadata.kernelspec?.name, "deno");
    const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => joinText(c.source)).join("\n");
    const imports = code.split("\n").filter((l) => /^import /.test(l));
    assert.deepEqual(imports, [`import * as ek from "${study.modUrl}";`]);
    assert.equal(study.modUrl, new URL(`file://${projectRoot()}/mod.ts`).href);
    // The study's parameters are its own (runs, agentA, agentB, seed, bootstrap), not the report's.
    assert.throws(() => parametersCellValues(nb.cells, "study"), /Unrecognized keys: "runs"/);
    assert.match(joinText(nb.cells[1].source), /all_runs_2025-01\.jsonl/);
    assert.deepEqual(nb.cells[1].metadata, { tags: ["parameters"] });
    assert.match(await Deno.readTextFile(study.readmePath), /import \* as ek from "file:\/\//);
    assertFails(await inProcess(main, [join(dir, "s")]), 1, /^new-study: .*\/s is not empty \(/m);
    assertFails(
      await inProcess(main, []),
      2,
      /^new-study: give exactly one folder\nusage: deno task new-study/m,
    );
    const made = await inProcess(main, [join(dir, "t"), "--title", "T"]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^created .*\/t\/study\.ipynb and .*\/t\/README\.md\nopen it: jupyter lab /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "the starter notebook runs headless from a folder outside the repository, on a run log",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "evalkit-study-run-" });
    try {
      await writeRunLog(join(dir, "log.jsonl"), "openai/gpt-4o");
      const study = await createStudy({ dir: join(dir, "study"), runs: "../log.jsonl", title: "Test study" });
      const r = await executeNotebook(study.notebookPath, {
        outputPath: join(dir, "study", "executed.ipynb"),
      });
      const displays = summarizeDisplays(r.notebook);
      assert.deepEqual(displays.figureNames, ["horizons-figure"]);
      const svg = await Deno.readTextFile(join(dir, "study", "figures", "horizons.svg"));
      assert.match(svg, /<svg/);
      assert.ok((await Deno.stat(join(dir, "study", "figures", "horizons.png"))).size > 1000);
      const out = JSON.stringify(r.notebook);
      assert.match(out, /32 runs of real models: openai\/gpt-4o/);
      assert.doesNotMatch(out, /simulat/i);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
