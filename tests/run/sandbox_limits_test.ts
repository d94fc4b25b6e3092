/**
 * Sandbox resource limits end to end: a memory bomb, a fork bomb and a disk fill run by an agent in a
 * small-limit sandbox end the run with `status: limit` and `limit: memory | processes | disk` on the run
 * record (the real runner, real sandboxes, the log and its tables), and scoring still runs (and forks)
 * afterwards.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { registerScaffold } from "../../lib/agent/registry.ts";
import { resolveVariant } from "../../lib/agent/variant.ts";
import { createModel } from "../../lib/model/registry.ts";
import { runEval } from "../../lib/run/runner.ts";
import { runRows } from "../../lib/frame/tables.ts";
import { LimitKind, RunRow } from "../../lib/frame/schema.ts";
import {
  createSandboxDriver,
  dockerEngineReachable,
  type SandboxDriver,
  type SandboxDriverName,
  type SandboxSpec,
} from "../../lib/sandbox/mod.ts";
import { loadSuite, selectTasks } from "../../lib/task/loader.ts";
import { ROOT_PROCESSES_FIRST_FOR_OOM, SPLIT_MEMORY_BOMB } from "../util/oom.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const DEFINE = new URL("../../lib/task/define.ts", import.meta.url).href;

/** Small limits for every sandbox of these runs. */
const SMALL: Partial<SandboxSpec> = { memoryGb: 0.125, maxProcesses: 64, diskGb: 0.01 };

/** The driver, with the small limits applied to every sandbox it creates. */
async function smallDriver(name: SandboxDriverName): Promise<SandboxDriver> {
  const driver = await createSandboxDriver(name);
  return {
    name: driver.name,
    create: (spec) => driver.create({ ...spec, ...SMALL }),
    buildImage: (recipe) => driver.buildImage(recipe),
  };
}

/** A one-task family (python3 for the memory bomb) whose scorer runs a command as root in the sandbox. */
async function fixtureTasks(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-limits-tasks-" });
  await Deno.mkdir(`${dir}/limits_fixture`);
  await Deno.writeTextFile(
    `${dir}/limits_fixture/family.ts`,
    `import { defineTaskFamily } from ${JSON.stringify(DEFINE)};
export default defineTaskFamily({
  name: "limits_fixture",
  version: "1.0.0",
  standardVersion: "1.0.0",
  packages: ["python3"],
  tasks: {
    any: {
      instructions: "Submit done.",
      humanMinutes: 1,
      humanSource: "estimate",
      domain: "general_reasoning",
      quality: "implementation",
      summary: "Fixture for sandbox limit tests.",
      detail: "Fixture for the runner's sandbox limit tests; it measures nothing. The scorer forks as root.",
    },
    server_oom: {
      instructions: "Submit done.",
      humanMinutes: 1,
      humanSource: "estimate",
      domain: "general_reasoning",
      quality: "implementation",
      summary: "Fixture for sandbox limit tests: the OOM killer chooses root processes first.",
      detail: "Fixture for the runner's sandbox limit tests; it measures nothing. Setup raises the root " +
        "processes' OOM scores.",
    },
  },
  async setup(ctx) {
    if (ctx.taskName !== "server_oom") return;
    // Every root process (docker: the container's init and the exec server) becomes the OOM killer's first
    // choice, as an agent whose processes each stay small achieves against the server's larger footprint.
    await ctx.sandbox.exec(${JSON.stringify(ROOT_PROCESSES_FIRST_FOR_OOM)}, { user: "root" });
  },
  async score(ctx, submission) {
    const r = await ctx.sandbox.exec("echo scored | cat", { user: "root", timeoutMs: 60_000 });
    // 1: submitted; 0.5: no submission (the limit ended the run first) but the scorer could still fork.
    return r.stdout === "scored\\n" ? (submission === "done" ? 1 : 0.5) : 0;
  },
});
`,
  );
  return dir;
}

/** An agent that runs one bash command, then submits `done`. */
registerScaffold(
  "limitProbe",
  (args) => async (ctx) => {
    await ctx.act("bash", { command: args.command });
    await ctx.act("submit", { answer: "done" });
    return { submission: "done" };
  },
  z.object({ command: z.string().default("true") }),
  "test scaffold: runs one command, then submits",
);

const PROBES: Record<string, { command: string; limit: LimitKind | null }> = {
  calm: { command: "echo calm", limit: null },
  memory: { command: "python3 -c 'a = []\nwhile True: a.append(bytearray(10**7))'", limit: "memory" },
  // The classic fork bomb: it keeps going in the background after the command itself returns.
  processes: { command: ":(){ :|:& };:", limit: "processes" },
  disk: { command: "head -c 50000000 /dev/zero > ~/fill", limit: "disk" },
};

for (const name of ["docker", "local"] as const) {
  const ignore = name === "docker" && !(await dockerEngineReachable()) && Deno.env.get("CI") !== "true";
  Deno.test({
    name: `${name} sandbox limits: memory bomb, fork bomb and disk fill end runs with their typed limit`,
    ignore,
    ...opts,
    fn: async () => {
      const tasksDir = await fixtureTasks();
      const suite = await loadSuite(tasksDir);
      assert.deepEqual(suite.errors, []);
      const variants = await Promise.all(
        Object.entries(PROBES).map(([probe, { command }]) =>
          resolveVariant({ name: probe, scaffold: "limitProbe", args: { command } })
        ),
      );
      const logDir = await Deno.makeTempDir({ prefix: `evalkit-limits-${name}-` });
      const summary = await runEval({
        tasks: selectTasks(suite.tasks, "limits_fixture/any"),
        variants,
        models: ["simulated/30"],
        driver: await smallDriver(name),
        resolveModel: (model) => createModel(model),
        logDir,
        tools: { timeoutS: 10 },
        concurrency: 2,
      });
      const { rows, issues } = await runRows(logDir);
      assert.deepEqual(issues, []);
      assert.equal(rows.length, 4);
      for (const [probe, { limit }] of Object.entries(PROBES)) {
        const row = rows.find((r) => r.variant === probe)!;
        const detail = JSON.stringify({ status: row.status, limit: row.limit, error: row.error });
        assert.equal(row.status, limit ? "limit" : "ok", `${probe}: ${detail}`);
        assert.equal(row.limit, limit, `${probe}: ${detail}`);
        assert.equal(row.error, null, `${probe}: ${detail}`);
        // A failed command (the memory bomb, the disk fill) ends the run at once (0.5: nothing submitted); a
        // fork bomb's command itself may exit 0, and then the end of the agent phase catches it (1).
        const expected = limit === null ? [1] : probe === "processes" ? [0.5, 1] : [0.5];
        assert.ok(
          expected.includes(row.score!),
          `${probe}: scoring ran and could fork (${row.score}, ${detail})`,
        );
        // The run table's schema takes the new kinds.
        assert.equal(RunRow.parse(row).limit, limit);
      }
      assert.equal(summary.counts.error, 0);
      assert.equal(summary.counts.limit, 3);
      await Deno.remove(logDir, { recursive: true });
      await Deno.remove(tasksDir, { recursive: true });
    },
  });
}

for (const name of ["docker", "local"] as const) {
  Deno.test({
    name:
      `${name} sandbox limits: a memory bomb that gets the OOM killer to choose the root processes (docker: ` +
      "the container stops) ends the run with the memory limit, not an error",
    ignore: name === "docker" && !(await dockerEngineReachable()) && Deno.env.get("CI") !== "true",
    ...opts,
    fn: async () => {
      const tasksDir = await fixtureTasks();
      const suite = await loadSuite(tasksDir);
      assert.deepEqual(suite.errors, []);
      // Twenty 10 MB processes, each with the OOM score it inherited put back to 0, against the 128 MB cap.
      const command = SPLIT_MEMORY_BOMB;
      const logDir = await Deno.makeTempDir({ prefix: `evalkit-limits-server-oom-${name}-` });
      await runEval({
        tasks: selectTasks(suite.tasks, "limits_fixture/server_oom"),
        variants: [await resolveVariant({ name: "split_bomb", scaffold: "limitProbe", args: { command } })],
        models: ["simulated/30"],
        driver: await smallDriver(name),
        resolveModel: (model) => createModel(model),
        logDir,
        tools: { timeoutS: 30 },
      });
      const { rows, issues } = await runRows(logDir);
      assert.deepEqual(issues, []);
      assert.equal(rows.length, 1);
      const [row] = rows;
      const detail = JSON.stringify({
        status: row.status,
        limit: row.limit,
        error: row.error,
        score: row.score,
      });
      assert.equal(row.status, "limit", detail);
      assert.equal(row.limit, "memory", detail);
      assert.equal(row.error, null, detail);
      // The scenario happened: the sandbox (docker: its container; local: its exec server and bubblewrap)
      // was gone under the agent's command, and the limit explains it.
      const log = (await Promise.all(
        [...Deno.readDirSync(logDir)].map((entry) => Deno.readTextFile(`${logDir}/${entry.name}`)),
      )).join("\n");
      assert.match(
        log,
        /memory limit reached in the sandbox \(it explains the agent-phase error: SandboxGoneError/,
      );
      await Deno.remove(logDir, { recursive: true });
      await Deno.remove(tasksDir, { recursive: true });
    },
  });
}
