import assert from "node:assert/strict";
import { runRows } from "../../lib/frame/tables.ts";
import { readCellHistory } from "../../lib/run/resume.ts";
import { logFiles } from "../../lib/run/log_reader.ts";
import { smallGridArgs } from "../util/small_grid.ts";
import { startScriptedServer } from "../agent/scripted_server.ts";
import { runScripted } from "../agent/harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const EVAL_CLI = new URL("../../lib/cli/eval.ts", import.meta.url).pathname;

function evalCommand(logDir: string): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", EVAL_CLI, ...smallGridArgs(logDir)],
    stdout: "piped",
    stderr: "piped",
  });
}

async function runToEnd(logDir: string): Promise<void> {
  const out = await evalCommand(logDir).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

Deno.test(
  "kill -9 mid-grid, then the same command: every cell exactly once, same as an uninterrupted run",
  opts,
  async () => {
    const killedDir = await Deno.makeTempDir({ prefix: "evalkit-kill-" });
    const child = evalCommand(killedDir).spawn();
    let finishedBeforeKill = 0;
    const lines = child.stderr.pipeThrough(new TextDecoderStream());
    let buffer = "";
    for await (const chunk of lines) {
      buffer += chunk;
      finishedBeforeKill = (buffer.match(/^\[\d+\/\d+\]/gm) ?? []).length;
      if (finishedBeforeKill >= 12) break;
    }
    child.kill("SIGKILL");
    const status = await child.status;
    await child.stdout.cancel();
    assert.equal(status.signal, "SIGKILL");

    const [logPath] = await logFiles(killedDir);
    const before = await readCellHistory(logPath);
    const doneBefore = [...before.history.values()].filter((h) => !h.open && h.lastStatus !== null).length;
    const openBefore = [...before.history.entries()].filter(([, h]) => h.open).map(([c]) => c);
    assert.ok(doneBefore >= 12 && doneBefore < 64, `killed mid-grid (done ${doneBefore})`);
    assert.ok(openBefore.length >= 1, "the kill left at least one cell in flight");

    await runToEnd(killedDir);
    const resumed = await runRows(killedDir);
    const cleanDir = await Deno.makeTempDir({ prefix: "evalkit-clean-" });
    await runToEnd(cleanDir);
    const clean = await runRows(cleanDir);

    assert.equal(clean.rows.length, 64);
    assert.equal(resumed.rows.length, 64, "every cell exactly once");
    assert.equal(new Set(resumed.rows.map((r) => r.cell_id)).size, 64, "no duplicates");
    // Same cell set, statuses and scores: every cell, bestOfN's included, is deterministic for its seed (the
    // simulated rater keys its noise on the agent's actions, not on observations holding clock times).
    const key = (r: { cell_id: string; score: number | null; status: string }) =>
      `${r.cell_id}:${r.status}:${r.score}`;
    const a = resumed.rows.map(key).sort(), b = clean.rows.map(key).sort();
    assert.deepEqual(a, b, "same cells, same statuses, same outcomes");
    for (const cell of openBefore) {
      assert.equal(
        resumed.rows.find((r) => r.cell_id === cell)!.attempts,
        2,
        "the interrupted cell was rerun",
      );
    }
    const after = await readCellHistory(logPath);
    const reran = [...after.history.values()].filter((h) => h.attempts > 1).length;
    assert.equal(reran, openBefore.length, "only interrupted cells ran twice");
    assert.equal(resumed.issues.length, 0);
  },
);

Deno.test("--retry-errors reruns only errored cells", opts, async () => {
  let failing = true;
  const server = startScriptedServer((req) => {
    if (failing) return { choices: [], status: 400 };
    const tool = req.messages.filter((m) => m.role === "tool").at(-1);
    if (!tool) {
      return {
        choices: [{
          toolCalls: [{ name: "bash", arguments: { command: "awk '{s+=$1} END {print s}' numbers.txt" } }],
        }],
      };
    }
    return {
      choices: [{ toolCalls: [{ name: "submit", arguments: { answer: tool.content!.split("\n")[0] } }] }],
    };
  });
  try {
    const logDir = await Deno.makeTempDir();
    const first = await runScripted({
      variants: "chat",
      modelOptions: server.modelOptions,
      tasks: "trivial/*",
      logDir,
    });
    assert.equal(first.rows.length, 4);
    assert.ok(
      first.rows.every((r) => r.status === "error" && r.fatal_error_from === "model"),
      "400 → model error",
    );
    assert.match(first.rows[0].error!, /ModelError/);
    failing = false;
    const again = await runScripted({
      variants: "chat",
      modelOptions: server.modelOptions,
      tasks: "trivial/*",
      logDir,
    });
    assert.equal(again.summary.ran, 0, "errored cells are not rerun without --retry-errors");
    const retried = await runScripted({
      variants: "chat",
      modelOptions: server.modelOptions,
      tasks: "trivial/*",
      logDir,
      retryErrors: true,
    });
    assert.equal(retried.summary.ran, 4);
    assert.equal(retried.rows.length, 4);
    assert.ok(retried.rows.every((r) => r.status === "ok" && r.score === 1 && r.attempts === 2));
    const fourth = await runScripted({
      variants: "chat",
      modelOptions: server.modelOptions,
      tasks: "trivial/*",
      logDir,
      retryErrors: true,
    });
    assert.equal(fourth.summary.ran, 0, "finished cells are never rerun");
  } finally {
    await server.close();
  }
});

Deno.test(
  "Ctrl-C (SIGINT) stops the grid with exit 130; the same command then completes it",
  opts,
  async () => {
    const logDir = await Deno.makeTempDir({ prefix: "evalkit-sigint-" });
    const child = evalCommand(logDir).spawn();
    let buffer = "", signalled = false;
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      if (!signalled && (buffer.match(/^\[\d+\/\d+\]/gm) ?? []).length >= 6) {
        child.kill("SIGINT");
        signalled = true;
      }
    }
    assert.match(buffer, /interrupted: no new cells are started/);
    const status = await child.status;
    await child.stdout.cancel();
    assert.equal(status.code, 130);
    const partial = await runRows(logDir);
    assert.ok(partial.rows.length >= 6 && partial.rows.length < 64, `stopped early (${partial.rows.length})`);
    await runToEnd(logDir);
    const done = await runRows(logDir);
    assert.equal(done.rows.length, 64);
    assert.equal(new Set(done.rows.map((r) => r.cell_id)).size, 64);
  },
);
