import assert from "node:assert/strict";
import { eventLine, LogWriter } from "../../lib/run/log_writer.ts";
import { readLogFile } from "../../lib/run/log_reader.ts";
import type { LogEvent } from "../../lib/run/events.ts";
import { planCell, readCellHistory } from "../../lib/run/resume.ts";
import { acquireLogLock, LogLockedError, parseLockRecord } from "../../lib/run/log_lock.ts";
import { runs } from "../../lib/frame/tables.ts";
import { cellEnd, cellStart } from "../util/log_events.ts";

Deno.test("eventLine puts type first and ends with a newline", () => {
  const line = eventLine(cellEnd("c", "r", "ok", 1));
  assert.ok(line.startsWith('{"type":"cell_end",'));
  assert.ok(line.endsWith("}\n"));
});

Deno.test("a corrupt or truncated line is reported with file:line and skipped; the rest is read", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/e.jsonl`;
  const w = LogWriter.open(path);
  w.write(cellStart("a", "r1"));
  w.write(cellEnd("a", "r1", "ok", 1));
  w.close();
  await Deno.writeTextFile(path, "this is not json\n", { append: true });
  await Deno.writeTextFile(path, JSON.stringify({ type: "cell_end", cell: "x" }) + "\n", { append: true });
  const w2 = LogWriter.open(path);
  w2.write(cellStart("b", "r2"));
  w2.write(cellEnd("b", "r2", "ok", 0));
  w2.close();
  const partial = eventLine(cellStart("c", "r3"));
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
  await Deno.writeTextFile(path, eventLine(cellStart("a", "r1")) + '{"type":"cell_end","t":');
  const w = LogWriter.open(path);
  w.write(cellEnd("a", "r1", "ok", 1));
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
  w.write(cellStart("ok", "1"));
  w.write(cellEnd("ok", "1", "ok", 1));
  w.write(cellStart("lim", "2"));
  w.write(cellEnd("lim", "2", "limit", 0));
  w.write(cellStart("err", "3"));
  w.write(cellEnd("err", "3", "error", null));
  w.write(cellStart("open", "4"));
  w.write(cellStart("err2", "5"));
  w.write(cellEnd("err2", "5", "error", null));
  w.write(cellStart("err2", "6")); // a retry of an errored cell that crashed
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
    await Deno.writeTextFile(`${path}.lock`, String(sleeper.pid)); // the old format: a bare pid
    await assert.rejects(() => acquireLogLock(path), (e: unknown) => {
      assert.ok(e instanceof LogLockedError);
      assert.match(e.message, new RegExp(`being written by another eval \\(pid ${sleeper.pid}\\)`));
      return true;
    });
  } finally {
    sleeper.kill("SIGKILL");
    await sleeper.status;
  }
  const release = await acquireLogLock(path); // the holder is dead now: stale lock
  const record = parseLockRecord(Deno.readTextFileSync(`${path}.lock`))!;
  assert.equal(record.pid, Deno.pid);
  assert.equal(record.ppid, Deno.ppid);
  release();
  assert.throws(() => Deno.statSync(`${path}.lock`), Deno.errors.NotFound);
  release(); // idempotent
});
