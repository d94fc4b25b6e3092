/**
 * Every command is also a function: `main(argv)` of `lib/cli/<name>.ts` returns the exit code and never
 * exits the process. For each command: `--help` (exit 0, the usage on stdout), an unknown option (exit 2,
 * named), a missing argument (exit 2) and one real successful call, all in this process.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { assertFails } from "./_run.ts";
import { inProcess, type Main } from "./_in_process.ts";
import { main as evalMain } from "../../lib/cli/eval.ts";
import { main as packages } from "../../lib/cli/packages.ts";
import { main as qa } from "../../lib/cli/qa.ts";
import { main as runs } from "../../lib/cli/runs.ts";
import { main as tasks } from "../../lib/cli/tasks.ts";
import { main as workbench } from "../../lib/cli/workbench.ts";
import { writeRunLog } from "../util/run_log.ts";

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-in-process-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const COMMANDS: Array<[string, Main, RegExp]> = [
  ["eval", evalMain, /^usage: deno task eval --model/],
  ["qa", qa, /^usage: deno task qa /],
  ["runs", runs, /^usage: deno task runs --log/],
  ["tasks", tasks, /^usage: deno task tasks /],
  ["workbench", workbench, /^usage: deno task workbench <command>/],
  ["packages", packages, /^usage: deno run -A lib\/cli\/packages.ts/],
];

for (const [name, main, usage] of COMMANDS) {
  Deno.test(`${name}: --help prints the usage and exits 0; an unknown option exits 2 naming it`, async () => {
    const help = await inProcess(main, ["--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, usage);
    assert.equal(help.stderr, "");
    // workbench takes its command first
    const bogus = await inProcess(main, name === "workbench" ? ["list", "--bogus"] : ["--bogus"]);
    assertFails(bogus, 2, /^error: Unknown option '--bogus'/m);
    assert.equal(bogus.stdout, "");
  });
}

Deno.test("a missing argument exits 2 with a line naming it", async () => {
  assertFails(await inProcess(evalMain, []), 2, /^error: --model is required/m);
  assertFails(await inProcess(qa, ["--sandbox"]), 2, /^error: Option '--sandbox <value>' argument missing/m);
  assertFails(await inProcess(runs, []), 2, /^error: give exactly one of --log, --metr/m);
  assertFails(await inProcess(tasks, ["--dir"]), 2, /^error: Option '--dir <value>' argument missing/m);
  assertFails(await inProcess(workbench, []), 2, /^error: usage: workbench start\|list/m);
  assertFails(await inProcess(workbench, ["start"]), 2, /^error: usage: workbench start <task-id>/m);
  assertFails(await inProcess(packages, ["--dir"]), 2, /^error: Option '--dir <value>' argument missing/m);
});

Deno.test("tasks lists the bundled suite; --json has the same tasks", async () => {
  const table = await inProcess(tasks, []);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^mystery_function\/affine\s/m);
  const count = Number(table.stdout.match(/^(\d+) tasks in \d+ families/m)?.[1]);
  const json = await inProcess(tasks, ["--json"]);
  assert.equal(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout) as Array<{ id: string }>;
  assert.equal(rows.length, count);
  assert.ok(rows.some((r) => r.id === "mystery_function/affine"));
});

Deno.test("packages prints the sorted union of the bundled families' packages on one line", async () => {
  const r = await inProcess(packages, []);
  assert.equal(r.code, 0, r.stderr);
  const names = r.stdout.trim().split(" ").filter(Boolean);
  assert.equal(r.stdout.trim().split("\n").length, 1);
  assert.deepEqual(names, [...new Set(names)].sort());
  assertFails(await inProcess(packages, ["--dir", "/nonexistent-evalkit"]), 1, /^error: --dir: /m);
});

Deno.test("runs reads a run log: JSON on stdout, or CSV to --out", async () => {
  await withDir(async (dir) => {
    const log = join(dir, "log.jsonl");
    await writeRunLog(log, "openai/gpt-4o");
    const r = await inProcess(runs, ["--log", log, "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    assert.equal(rows.length, 32);
    assert.ok(rows.every((row) => row.model === "openai/gpt-4o"));
    assert.doesNotMatch(r.stderr, /simulat/i);
    const out = join(dir, "runs.csv");
    const w = await inProcess(runs, ["--log", log, "--out", out]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, "");
    assert.equal((await Deno.readTextFile(out)).trim().split("\n").length, 33);
  });
});

Deno.test("workbench list reads the state directory of EVALKIT_WORKBENCH_DIR", async () => {
  await withDir(async (dir) => {
    const empty = await inProcess(workbench, ["list"], { EVALKIT_WORKBENCH_DIR: dir });
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, "no environments\n");
    const state = {
      envId: "mystery_function-affine-12345678",
      taskId: "mystery_function/affine",
      sandbox: "local",
      pid: 4242,
      socket: join(dir, "x.sock"),
      startedAt: "2030-01-01T00:00:00.000Z",
      instructions: "…",
    };
    await Deno.writeTextFile(join(dir, `${state.envId}.json`), JSON.stringify(state));
    const one = await inProcess(workbench, ["list"], { EVALKIT_WORKBENCH_DIR: dir });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(
      one.stdout,
      `${state.envId}\tmystery_function/affine\tlocal\tpid 4242\t2030-01-01T00:00:00.000Z\n`,
    );
    // exec on it: the holder does not answer (no socket) — exit 2 naming the environment
    assertFails(
      await inProcess(workbench, ["exec", state.envId, "--", "true"], { EVALKIT_WORKBENCH_DIR: dir }),
      2,
      /^error: environment "mystery_function-affine-12345678" is not answering \(holder pid 4242 gone\?\)/m,
    );
  });
});

Deno.test("eval runs a small grid in-process, returns 0 and leaves no signal listener installed", async () => {
  await withDir(async (dir) => {
    const args = [
      "--model",
      "simulated/30",
      "--tasks",
      "mystery_function/affine",
      "--variants",
      "basic",
      "--log",
      dir,
      "--progress",
      "none",
      "--json",
    ];
    const r = await inProcess(evalMain, args);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.signalListeners, []);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.ran, 1);
    assert.equal(summary.agents.length, 1);
    assert.equal(summary.agents[0].data, "simulated");
    // The same command again resumes: nothing left to run.
    const again = await inProcess(evalMain, args);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).ran, 0);
    assert.deepEqual(again.signalListeners, []);
  });
});

Deno.test("qa checks one bundled task in the local sandbox and prints its table", async () => {
  const r = await inProcess(qa, ["--tasks", "mystery_function/affine", "--no-cheats"]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^mystery_function\/affine\s.*\spass$/m);
  assert.match(r.stdout, /^QA \(local\): 1 passed, 0 failed, /m);
  assert.match(r.stderr, /^pass {2}mystery_function\/affine /m);
  assert.deepEqual(r.signalListeners, []);
});
