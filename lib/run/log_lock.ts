/**
 * One writer per eval log: `<log>.lock` holds the writer's pid. A second process on the same log fails
 * fast with a clear message; a lock left by a process that died (a crash, `kill -9`) is taken over.
 *
 * @module
 */

/** Raised when another live process is writing the same log. */
export class LogLockedError extends Error {
  constructor(readonly logPath: string, readonly pid: number) {
    super(`${logPath} is being written by another eval (pid ${pid}); wait for it or stop it, then re-run`);
    this.name = "LogLockedError";
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Take the lock of `logPath`; returns a release function. */
export function acquireLogLock(logPath: string): () => void {
  const lockPath = `${logPath}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = Deno.openSync(lockPath, { write: true, createNew: true });
      file.writeSync(new TextEncoder().encode(String(Deno.pid)));
      file.close();
      return () => {
        try {
          if (Deno.readTextFileSync(lockPath).trim() === String(Deno.pid)) Deno.removeSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      let holder = NaN;
      try {
        holder = Number(Deno.readTextFileSync(lockPath).trim());
      } catch {
        continue; // removed in between: retry
      }
      if (holder !== Deno.pid && processAlive(holder)) throw new LogLockedError(logPath, holder);
      try {
        Deno.removeSync(lockPath); // stale: its writer is gone
      } catch {
        // someone else removed it first
      }
    }
  }
  throw new Error(`cannot take the lock ${lockPath}`);
}
