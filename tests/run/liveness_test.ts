/**
 * Liveness of lock and sandbox owners: a zombie (killed, not yet reaped) and an absent pid are dead; a lock
 * held by either is stale; a lock held by a live process whose parent died is waited for, not refused.
 */
import assert from "node:assert/strict";
import { readFirstLine } from "../util/streams.ts";
import { processIsAlive, processStartTime, processStat } from "../../lib/sandbox/cleanup.ts";
import { acquireLogLock, LogLockedError, parseLockRecord } from "../../lib/run/log_lock.ts";

/**
 * Makes a real zombie: bash starts a child that exits 0.1 s later, after bash has exec'd `sleep`, which never reaps it.
 * Returns the zombie's pid and the sleeping parent (kill it to let init reap the zombie).
 */
async function makeZombie(): Promise<{ zombie: number; parent: Deno.ChildProcess }> {
  const parent = new Deno.Command("bash", {
    args: ["-c", "sleep 0.1 & echo $!; exec sleep 30"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const zombie = Number((await readFirstLine(parent.stdout)).trim());
  for (let i = 0; i < 200 && processStat(zombie)?.state !== "Z"; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return { zombie, parent };
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* gone */ }
  await child.status;
  await child.stdout.cancel().catch(() => {});
}

Deno.test("liveness: a zombie and an absent pid are dead, a running process (same start time) alive", async () => {
  const { zombie, parent } = await makeZombie();
  try {
    assert.equal(processStat(zombie)?.state, "Z", "the test made a real zombie");
    assert.equal(processIsAlive(zombie), false, "a zombie runs no code: dead");
    assert.equal(processIsAlive(zombie, processStartTime(zombie)), false);
    assert.equal(processIsAlive(parent.pid), true);
    assert.equal(processIsAlive(parent.pid, processStartTime(parent.pid)), true);
    assert.equal(processIsAlive(parent.pid, (processStartTime(parent.pid) ?? 0) + 1), false, "pid reused");
  } finally {
    await stop(parent);
  }
  assert.equal(processIsAlive(parent.pid), false, "killed and reaped: absent");
  assert.equal(processIsAlive(0), false);
  assert.equal(processIsAlive(-5), false);
});

Deno.test("log lock: a lock held by a zombie (kill -9, not yet reaped) is stale and taken over at once", async () => {
  const path = `${await Deno.makeTempDir()}/e.jsonl`;
  const { zombie, parent } = await makeZombie();
  try {
    assert.equal(processStat(zombie)?.state, "Z", "the test made a real zombie");
    await Deno.writeTextFile(
      `${path}.lock`,
      JSON.stringify({ pid: zombie, startTime: processStartTime(zombie) }),
    );
    const release = await acquireLogLock(path);
    assert.equal(parseLockRecord(Deno.readTextFileSync(`${path}.lock`))!.pid, Deno.pid);
    release();
  } finally {
    await stop(parent);
  }
});

Deno.test("log lock: a live holder whose parent died is waited for, then taken over; past the grace, refused", async () => {
  const path = `${await Deno.makeTempDir()}/e.jsonl`;
  // An orphan: bash starts `sleep` in the background and exits, so sleep is re-parented.
  const launcher = await new Deno.Command("bash", {
    args: ["-c", "sleep 1.5 >/dev/null 2>&1 & echo $!"],
    stdout: "piped",
  }).output();
  const orphan = Number(new TextDecoder().decode(launcher.stdout).trim());
  assert.ok(processIsAlive(orphan), "the orphan runs");
  const record = { pid: orphan, startTime: processStartTime(orphan), ppid: 999_999_999 };
  await Deno.writeTextFile(`${path}.lock`, JSON.stringify(record));
  await assert.rejects(() => acquireLogLock(path, { orphanGraceMs: 200 }), (e: unknown) => {
    assert.ok(e instanceof LogLockedError);
    assert.match(e.message, /whose parent process died .* but which is still running/);
    return true;
  });
  const started = Date.now();
  const release = await acquireLogLock(path, { orphanGraceMs: 10_000 });
  assert.ok(Date.now() - started >= 500, "waited for the orphan to exit");
  assert.equal(processIsAlive(orphan), false);
  release();

  // A live holder with its parent still there is refused at once.
  const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    await Deno.writeTextFile(
      `${path}.lock`,
      JSON.stringify({ pid: sleeper.pid, startTime: processStartTime(sleeper.pid), ppid: Deno.pid }),
    );
    const t = Date.now();
    await assert.rejects(() => acquireLogLock(path), LogLockedError);
    assert.ok(Date.now() - t < 1000, "no wait for a live, parented writer");
  } finally {
    sleeper.kill("SIGKILL");
    await sleeper.status;
  }
});
