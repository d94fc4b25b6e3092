/**
 * The scaffold notebook on a log written by the real `deno task eval` CLI (EVALKIT_RUNS_LOG), instead of
 * its own grid.
 */
import assert from "node:assert/strict";
import { cli } from "../cli/_run.ts";
import { join } from "node:path";
import { projectRoot } from "../../lib/notebook/params.ts";
import { executeNotebook, summarizeDisplays } from "../../lib/report/execute.ts";
import { joinText } from "../../lib/notebook/ipynb.ts";

const ROOT = projectRoot();

Deno.test({
  name: "compare-scaffolds analyses a `deno task eval` log given as EVALKIT_RUNS_LOG",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "evalkit-runslog-" });
    try {
      const logDir = join(dir, "runs");
      const evalRun = await cli("eval", [
        "--tasks",
        "mystery_function/affine,password_recovery/plain,hash_inversion/small_domain",
        "--variants",
        "basic,chat",
        "--model",
        "simulated/30",
        "--epochs",
        "2",
        "--sandbox",
        "local",
        "--log",
        logDir,
        "--progress",
        "none",
        "--seed",
        "3",
      ]);
      assert.equal(evalRun.code, 0, evalRun.stderr);
      const r = await executeNotebook(join(ROOT, "notebooks", "compare-scaffolds.ipynb"), {
        outputPath: join(dir, "out", "compare-scaffolds.ipynb"),
        env: { EVALKIT_RUNS_LOG: logDir, EVALKIT_VARIANTS: "basic,chat", EVALKIT_BOOTSTRAP: "100" },
      });
      const stdout = r.notebook.cells.flatMap((c) => (c.cell_type === "code" ? c.outputs : []))
        .flatMap((o) => (o.output_type === "stream" ? [joinText(o.text)] : [])).join("");
      assert.match(stdout, /^12 runs from the run log; variants basic, chat; baseline basic/m);
      assert.deepEqual(summarizeDisplays(r.notebook).figureNames, [
        "win-loss",
        "paired-differences",
        "failure-categories",
        "budget-curves",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
