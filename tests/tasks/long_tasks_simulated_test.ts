/**
 * Difficulty evidence for the long tasks (issue 15), through the real runner: the `simulated` model (whose
 * chance of success falls with a task's declared minutes, lib/model/simulated.ts) runs every bundled task of
 * 8 hours or more in the local sandbox, next to a few short tasks, at a 16-hour horizon. Each run's latent
 * outcome is carried out in the environment (the task's reference solution on "solve", its wrong attempt on
 * "fail") and scored by the task's real scorer, so the test checks that the long tasks run end to end under
 * `deno task eval` and that their scores follow the latent outcomes under each task's success threshold (its
 * own `successThreshold`, else 0.5): solve at or above it, fail below it, so the runs table's
 * `score_binarized` is the latent outcome. The success count must agree with the formula, and the short
 * tasks' predicted success must exceed the long ones'.
 * Simulated runs throughout.
 */
import assert from "node:assert/strict";
import { cli } from "../cli/_run.ts";
import { simulatedCellProbability } from "../../lib/model/simulated.ts";
import { loadSuite } from "../../lib/task/loader.ts";
import { runs } from "../../lib/frame/tables.ts";
import { DEFAULT_SUCCESS_THRESHOLD } from "../../lib/core/run_outcome.ts";

const SHORT = ["password_recovery/plain", "mystery_function/affine", "hash_inversion/small_domain"];
const HORIZON = 960;

Deno.test(
  "long tasks under the simulated model: scores follow the latent outcomes, success falls with the minutes",
  { sanitizeOps: false, sanitizeResources: false },
  async () => {
    const suite = await loadSuite();
    const long = suite.tasks.filter((t) => (t.manifest.humanMinutes ?? 0) >= 480).map((t) => t.id);
    const thresholdOf = new Map(
      suite.tasks.map((t) => [t.id, t.manifest.successThreshold ?? DEFAULT_SUCCESS_THRESHOLD]),
    );
    assert.ok(long.length >= 8, `${long.length} tasks of 8 hours or more`);
    const logDir = await Deno.makeTempDir({ prefix: "evalkit-long-sim-" });
    try {
      const out = await cli("eval", [
        "--tasks",
        [...SHORT, ...long].join(","),
        "--variants",
        "basic",
        "--model",
        `simulated/${HORIZON}`,
        "--epochs",
        "1",
        "--seed",
        "5",
        "--sandbox",
        "local",
        "--progress",
        "none",
        "--log",
        logDir,
      ]);
      assert.equal(out.code, 0, out.stderr);
      const files = [...Deno.readDirSync(logDir)].filter((f) => f.name.endsWith(".jsonl"));
      const events = Deno.readTextFileSync(`${logDir}/${files[0].name}`).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      const cells = new Map<string, { task: string; minutes: number; outcome?: string; score?: number }>();
      for (const e of events) {
        if (e.type === "cell_start") {
          cells.set(e.cell, { task: e.task_id, minutes: e.human_minutes });
          const declared = suite.tasks.find((t) => t.id === e.task_id)!.manifest.successThreshold ?? null;
          assert.equal(e.success_threshold, declared, `${e.task_id}: the task's threshold is in the log`);
        } else if (e.type === "action" && typeof e.args?.command === "string") {
          const m = /latent outcome: (solve|fail)/.exec(e.args.command);
          if (m) cells.get(e.cell)!.outcome = m[1];
        } else if (e.type === "score") cells.get(e.cell)!.score = e.score;
      }
      assert.equal(cells.size, SHORT.length + long.length);
      let expected = 0, variance = 0, solved = 0;
      const predicted = new Map<string, number>();
      for (const cell of cells.values()) {
        assert.ok(cell.outcome, `${cell.task}: the simulated agent carried out an attempt`);
        assert.equal(typeof cell.score, "number", `${cell.task}: scored`);
        const threshold = thresholdOf.get(cell.task)!;
        if (cell.outcome === "solve") {
          assert.ok(cell.score! >= Math.max(0.9, threshold), `${cell.task}: solve scored ${cell.score}`);
        } else {assert.ok(
            cell.score! < threshold,
            `${cell.task}: fail scored ${cell.score} (threshold ${threshold})`,
          );}
        const p = simulatedCellProbability(
          { taskId: cell.task, humanMinutes: cell.minutes, scaffold: "basic" },
          { horizonMinutes: HORIZON },
        );
        predicted.set(cell.task, p);
        expected += p;
        variance += p * (1 - p);
        if (cell.outcome === "solve") solved++;
      }
      assert.ok(
        Math.abs(solved - expected) < 4 * Math.sqrt(variance) + 1,
        `solved ${solved}, the formula expects ${expected.toFixed(1)} ± ${Math.sqrt(variance).toFixed(1)}`,
      );
      // The runs table binarizes each run to its latent outcome.
      const { table } = await runs(logDir);
      const latent = new Map([...cells].map(([id, c]) => [id, c.outcome === "solve" ? 1 : 0]));
      for (const row of table.objects() as { cell_id: string; score_binarized: number }[]) {
        assert.equal(row.score_binarized, latent.get(row.cell_id), `cell ${row.cell_id}: score_binarized`);
      }
      const mean = (ids: string[]) => ids.reduce((s, id) => s + predicted.get(id)!, 0) / ids.length;
      assert.ok(mean(SHORT) > mean(long), `short ${mean(SHORT)} vs long ${mean(long)}`);
    } finally {
      await Deno.remove(logDir, { recursive: true });
    }
  },
);
