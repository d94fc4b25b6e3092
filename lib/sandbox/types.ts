/**
 * The one sandbox interface every driver implements. Drivers know nothing of agents or scoring.
 *
 * Layout inside every sandbox, whatever the driver:
 * - `/home/agent` — the agent's writable home, owned by the unprivileged `agent` user (uid 1000);
 * - `/root` — root's private directory (mode 700): task-private files and scoring assets go here;
 * - `/tmp` — private to the sandbox.
 *
 * @module
 */
import { z } from "zod";

/** Who a command runs as: the unprivileged agent user (uid 1000) or root inside the sandbox. */
export type ExecUser = "agent" | "root";

/** The uid/gid of the agent user in every driver. */
export const AGENT_UID = 1000;
/** The agent's home directory in every driver. */
export const AGENT_HOME = "/home/agent";

/** Options for {@link Sandbox.exec}. */
export interface ExecOptions {
  /** Default `"agent"`. */
  user?: ExecUser;
  /** Working directory; default the user's home (`/home/agent` or `/root`). */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Written to the command's stdin, then closed. */
  stdin?: string | Uint8Array;
  /** Kill the command and its whole process tree after this many ms. Default 600_000. */
  timeoutMs?: number;
  /** Bytes kept per stream (stdout, stderr); the rest is dropped and the result marked. Default 1 MiB. */
  outputLimitBytes?: number;
}

/** The outcome of one {@link Sandbox.exec}. */
export interface ExecResult {
  /** Exit code; 137 (SIGKILL) after a timeout. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the command was killed at its timeout. */
  timedOut: boolean;
  /** True when stdout or stderr exceeded the output cap (the text then ends with {@link TRUNCATION_MARK}). */
  truncated: boolean;
  durationMs: number;
}

/** Appended to a stream cut at the output cap. */
export const TRUNCATION_MARK = "\n[output truncated]";

/** A running, isolated environment for one run. */
export interface Sandbox {
  /** Unique id of this sandbox (container name or run directory name). */
  readonly id: string;
  /** Driver name. */
  readonly driver: SandboxDriverName;
  /** Run `command` (a string is run with `bash -c`; an array is run directly). */
  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult>;
  /**
   * Start a long-running process (e.g. a root-owned server) that outlives this call and is killed at
   * {@link Sandbox.close}. Resolves once the process has been started.
   */
  spawnBackground(command: string, options?: Pick<ExecOptions, "user" | "cwd" | "env">): Promise<void>;
  /** Read a file inside the sandbox (as root). */
  readFile(path: string): Promise<Uint8Array>;
  /** Read a UTF-8 file inside the sandbox (as root). */
  readTextFile(path: string): Promise<string>;
  /** Write a file inside the sandbox, creating parent directories. Default owner `agent`, mode 0o644. */
  writeFile(path: string, data: string | Uint8Array, options?: WriteOptions): Promise<void>;
  /** Copy a host file or directory (recursively) into the sandbox. Default owner `agent`. */
  copyIn(hostPath: string, sandboxPath: string, options?: WriteOptions): Promise<void>;
  /** Copy a sandbox file or directory (recursively) out to the host. */
  copyOut(sandboxPath: string, hostPath: string): Promise<void>;
  /** Kill every process and remove every trace of the sandbox. Idempotent. */
  close(): Promise<void>;
}

/** Ownership and mode of files written into a sandbox. */
export interface WriteOptions {
  owner?: ExecUser;
  mode?: number;
}

/** Names of the built-in drivers. */
export const SandboxDriverName = z.enum(["local", "docker"]);
/** Names of the built-in drivers. */
export type SandboxDriverName = z.infer<typeof SandboxDriverName>;

/** What a driver needs to create a sandbox for one task. */
export const SandboxSpec = z.object({
  /** Allow network access (only for tasks permitted `full_internet`). Default false. */
  network: z.boolean().default(false),
  /** Debian packages the task needs; the driver checks (local) or bakes them in (docker). */
  packages: z.array(z.string()).default([]),
  /** Label used in names and error messages, e.g. the task id. */
  label: z.string().default("sandbox"),
  /** Resource hints (cpus, memory in GB). */
  cpus: z.number().positive().optional(),
  memoryGb: z.number().positive().optional(),
});
/** What a driver needs to create a sandbox for one task. */
export type SandboxSpec = z.input<typeof SandboxSpec>;

/** Creates sandboxes. */
export interface SandboxDriver {
  readonly name: SandboxDriverName;
  /** Fails with a {@link SandboxUnavailableError} when the driver cannot work on this machine. */
  create(spec: SandboxSpec): Promise<Sandbox>;
}

/** Raised when a driver cannot run here (bubblewrap missing, no Docker engine, …). */
export class SandboxUnavailableError extends Error {
  constructor(readonly driver: SandboxDriverName, message: string) {
    super(`${driver} sandbox unavailable: ${message}`);
    this.name = "SandboxUnavailableError";
  }
}
