/**
 * The command line with optional metadata: `deno task tasks` shows unknown metadata plainly, `--task-meta`
 * fills it in (and a bad table is a one-line error naming file, line and field), horizons and protocol leave
 * tasks without minutes out with one line naming them, and eval refuses the simulator on such tasks.
 *
 * `tests/fixtures/suite_meta/` holds `nometa` (a METR-format Python family with no manifest.yaml, loaded
 * through the bridge) and `timed` (a TypeScript family with METR-style names).
 */
import assert from "node:assert/strict";
import { from } from "arquero";
import { assertFails } from "./_run.ts";
import { inProcess, type Main } from "./_in_process.ts";
import { main as evalMain } from "../../lib/cli/eval.ts";
import { main as horizons } from "../../lib/cli/horizons.ts";
import { main as protocol } from "../../lib/cli/protocol.ts";
import { main as tasks } from "../../lib/cli/tasks.ts";
import { toRunsJsonl } from "../../lib/frame/metr.ts";
import { logisticP, simRuns, simTasks } from "../protocol/_sim.ts";

const SUITE = new URL("../fixtures/suite_meta", import.meta.url).pathname;
const MAINS: Record<string, Main> = { eval: evalMain, horizons, protocol, tasks };
/** `lib/cli/<name>.ts`'s `main(args)`, called in this process. */
const cli = (name: string, args: string[]) => inProcess(MAINS[name], args);

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-task-meta-cli-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("tasks: a METR family without metadata is listed with ? minutes and unknown fields", async () => {
  const r = await cli("tasks", ["--dir", SUITE]);
  assert.equal(r.code, 0, r.stderr);
  const line = r.stdout.split("\n").find((l) => l.startsWith("nometa/fixed-date"));
  assert.ok(line, r.stdout);
  assert.deepEqual(line.split(/\s+/), [
    "nometa/fixed-date",
    "unknown",
    "?",
    "unknown",
    "unknown",
    "unknown",
    "0.5",
  ]);
  assert.match(r.stdout, /^nometa\/Password\s+unknown\s+\?\s+unknown/m);
  assert.match(r.stdout, /^timed\/Beta\.v2\s+general_reasoning\s+30\s+estimate\s+under_an_hour/m);
  assert.match(r.stdout, /4 tasks in 2 families \(2 without human minutes/);
  const json = await cli("tasks", ["--dir", SUITE, "--json", "--tasks", "nometa/*"]);
  assert.equal(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout);
  assert.deepEqual(
    rows.map((t: Record<string, unknown>) => [t.id, t.humanMinutes, t.humanSource, t.bucket]),
    [
      ["nometa/fixed-date", null, "unknown", "unknown"],
      ["nometa/Password", null, "unknown", "unknown"],
    ],
  );
});

Deno.test("tasks: the text table shows each task's success threshold (its own, else the default)", async () => {
  const r = await cli("tasks", ["--tasks", "sql_engine/*,mystery_function/affine"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^id\s.*\ssuccess ≥$/m);
  const thresholds = Object.fromEntries(
    r.stdout.split("\n").filter((l) => /^(sql_engine|mystery_function)\//.test(l)).map((l) => {
      const fields = l.trim().split(/\s+/);
      return [fields[0], fields.at(-1)];
    }),
  );
  assert.equal(thresholds["mystery_function/affine"], "0.5");
  const sql = Object.entries(thresholds).filter(([id]) => id.startsWith("sql_engine/"));
  assert.ok(sql.length >= 3, r.stdout);
  for (const [id, value] of sql) assert.equal(value, "0.95", id);
});

Deno.test("tasks --task-meta: a table fills minutes in (any family format); a bad one is an error naming file, line, field", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/times.csv`,
      "task,human_minutes,human_source,domain\nnometa/fixed-date,25,baseline,software_engineering\ntimed/alpha,7,,\n",
    );
    const r = await cli("tasks", ["--dir", SUITE, "--json", "--task-meta", `${dir}/times.csv`]);
    assert.equal(r.code, 0, r.stderr);
    const byId = new Map(JSON.parse(r.stdout).map((t: Record<string, unknown>) => [t.id, t]));
    const fixed = byId.get("nometa/fixed-date") as Record<string, unknown>;
    assert.deepEqual([fixed.humanMinutes, fixed.humanSource, fixed.bucket, fixed.domain], [
      25,
      "baseline",
      "under_an_hour",
      "software_engineering",
    ]);
    assert.equal((byId.get("nometa/Password") as Record<string, unknown>).humanMinutes, null);
    const alpha = byId.get("timed/alpha") as Record<string, unknown>;
    assert.deepEqual([alpha.humanMinutes, alpha.humanSource, alpha.bucket], [
      7,
      "estimate",
      "several_minutes",
    ]);

    await Deno.writeTextFile(`${dir}/bad.csv`, "task,human_minutes\nnometa/fixed-date,25\ntimed/alpha,-1\n");
    const bad = await cli("tasks", ["--dir", SUITE, "--task-meta", `${dir}/bad.csv`]);
    assertFails(bad, 2, /^error: --task-meta .*bad\.csv:3 \(human_minutes\): /m);
    assert.equal(bad.stdout, "");
  });
});

/** A runs.jsonl whose tasks of family fam0 have no human minutes. */
function runsFile(): { text: string; missing: string[] } {
  const tasks = simTasks(6, 3, 1, 900, 81);
  const h50: Record<string, number> = { basic: 10, tools: 60 };
  const rows = simRuns(tasks, ["basic", "tools"], (v, t) => logisticP(t.human_minutes, h50[v]), 3, 82)
    .objects() as Record<string, unknown>[];
  const table = from(rows.map((r) => (r.task_family === "fam0" ? { ...r, human_minutes: null } : r)));
  return { text: toRunsJsonl(table), missing: ["fam0/t0", "fam0/t1", "fam0/t2"] };
}

Deno.test("horizons and protocol: tasks without minutes are left out with one line naming them; --task-meta fills them", async () => {
  await withDir(async (dir) => {
    const { text, missing } = runsFile();
    await Deno.writeTextFile(`${dir}/runs.jsonl`, text);
    const h = await cli("horizons", ["--runs", `${dir}/runs.jsonl`, "--bootstrap", "20", "--format", "json"]);
    assert.equal(h.code, 0, h.stderr);
    const notes = h.stderr.split("\n").filter((l) => l.includes("without human minutes"));
    assert.deepEqual(notes, [
      `horizons: left out 3 tasks without human minutes (18 runs): ${missing.join(", ")}`,
    ]);
    assert.equal(JSON.parse(h.stdout).length, 2);

    await Deno.writeTextFile(
      `${dir}/times.json`,
      JSON.stringify(Object.fromEntries(missing.map((t) => [t, { human_minutes: 20 }]))),
    );
    const filled = await cli("horizons", [
      "--runs",
      `${dir}/runs.jsonl`,
      "--bootstrap",
      "0",
      "--task-meta",
      `${dir}/times.json`,
    ]);
    assert.equal(filled.code, 0, filled.stderr);
    assert.doesNotMatch(filled.stderr, /without human minutes/);
    assert.match(filled.stderr, /--task-meta gave human minutes to 18 runs of 3 tasks/);

    const p = await cli("protocol", [
      "--runs",
      `${dir}/runs.jsonl`,
      "--replicates",
      "20",
      "--baseline",
      "basic",
    ]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stderr.split("\n").filter((l) => l.includes("without human minutes")).length, 1, p.stderr);
    const report = JSON.parse(p.stdout);
    assert.equal(report.notes.filter((n: string) => n.startsWith("left out 3 tasks")).length, 1);
    assert.deepEqual(report.excluded.tasks, missing);
  });
});

Deno.test("eval: the simulator is refused, before any sandbox, on tasks without human minutes", async () => {
  const r = await cli("eval", ["--model", "simulated/30", "--tasks-dir", SUITE, "--tasks", "nometa/*"]);
  assertFails(r, 2, /--model simulated\/30 needs each task's human minutes; 2 selected task\(s\) have none/);
  assert.match(r.stderr, /nometa\/fixed-date, nometa\/Password/);
  assert.match(r.stderr, /--task-meta <file>/);
});
