import assert from "node:assert/strict";
import { eventLine, LogWriter } from "../../lib/run/log_writer.ts";
import { readLogFile } from "../../lib/run/log_reader.ts";
import type { LogEvent } from "../../lib/run/events.ts";
import { planCell, readCellHistory } from "../../lib/run/resume.ts";
import { acquireLogLock, LogLockedError } from "../../lib/run/log_lock.ts";
import { runs } from "../../lib/frame/tables.ts";

function start(cell: string, run: string): LogEvent {
  return {
    type: "cell_start",
    t: 1,
    cell,
    run_id: run,
    eval_id: "e",
    task_id: "f/t",
    task_family: "f",
    human_minutes: 3,
    human_source: "estimate",
    variant: "chat",
    variant_hash: "h",
    scaffold: "chat",
    args: {},
    model: "m/x",
    epoch: 0,
    seed: 1,
    attempt: 1,
  };
}
function end(cell: string, run: string, status: "ok" | "error" | "limit", score: number | null): LogEvent {
  return {
    type: "cell_end",
    t: 2,
    cell,
    run_id: run,
    status,
    limit: status === "limit" ? "actions" : null,
    error: status === "error" ? "boom" : null,
    error_source: status === "error" ? "model" : null,
    score,
    input_tokens: 1,
    output_tokens: 2,
    cost_usd: 0,
    actions: 0,
    model_calls: 1,
    duration_s: 1,
    agent_s: 1,
    started_at: 1,
    completed_at: 2,
  };
}

Deno.test("eventLine puts type first and ends with a newline", () => {
  const line = eventLine(end("c", "r", "ok", 1));
  assert.ok(line.startsWith('{"type":"cell_end",'));
  assert.ok(line.endsWith("}\n"));
});

Deno.test("a corrupt or truncated line is reported with file:line and skipped; the rest is read", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/e.jsonl`;
  const w = LogWriter.open(path);
  w.write(start("a", "r1"));
  w.write(end("a", "r1", "ok", 1));
  w.close();
  await Deno.writeTextFile(path, "this is not json\n", { append: true });
  await Deno.writeTextFile(path, JSON.stringify({ type: "cell_end", cell: "x" }) + "\n", { append: true });
  const w2 = LogWriter.open(path);
  w2.write(start("b", "r2"));
  w2.write(end("b", "r2", "ok", 0));
  w2.close();
  const partial = eventLine(start("c", "r3"));
  await Deno.writeTextFile(path, partial.slice(0, 40), { append: true }); // a crash mid-line
  const seen: LogEvent[] = [];
  const r = await readLogFile(path, { onEvent: (e) => seen.push(e) });
  assert.equal(seen.length, 4);
  assert.deepEqual(r.issues.map((i) => i.line), [3, 4, 7]);
  assert.match(r.issues[0].reason, /^corrupt line/);
  assert.match(r.issues[1].reason, /^invalid event: /);
  assert.match(r.issues[2].reason, /^truncated last line/);
  assert.equal(r.issues[2].file, path);
  const { table, issues } = await runs(dir);
  assert.equal(table.numRows(), 2);
  assert.equal(issues.length, 3, "the fast reader still reports every unreadable line");
});

Deno.test("reopening a log that ends mid-line starts the next event on a fresh line", async () => {
  const path = `${await Deno.makeTempDir()}/e.jsonl`;
  await Deno.writeTextFile(path, eventLine(start("a", "r1")) + '{"type":"cell_end","t":');
  const w = LogWriter.open(path);
  w.write(end("a", "r1", "ok", 1));
  w.close();
  const seen: LogEvent[] = [];
  const r = await readLogFile(path, { onEvent: (e) => seen.push(e) });
  assert.deepEqual(seen.map((e) => e.type), ["cell_start", "cell_end"]);
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0].line, 2);
});

Deno.test("resume plan: done and limit skipped, open reruns, errors only with retry", async () => {
  const path = `${await Deno.makeTempDir()}/e.jsonl`;
  const w = LogWriter.open(path);
  w.write(start("ok", "1"));
  w.write(end("ok", "1", "ok", 1));
  w.write(start("lim", "2"));
  w.write(end("lim", "2", "limit", 0));
  w.write(start("err", "3"));
  w.write(end("err", "3", "error", null));
  w.write(start("open", "4"));
  w.write(start("err2", "5"));
  w.write(end("err2", "5", "error", null));
  w.write(start("err2", "6")); // a retry of an errored cell that crashed
  w.close();
  const { history } = await readCellHistory(path);
  const plan = (c: string, retry: boolean) => planCell(history.get(c), retry);
  assert.equal(plan("ok", true), "skip-done");
  assert.equal(plan("lim", true), "skip-done");
  assert.equal(plan("err", false), "skip-error");
  assert.equal(plan("err", true), "retry-error");
  assert.equal(plan("open", false), "interrupted");
  assert.equal(plan("err2", false), "interrupted");
  assert.equal(plan("never", false), "new");
  assert.equal(history.get("err2")!.attempts, 2);
});

Deno.test("log lock: a live writer blocks a second eval; a dead writer's lock is taken over", async () => {
  const path = `${await Deno.makeTempDir()}/e.jsonl`;
  const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    await Deno.writeTextFile(`${path}.lock`, String(sleeper.pid));
    assert.throws(() => acquireLogLock(path), (e: unknown) => {
      assert.ok(e instanceof LogLockedError);
      assert.match(e.message, new RegExp(`being written by another eval \\(pid ${sleeper.pid}\\)`));
      return true;
    });
  } finally {
    sleeper.kill("SIGKILL");
    await sleeper.status;
  }
  const release = acquireLogLock(path); // the holder is dead now: stale lock
  assert.equal(Deno.readTextFileSync(`${path}.lock`), String(Deno.pid));
  release();
  assert.throws(() => Deno.statSync(`${path}.lock`), Deno.errors.NotFound);
});
