/**
 * The simulator end to end: the real `deno task eval` CLI, the real local sandbox and the fixture
 * family's real scorer. Every run's score must match the latent outcome the simulator executed (the
 * reference solution scores 1, the wrong attempt 0), and the success count must match the formula.
 */
import assert from "node:assert/strict";
import { cli } from "../cli/_run.ts";
import { simulatedCellProbability } from "../../lib/model/simulated.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const FIXTURE_TASKS = new URL("../fixtures/tasks", import.meta.url).pathname;

Deno.test(
  "simulated: through the runner and the sandbox, the real scorer agrees with each latent outcome",
  opts,
  async () => {
    const logDir = await Deno.makeTempDir({ prefix: "evalkit-sim-" });
    try {
      const out = await cli("eval", [
        "--tasks-dir",
        FIXTURE_TASKS,
        "--tasks",
        "trivial/*",
        "--variants",
        "chat,basic",
        "--model",
        "simulated/30",
        "--epochs",
        "15",
        "--seed",
        "11",
        "--progress",
        "none",
        "--log",
        logDir,
      ]);
      assert.equal(out.code, 0, out.stderr);
      const files = [...Deno.readDirSync(logDir)].filter((f) => f.name.endsWith(".jsonl"));
      assert.equal(files.length, 1);
      const events = Deno.readTextFileSync(`${logDir}/${files[0].name}`).trim().split("\n").map((l) =>
        JSON.parse(l)
      );

      const cells = new Map<
        string,
        { task: string; minutes: number; scaffold: string; outcome?: string; score?: number }
      >();
      for (const e of events) {
        if (e.type === "cell_start") {
          cells.set(e.cell, { task: e.task_id, minutes: e.human_minutes, scaffold: e.scaffold });
        } else if (e.type === "action" && typeof e.args?.command === "string") {
          const m = /latent outcome: (solve|fail)/.exec(e.args.command);
          if (m) cells.get(e.cell)!.outcome = m[1];
        } else if (e.type === "score") {
          cells.get(e.cell)!.score = e.score;
        }
      }
      assert.equal(cells.size, 4 * 2 * 15);
      let expected = 0, variance = 0, solved = 0;
      for (const [id, cell] of cells) {
        assert.ok(cell.outcome, `cell ${id} executed an attempt`);
        assert.equal(cell.score, cell.outcome === "solve" ? 1 : 0, `cell ${id}: scorer vs latent outcome`);
        const p = simulatedCellProbability({
          taskId: cell.task,
          humanMinutes: cell.minutes,
          scaffold: cell.scaffold,
        });
        expected += p;
        variance += p * (1 - p);
        if (cell.score === 1) solved++;
      }
      assert.ok(
        Math.abs(solved - expected) < 4 * Math.sqrt(variance),
        `solved ${solved} of ${cells.size}, formula expects ${expected.toFixed(1)} ± ${
          Math.sqrt(variance).toFixed(1)
        }`,
      );
    } finally {
      await Deno.remove(logDir, { recursive: true });
    }
  },
);
