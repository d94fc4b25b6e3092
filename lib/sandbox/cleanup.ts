/**
 * Every live sandbox of this process is registered here, so that Ctrl-C (SIGINT) or SIGTERM closes them all
 * before the process exits (exit code 130 / 143), and so that leftovers of processes that died without
 * cleaning up can be found later ({@link processIsAlive}, used by each driver's orphan sweep).
 *
 * @module
 */

/** Anything that can be closed; a live sandbox. */
export interface Closable {
  readonly id: string;
  close(): Promise<void>;
  /** Best-effort synchronous teardown, run when the process exits without closing the sandbox. */
  closeSync?(): void;
}

const live = new Set<Closable>();
const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
const exitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
const handlers = new Map<Deno.Signal, () => void>();
let closingAll: Promise<void> | undefined;

let unloadInstalled = false;
let signalsSeen = 0;
let lastSignalAt = -Infinity;
/**
 * A repeat of a signal within this many ms counts once: a terminal's Ctrl-C reaches both `deno task` and the
 * program, and `deno task` forwards it, so one key press arrives twice.
 */
export const SIGNAL_REPEAT_MS = 500;

/**
 * What SIGINT/SIGTERM do while sandboxes are open:
 * - `"immediate"` (default): close every sandbox, then exit 130 (SIGINT) or 143 (SIGTERM);
 * - `"second-signal"`: the first signal is left to the application (e.g. a runner that stops starting new
 *   work and closes its sandboxes itself); a second signal closes every sandbox and exits.
 */
export type SignalPolicy = "immediate" | "second-signal";
let policy: SignalPolicy = "immediate";

/** Sets the {@link SignalPolicy} of this process; returns the previous one (to restore it afterwards). */
export function setSandboxSignalPolicy(next: SignalPolicy): SignalPolicy {
  const previous = policy;
  policy = next;
  signalsSeen = 0;
  lastSignalAt = -Infinity;
  return previous;
}

function closeAllSync(): void {
  for (const sandbox of live) {
    try {
      sandbox.closeSync?.();
    } catch {
      // Best effort at exit; sweepOrphans catches the rest.
    }
  }
}

function installHandlers(): void {
  if (!unloadInstalled) {
    // A program that forgets close() still leaves nothing behind when it exits normally.
    globalThis.addEventListener("unload", closeAllSync);
    unloadInstalled = true;
  }
  if (handlers.size > 0 || Deno.build.os === "windows") return;
  for (const signal of signals) {
    const handler = () => {
      const now = performance.now();
      if (now - lastSignalAt < SIGNAL_REPEAT_MS) return;
      lastSignalAt = now;
      signalsSeen += 1;
      if (policy === "second-signal" && signalsSeen < 2) return;
      closeAllSandboxes().finally(() => Deno.exit(exitCodes[signal]));
    };
    handlers.set(signal, handler);
    Deno.addSignalListener(signal, handler);
  }
}

function removeHandlers(): void {
  for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  handlers.clear();
}

/** Registers a live sandbox; installs the SIGINT/SIGTERM handlers while any sandbox is live. */
export function registerSandbox(sandbox: Closable): void {
  live.add(sandbox);
  installHandlers();
}

/** Forgets a closed sandbox; removes the signal handlers when none is left. */
export function unregisterSandbox(sandbox: Closable): void {
  live.delete(sandbox);
  if (live.size === 0 && !closingAll) removeHandlers();
}

/** Ids of the sandboxes this process has open. */
export function liveSandboxIds(): string[] {
  return [...live].map((sandbox) => sandbox.id);
}

/** Closes every live sandbox of this process (errors are reported on stderr, never thrown). */
export function closeAllSandboxes(): Promise<void> {
  closingAll ??= (async () => {
    const results = await Promise.allSettled([...live].map((sandbox) => sandbox.close()));
    for (const result of results) {
      if (result.status === "rejected") console.error(`evalkit: sandbox cleanup failed: ${result.reason}`);
    }
    live.clear();
    removeHandlers();
  })().finally(() => {
    closingAll = undefined;
  });
  return closingAll;
}

/** What /proc/<pid>/stat says about a process: its state letter and start time (clock ticks since boot). */
export interface ProcessStat {
  /** `R`, `S`, `D`, `T`, `Z` (zombie), `X` (dead), … */
  state: string;
  /** Field 22 of /proc/<pid>/stat. */
  startTime: number;
  /** Parent pid (field 4). */
  ppid: number;
}

/** Parses /proc/<pid>/stat, or undefined if the process is gone (or the file is unreadable). */
export function processStat(pid: number): ProcessStat | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ")": split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const startTime = Number(fields[19]);
  if (!fields[0] || !Number.isFinite(startTime)) return undefined;
  return { state: fields[0], ppid: Number(fields[1]), startTime };
}

/** Start time of a process (clock ticks since boot, field 22 of /proc/<pid>/stat), or undefined if it is gone. */
export function processStartTime(pid: number): number | undefined {
  return processStat(pid)?.startTime;
}

/**
 * True when process `pid` exists, is not a zombie (`Z`) or dead (`X`), and (if given) started at
 * `startTime`, i.e. the pid was not reused. A process killed with `kill -9` stays a zombie until its parent
 * (or PID 1, which on some machines reaps orphans only after seconds) collects it: it runs no code any more,
 * so whatever it held (a log lock, a sandbox) is stale.
 */
export function processIsAlive(pid: number, startTime?: number): boolean {
  const stat = processStat(pid);
  if (stat === undefined || stat.state === "Z" || stat.state === "X") return false;
  return startTime === undefined || stat.startTime === startTime;
}

/** This machine's boot id, so records from another boot (or machine) are never mistaken for live ones. */
export function bootId(): string {
  try {
    return Deno.readTextFileSync("/proc/sys/kernel/random/boot_id").trim();
  } catch {
    return "unknown";
  }
}

const swept = new Set<string>();

/**
 * Runs `sweep` once per process and key (the first time a driver creates a sandbox), so leftovers of
 * crashed runs are removed without anyone having to ask. Failures are reported, never thrown.
 */
export async function sweepOncePerProcess(key: string, sweep: () => Promise<string[]>): Promise<void> {
  if (swept.has(key)) return;
  swept.add(key);
  try {
    const removed = await sweep();
    if (removed.length > 0) console.error(`evalkit: removed ${removed.length} orphaned ${key} sandbox(es)`);
  } catch (error) {
    console.error(`evalkit: sweeping orphaned ${key} sandboxes failed: ${error}`);
  }
}
