/**
 * Stops a runner whose launcher died. `deno task eval …` runs the runner as a child process; `kill -9` of
 * the `deno task` process cannot be forwarded, so without this the runner would go on alone, holding the
 * log's lock, and the same command run again would be refused. {@link watchParent} polls this process's
 * parent pid and calls back once it changes (the parent died and this process was re-parented).
 *
 * Only a Deno parent (`deno task`, `./evalkit main`, a test) is watched: a runner started from a shell under
 * `nohup` is meant to outlive that shell.
 *
 * @module
 */
import { processStat } from "../sandbox/cleanup.ts";

/** Options of {@link watchParent}. */
export interface WatchParentOptions {
  /** Poll interval. Default 200 ms. */
  intervalMs?: number;
  /** Which parents to watch, given the parent's argv. Default: a Deno executable. */
  watchIf?: (parentArgv: string[]) => boolean;
}

/** The argv of process `pid` (from /proc/<pid>/cmdline), or [] if unreadable. */
export function processArgv(pid: number): string[] {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter((arg) => arg !== "");
  } catch {
    return [];
  }
}

/** True for the argv of a Deno executable (`deno`, `/usr/bin/deno`, …). */
export function isDenoArgv(argv: string[]): boolean {
  return argv.length > 0 && /(^|\/)deno$/.test(argv[0]);
}

/**
 * Calls `onOrphaned` (once) when this process's parent dies. Returns a function that stops watching. The
 * timer never keeps the process alive. Does nothing (and returns a no-op) when the parent is not one to
 * watch or /proc is unavailable.
 */
export function watchParent(
  onOrphaned: (parentPid: number) => void,
  options: WatchParentOptions = {},
): () => void {
  const parent = processStat(Deno.pid)?.ppid;
  if (parent === undefined || parent <= 1) return () => {};
  if (!(options.watchIf ?? isDenoArgv)(processArgv(parent))) return () => {};
  const timer = setInterval(() => {
    const now = processStat(Deno.pid)?.ppid;
    if (now !== undefined && now !== parent) {
      clearInterval(timer);
      onOrphaned(parent);
    }
  }, options.intervalMs ?? 200);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
