/**
 * Safe privileged code for task hooks: `TaskContext.root` and `TaskContext.readAgentFile`.
 *
 * Hooks run on the host and act on the sandbox as root. The agent under test is an adversary that reads
 * this source, so root must never run or import anything the agent can write, and must never read the
 * agent's files with root's rights. `ctx.sandbox.exec(…, { user: "root" })` gives no such guarantee (it
 * runs whatever `PATH`, `cwd` and the interpreter's module path find); these two do.
 *
 * **What {@link RootRunner} guarantees** (against the unprivileged agent, uid 1000):
 * - **environment:** exactly `PATH=/usr/sbin:/usr/bin:/sbin:/bin` (no `/usr/local`), `HOME=/root`,
 *   `LANG=C.UTF-8`, `PYTHONDONTWRITEBYTECODE=1`, `PYTHONNOUSERSITE=1` and the caller's explicit `env`
 *   extras — plus `EVALKIT_EXEC`, the random marker the host sets to find the command's processes on a
 *   timeout. The variables a driver adds on its own (`USER`, `LOGNAME`, Docker's `HOSTNAME`) are removed by
 *   running the command through `/usr/bin/env -u …`. Nothing comes from the agent or the host's environment. Extras may not override these names, nor set a variable
 *   that makes a program load code (`LD_*`, `PYTHONPATH`, `PYTHONHOME`, `PYTHONSTARTUP`, `BASH_ENV`, `ENV`,
 *   `PERL5LIB`, `NODE_OPTIONS`, …): that is refused with a {@link PrivilegedError}.
 * - **working directory:** `cwd` must be `/root` or below it (checked textually: absolute, no `.`/`..`
 *   segments); the default is {@link ROOT_WORK_DIR}, created root-owned with mode 700 inside a mode-700
 *   `/root`. A cwd anywhere else (`/tmp`, `/home/agent`, …) is refused before anything runs.
 * - **python:** {@link RootRunner.python} writes the source to a fresh root-only file under
 *   {@link ROOT_WORK_DIR} and runs Debian's `/usr/bin/python3 -I -B` on it. `-I` drops the script's
 *   directory and the current directory from `sys.path`, ignores every `PYTHON*` variable and the user
 *   site; so `sys.path` holds only the standard library and the root-owned system `dist-packages`. A
 *   `json.py` or `sitecustomize.py` planted in `/tmp`, `/home/agent` or anywhere else the agent can write is
 *   never imported. The script file is removed afterwards.
 *
 * What it does **not** guarantee: a command that itself executes or imports an agent path (running
 * `/home/agent/x`, `sys.path.insert(0, "/home/agent/…")`) still does — run agent code as the agent
 * (`ctx.sandbox.exec(…, { user: "agent" })`). And where the agent can legitimately become sandbox root (a
 * privilege-escalation task), nothing inside the sandbox is trustworthy: score from values computed on the
 * host.
 *
 * @module
 */
import type { ExecResult, Sandbox } from "../sandbox/types.ts";

/** Root's private work directory for {@link RootRunner}: the default cwd and where python scripts go. */
export const ROOT_WORK_DIR = "/root/.evalkit-root";
/** PATH of every privileged command (no `/usr/local`, nothing writable by the agent). */
export const ROOT_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
/** The interpreter of {@link RootRunner.python}: Debian's, never one found on PATH. */
export const ROOT_PYTHON = "/usr/bin/python3";
/** Default cap of `TaskContext.readAgentFile`: 16 MiB. */
export const DEFAULT_AGENT_READ_BYTES = 16 * 1024 * 1024;

/** The fixed environment of every privileged command (before the caller's extras). */
export const ROOT_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: ROOT_PATH,
  HOME: "/root",
  LANG: "C.UTF-8",
  PYTHONDONTWRITEBYTECODE: "1",
  PYTHONNOUSERSITE: "1",
});

/** Prefix of every privileged argv: drops what drivers add to the environment on their own. */
const STRIP_DRIVER_ENV = ["/usr/bin/env", "-u", "USER", "-u", "LOGNAME", "-u", "HOSTNAME", "--"];

/** Names an extra may not set: the fixed ones, and variables that make a program load code. */
const FORBIDDEN_EXTRA =
  /^(PATH|HOME|LANG|USER|LOGNAME|EVALKIT_EXEC|PYTHONDONTWRITEBYTECODE|PYTHONNOUSERSITE|LD_.*|PYTHONPATH|PYTHONHOME|PYTHONSTARTUP|PYTHONEXECUTABLE|PYTHONUSERBASE|PYTHONSAFEPATH|PYTHONINSPECT|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|IFS|CDPATH|GLOBIGNORE|PERL5LIB|PERLLIB|PERL5OPT|RUBYLIB|RUBYOPT|NODE_OPTIONS|NODE_PATH|GCONV_PATH|LOCPATH|MALLOC_.*|GLIBC_TUNABLES)$/;

/** A privileged command refused before it ran (bad cwd, bad environment extra). */
export class PrivilegedError extends Error {
  /** An error for task `taskId`; the message reads `<taskId>: ctx.root refused: <reason>`. */
  constructor(readonly taskId: string, reason: string) {
    super(`${taskId}: ctx.root refused: ${reason}`);
    this.name = "PrivilegedError";
  }
}

/** Options of {@link RootRunner.exec}. */
export interface RootExecOptions {
  /** Working directory: `/root` or below; default {@link ROOT_WORK_DIR}. Anything else is refused. */
  cwd?: string;
  /** Explicit extra environment variables (see the module doc for the names refused). */
  env?: Record<string, string>;
  /** Written to the command's stdin, then closed. */
  stdin?: string | Uint8Array;
  /** Kill the command and its process tree after this many ms (default the sandbox's, 600 000). */
  timeoutMs?: number;
  /** Bytes kept per stream (default the sandbox's, 1 MiB). */
  outputLimitBytes?: number;
}

/** Options of {@link RootRunner.python}. */
export interface RootPythonOptions extends RootExecOptions {
  /** Arguments after the script (`sys.argv[1:]`). */
  args?: string[];
}

/** Root commands with a clean environment and a root-only cwd; see the module doc for the guarantees. */
export interface RootRunner {
  /** The default working directory (root-only). */
  readonly workDir: string;
  /**
   * Run a command as root. An array runs directly (`argv[0]` found on {@link ROOT_PATH} unless absolute);
   * a string runs with `/bin/bash -c` (no rc file is read: `BASH_ENV` and `ENV` cannot be set).
   * @throws PrivilegedError when `cwd` is outside `/root` or an extra is refused.
   */
  exec(command: string | string[], options?: RootExecOptions): Promise<ExecResult>;
  /**
   * Run Python `source` as root with `/usr/bin/python3 -I -B` from a root-only script file (never stdin,
   * never a path the agent can write); `sys.path` holds only the system's root-owned directories.
   * @throws PrivilegedError when `cwd` is outside `/root` or an extra is refused.
   */
  python(source: string, options?: RootPythonOptions): Promise<ExecResult>;
}

/** Check a privileged cwd: absolute, `/root` or below, no `.`/`..` segments; returns it normalised. */
export function checkRootCwd(taskId: string, cwd: string): string {
  if (!cwd.startsWith("/")) throw new PrivilegedError(taskId, `cwd ${JSON.stringify(cwd)} is not absolute`);
  const parts = cwd.split("/").filter((p) => p !== "");
  if (parts.some((p) => p === "." || p === "..")) {
    throw new PrivilegedError(taskId, `cwd ${JSON.stringify(cwd)} has a "." or ".." segment`);
  }
  if (parts[0] !== "root") {
    throw new PrivilegedError(
      taskId,
      `cwd ${JSON.stringify(cwd)} is outside /root (privileged commands run only in root-only directories)`,
    );
  }
  return "/" + parts.join("/");
}

/** The full environment of a privileged command: {@link ROOT_ENV} plus checked extras. */
export function rootEnv(taskId: string, extra: Record<string, string> = {}): Record<string, string> {
  for (const name of Object.keys(extra)) {
    if (FORBIDDEN_EXTRA.test(name)) {
      throw new PrivilegedError(
        taskId,
        `environment variable ${name} may not be set on a privileged command (it is fixed, or makes a ` +
          `program load code from a path)`,
      );
    }
  }
  return { ...extra, ...ROOT_ENV };
}

/** Make the {@link RootRunner} of one task environment. */
export function createRootRunner(taskId: string, sandbox: Sandbox): RootRunner {
  let prepared: Promise<void> | undefined;
  // Create (once) a root-owned, mode-700 work directory inside a root-owned, mode-700 /root. Run with cwd
  // "/" and an absolute argv, so nothing here depends on the directory being made.
  const prepare = () =>
    prepared ??= (async () => {
      const r = await sandbox.exec(
        [
          "/bin/sh",
          "-c",
          'chown root:root /root && chmod 700 /root && mkdir -p "$1" && [ ! -L "$1" ] && [ -d "$1" ]' +
          ' && chown root:root "$1" && chmod 700 "$1"',
          "evalkit-root-prepare",
          ROOT_WORK_DIR,
        ],
        { user: "root", cwd: "/", env: { ...ROOT_ENV }, timeoutMs: 30_000 },
      );
      if (r.exitCode !== 0) {
        prepared = undefined;
        throw new PrivilegedError(taskId, `could not prepare ${ROOT_WORK_DIR}: ${r.stderr.trim()}`);
      }
    })();

  const exec = async (command: string | string[], options: RootExecOptions = {}): Promise<ExecResult> => {
    const cwd = checkRootCwd(taskId, options.cwd ?? ROOT_WORK_DIR);
    const env = rootEnv(taskId, options.env);
    if (Array.isArray(command) && command.length === 0) {
      throw new PrivilegedError(taskId, "empty command array");
    }
    await prepare();
    const argv = typeof command === "string" ? ["/bin/bash", "-c", command] : command;
    return await sandbox.exec([...STRIP_DRIVER_ENV, ...argv], {
      user: "root",
      cwd,
      env,
      stdin: options.stdin,
      timeoutMs: options.timeoutMs,
      outputLimitBytes: options.outputLimitBytes,
    });
  };

  const python = async (source: string, options: RootPythonOptions = {}): Promise<ExecResult> => {
    const cwd = checkRootCwd(taskId, options.cwd ?? ROOT_WORK_DIR);
    rootEnv(taskId, options.env); // refuse bad extras before writing anything
    await prepare();
    const script = `${ROOT_WORK_DIR}/script-${crypto.randomUUID()}.py`;
    await sandbox.writeFile(script, source, { owner: "root", mode: 0o600 });
    try {
      return await exec([ROOT_PYTHON, "-I", "-B", script, ...(options.args ?? [])], { ...options, cwd });
    } finally {
      await sandbox.exec(["/bin/rm", "-f", "--", script], { user: "root", cwd: "/", timeoutMs: 30_000 })
        .catch(() => {});
    }
  };

  return Object.freeze({ workDir: ROOT_WORK_DIR, exec, python });
}

/** Options of `TaskContext.readAgentFile`. */
export interface AgentReadOptions {
  /** Most bytes read; a larger file fails naming the path and the cap. Default {@link DEFAULT_AGENT_READ_BYTES}. */
  maxBytes?: number;
}

/**
 * Read a file the agent made, **as the agent** (its own permissions apply, so a link to a root-only file
 * fails), refusing a symlink at `path`, devices, FIFOs and sockets, capped at `maxBytes`; decoded as UTF-8.
 * Fails (with the sandbox's error naming the path) when the file is missing, refused or too large.
 */
export function createAgentReader(
  sandbox: Sandbox,
): (path: string, options?: AgentReadOptions) => Promise<string> {
  return (path, options = {}) =>
    sandbox.readTextFile(path, {
      as: "agent",
      maxBytes: options.maxBytes ?? DEFAULT_AGENT_READ_BYTES,
      allowSpecial: false,
    });
}
