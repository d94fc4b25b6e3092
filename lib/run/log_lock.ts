/**
 * One writer per eval log: `<log>.lock` records the writer (pid, start time, boot id, parent pid). A second
 * process on the same log fails fast with a clear message. A lock whose writer is gone — exited, killed
 * (`kill -9` leaves a zombie until it is reaped, which on some machines takes PID 1 seconds), or from an
 * earlier boot — is stale and taken over. A writer that is still running but whose parent died (its
 * `deno task` was killed: the runner then stops by itself, see {@link watchParent}) is waited for, up to
 * `orphanGraceMs`, so that the same command run again at once resumes instead of being refused.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { bootId, processIsAlive, processStartTime, processStat } from "../sandbox/cleanup.ts";
import { delay } from "../sandbox/timeout.ts";

/** Raised when another live process is writing the same log. */
export class LogLockedError extends Error {
  /** An error naming the log and the pid of the process writing it; `detail` is appended to the message. */
  constructor(readonly logPath: string, readonly pid: number, detail = "") {
    super(
      `${logPath} is being written by another eval (pid ${pid})${detail}; wait for it or stop it, then re-run`,
    );
    this.name = "LogLockedError";
  }
}

/** What a lock file holds. Old locks hold only the pid as text; they parse to `{ pid }`. */
export const LockRecord = z.object({
  pid: z.number().int().positive(),
  startTime: z.number().optional(),
  bootId: z.string().optional(),
  /** The writer's parent pid when it took the lock. */
  ppid: z.number().int().optional(),
});
/** What a lock file holds. */
export type LockRecord = z.infer<typeof LockRecord>;

/** Options of {@link acquireLogLock}. */
export interface LogLockOptions {
  /** How long to wait for a holder whose parent died (an orphan that is stopping). Default 60 s. */
  orphanGraceMs?: number;
}

/** Parses a lock file's text; undefined when it is not a lock record. */
export function parseLockRecord(text: string): LockRecord | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const parsed = LockRecord.safeParse(JSON.parse(trimmed));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** True while the process that wrote `record` is running (not a zombie, same start time, same boot). */
export function lockHolderAlive(record: LockRecord): boolean {
  if (record.bootId !== undefined && record.bootId !== bootId()) return false;
  return processIsAlive(record.pid, record.startTime);
}

/** True when the holder is alive but its parent is no longer the one it had when it took the lock. */
function holderOrphaned(record: LockRecord): boolean {
  if (record.ppid === undefined) return false;
  const stat = processStat(record.pid);
  return stat !== undefined && stat.ppid !== record.ppid;
}

function readRecord(lockPath: string): { text: string; record: LockRecord | undefined } | undefined {
  try {
    const text = Deno.readTextFileSync(lockPath);
    return { text, record: parseLockRecord(text) };
  } catch {
    return undefined; // removed in between
  }
}

/** Removes `lockPath` if it still holds `text` (narrows the race with another process taking it over). */
function removeIfUnchanged(lockPath: string, text: string): void {
  try {
    if (Deno.readTextFileSync(lockPath) === text) Deno.removeSync(lockPath);
  } catch {
    // someone else removed it first
  }
}

/** Take the lock of `logPath`; resolves to a release function (idempotent). */
export async function acquireLogLock(logPath: string, options: LogLockOptions = {}): Promise<() => void> {
  const lockPath = `${logPath}.lock`;
  const graceMs = options.orphanGraceMs ?? 60_000;
  const self = processStat(Deno.pid);
  const mine = JSON.stringify(
    {
      pid: Deno.pid,
      startTime: processStartTime(Deno.pid),
      bootId: bootId(),
      ppid: self?.ppid,
    } satisfies LockRecord,
  );
  let waitedSince: number | undefined;
  for (let attempt = 0; attempt < 1000; attempt++) {
    try {
      const file = Deno.openSync(lockPath, { write: true, createNew: true });
      file.writeSync(new TextEncoder().encode(mine));
      file.close();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        removeIfUnchanged(lockPath, mine);
      };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    const held = readRecord(lockPath);
    if (!held) continue;
    const { text, record } = held;
    if (record && record.pid !== Deno.pid && lockHolderAlive(record)) {
      if (!holderOrphaned(record)) throw new LogLockedError(logPath, record.pid);
      // Its parent (deno task) died: the writer is stopping by itself. Wait for it rather than refuse.
      waitedSince ??= Date.now();
      if (Date.now() - waitedSince > graceMs) {
        throw new LogLockedError(
          logPath,
          record.pid,
          `, whose parent process died ${Math.round(graceMs / 1000)} s ago but which is still running ` +
            `(stop it with kill ${record.pid})`,
        );
      }
      await delay(100);
      continue;
    }
    // Stale: its writer is gone (or a zombie), from another boot, or the file is not a lock record.
    if (record === undefined) {
      // A lock being created right now is empty for an instant: only an unreadable old one is stale.
      const info = (() => {
        try {
          return Deno.statSync(lockPath);
        } catch {
          return undefined;
        }
      })();
      if (info?.mtime && Date.now() - info.mtime.getTime() < 2_000) {
        await delay(50);
        continue;
      }
    }
    removeIfUnchanged(lockPath, text);
  }
  throw new Error(`cannot take the lock ${lockPath}`);
}
