/**
 * What both drivers share: everything in the {@link Sandbox} interface is built here on one primitive,
 * {@link BaseSandbox.run} (run an argv in the sandbox as agent or root, with stdin, a timeout that kills the
 * whole process tree, and capped output). Drivers implement `run` and `teardown`.
 *
 * @module
 */
import { dirname } from "node:path";
import { CappedOutput } from "./output.ts";
import {
  KILL_TREE_SCRIPT,
  KIND_SCRIPT,
  TAR_DIR_SCRIPT,
  UNTAR_DIR_SCRIPT,
  WRITE_FILE_SCRIPT,
} from "./scripts.ts";
import {
  AGENT_HOME,
  AGENT_UID,
  type ExecOptions,
  type ExecResult,
  type ExecUser,
  type Sandbox,
  type SandboxDriverName,
  type WriteOptions,
} from "./types.ts";

/** PATH inside every sandbox (Debian's standard order). */
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Default exec timeout (ms), as documented on {@link ExecOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 600_000;
/** Default per-stream output cap (bytes), as documented on {@link ExecOptions.outputLimitBytes}. */
export const DEFAULT_OUTPUT_LIMIT = 1024 * 1024;
/** Timeout of the driver's own housekeeping commands (file transfer, kills). */
export const INTERNAL_TIMEOUT_MS = 120_000;

/** One command for {@link BaseSandbox.run}, fully resolved. */
export interface RunRequest {
  argv: string[];
  user: ExecUser;
  cwd: string;
  /** The complete environment of the command (nothing is inherited from the host). */
  env: Record<string, string>;
  stdin?: Uint8Array;
  timeoutMs: number;
  /** Bytes kept per stream; `Infinity` for file transfers. */
  outputLimitBytes: number;
  /** The value of `EVALKIT_EXEC` in `env`, used to find the command's processes on timeout. */
  marker: string;
}

/** The outcome of {@link BaseSandbox.run}. */
export interface RunResult {
  exitCode: number;
  stdout: CappedOutput;
  stderr: CappedOutput;
  timedOut: boolean;
}

/** Home directory of each user inside a sandbox. */
export function homeOf(user: ExecUser): string {
  return user === "agent" ? AGENT_HOME : "/root";
}

/** `uid:gid` of each user inside a sandbox. */
export function idsOf(user: ExecUser): string {
  return user === "agent" ? `${AGENT_UID}:${AGENT_UID}` : "0:0";
}

/** The environment a command starts with: a clean login-like set, the caller's extras, and the exec marker. */
export function baseEnv(user: ExecUser, extra: Record<string, string> | undefined, marker: string) {
  const name = user === "agent" ? "agent" : "root";
  return {
    PATH: SANDBOX_PATH,
    HOME: homeOf(user),
    USER: name,
    LOGNAME: name,
    LANG: "C.UTF-8",
    ...extra,
    EVALKIT_EXEC: marker,
  };
}

/** A fresh sandbox id (container name or run directory name): `evalkit-<label slug>-<8 hex digits>`. */
export function newSandboxId(label: string): string {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) ||
    "sandbox";
  return `evalkit-${slug}-${crypto.randomUUID().slice(0, 8)}`;
}

let markerCounter = 0;
/** A marker unique to one exec of this process. */
export function newMarker(): string {
  markerCounter += 1;
  return `${Deno.pid}-${Date.now().toString(36)}-${markerCounter}-${crypto.randomUUID().slice(0, 8)}`;
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

function validateOptions(options: ExecOptions): void {
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new RangeError(
      `exec: timeoutMs must be a positive number of milliseconds, got ${options.timeoutMs}`,
    );
  }
  if (options.outputLimitBytes !== undefined && !(options.outputLimitBytes >= 0)) {
    throw new RangeError(`exec: outputLimitBytes must be >= 0, got ${options.outputLimitBytes}`);
  }
  if (options.user !== undefined && options.user !== "agent" && options.user !== "root") {
    throw new TypeError(`exec: user must be "agent" or "root", got ${JSON.stringify(options.user)}`);
  }
  for (const name of Object.keys(options.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TypeError(`exec: invalid environment variable name ${JSON.stringify(name)}`);
    }
  }
  if (options.cwd !== undefined && !options.cwd.startsWith("/")) {
    throw new TypeError(
      `exec: cwd must be an absolute path inside the sandbox, got ${JSON.stringify(options.cwd)}`,
    );
  }
}

function requireAbsolute(what: string, path: string): void {
  if (!path.startsWith("/")) {
    throw new TypeError(`${what}: sandbox path must be absolute, got ${JSON.stringify(path)}`);
  }
}

/** Raised when a file operation inside a sandbox fails. */
export class SandboxFileError extends Error {
  constructor(readonly sandboxId: string, readonly operation: string, readonly path: string, detail: string) {
    super(`sandbox ${sandboxId}: ${operation} ${path} failed: ${detail.trim() || "unknown error"}`);
    this.name = "SandboxFileError";
  }
}

/** Raised when a sandbox died underneath its user (killed from outside, out of memory, engine restart). */
export class SandboxGoneError extends Error {
  constructor(readonly sandboxId: string, detail: string) {
    super(`sandbox ${sandboxId} is no longer running: ${detail}`);
    this.name = "SandboxGoneError";
  }
}

/** Implements the {@link Sandbox} interface on top of a driver's `run`. */
export abstract class BaseSandbox implements Sandbox {
  abstract readonly id: string;
  abstract readonly driver: SandboxDriverName;
  protected closed = false;
  /** The teardown started by the first {@link BaseSandbox.close}; every later call returns it. */
  protected closing?: Promise<void>;

  /** Runs one command; the driver handles the timeout by calling {@link BaseSandbox.killTree}. */
  protected abstract run(request: RunRequest): Promise<RunResult>;
  /** Kills every process and removes every trace of the sandbox; run once, by {@link BaseSandbox.close}. */
  protected abstract teardown(): Promise<void>;

  async spawnBackground(
    command: string,
    options: Pick<ExecOptions, "user" | "cwd" | "env"> = {},
  ): Promise<void> {
    // setsid -f detaches the process into its own session; it lives until close() tears the sandbox down.
    const result = await this.exec(
      ["bash", "-c", 'setsid -f bash -c "$1" </dev/null >/dev/null 2>&1', "evalkit-background", command],
      { ...options, timeoutMs: 30_000 },
    );
    if (result.exitCode !== 0) {
      throw new Error(
        `sandbox ${this.id}: spawnBackground failed (exit ${result.exitCode}): ${result.stderr}`,
      );
    }
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.teardown();
    return this.closing;
  }

  protected assertOpen(what: string): void {
    if (this.closed) throw new Error(`sandbox ${this.id}: ${what} after close()`);
  }

  /** Kills every process of the exec tagged `marker` (run as root inside the sandbox). */
  protected async killTree(marker: string): Promise<void> {
    const killMarker = newMarker();
    await this.run({
      argv: ["bash", "-c", KILL_TREE_SCRIPT, "evalkit-kill", marker],
      user: "root",
      cwd: "/",
      env: baseEnv("root", undefined, killMarker),
      timeoutMs: 30_000,
      outputLimitBytes: 64 * 1024,
      marker: killMarker,
    });
  }

  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.assertOpen("exec");
    validateOptions(options);
    if (Array.isArray(command) && command.length === 0) throw new TypeError("exec: empty command array");
    const user = options.user ?? "agent";
    const marker = newMarker();
    const started = performance.now();
    const result = await this.run({
      argv: typeof command === "string" ? ["bash", "-c", command] : command,
      user,
      cwd: options.cwd ?? homeOf(user),
      env: baseEnv(user, options.env, marker),
      stdin: options.stdin === undefined ? undefined : toBytes(options.stdin),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      outputLimitBytes: options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT,
      marker,
    });
    return {
      exitCode: result.exitCode,
      stdout: result.stdout.text(),
      stderr: result.stderr.text(),
      timedOut: result.timedOut,
      truncated: result.stdout.truncated || result.stderr.truncated,
      durationMs: performance.now() - started,
    };
  }

  /** Runs an internal root command with unbounded output and fails with a clear error when it fails. */
  protected async rootRun(
    operation: string,
    path: string,
    argv: string[],
    stdin?: Uint8Array,
  ): Promise<Uint8Array> {
    this.assertOpen(operation);
    const marker = newMarker();
    const result = await this.run({
      argv,
      user: "root",
      cwd: "/",
      env: baseEnv("root", undefined, marker),
      stdin,
      timeoutMs: INTERNAL_TIMEOUT_MS,
      outputLimitBytes: Infinity,
      marker,
    });
    if (result.exitCode !== 0) {
      throw new SandboxFileError(this.id, operation, path, result.stderr.text());
    }
    return result.stdout.bytes();
  }

  async readFile(path: string): Promise<Uint8Array> {
    requireAbsolute("readFile", path);
    return await this.rootRun("readFile", path, ["cat", "--", path]);
  }

  async readTextFile(path: string): Promise<string> {
    return new TextDecoder().decode(await this.readFile(path));
  }

  async writeFile(path: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
    requireAbsolute("writeFile", path);
    const mode = (options.mode ?? 0o644).toString(8);
    await this.rootRun(
      "writeFile",
      path,
      ["bash", "-c", WRITE_FILE_SCRIPT, "evalkit-write", path, idsOf(options.owner ?? "agent"), mode],
      toBytes(data),
    );
  }

  async copyIn(hostPath: string, sandboxPath: string, options: WriteOptions = {}): Promise<void> {
    requireAbsolute("copyIn", sandboxPath);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(hostPath);
    } catch (error) {
      throw new SandboxFileError(this.id, "copyIn", hostPath, `cannot read host path: ${error}`);
    }
    if (info.isFile) {
      const mode = options.mode ?? ((info.mode ?? 0o644) & 0o777);
      await this.writeFile(sandboxPath, await Deno.readFile(hostPath), { ...options, mode });
      return;
    }
    const tar = await hostTar(["-c", "-C", hostPath, "."], undefined, `copyIn ${hostPath}`);
    await this.rootRun(
      "copyIn",
      sandboxPath,
      ["bash", "-c", UNTAR_DIR_SCRIPT, "evalkit-untar", sandboxPath, idsOf(options.owner ?? "agent")],
      tar,
    );
  }

  async copyOut(sandboxPath: string, hostPath: string): Promise<void> {
    requireAbsolute("copyOut", sandboxPath);
    const kind = new TextDecoder().decode(
      await this.rootRun("copyOut", sandboxPath, ["bash", "-c", KIND_SCRIPT, "evalkit-kind", sandboxPath]),
    ).trim();
    if (kind === "missing") throw new SandboxFileError(this.id, "copyOut", sandboxPath, "no such file");
    await Deno.mkdir(dirname(hostPath), { recursive: true });
    if (kind === "file") {
      // A new file gets the default mode: no permission bit (setuid above all) comes from the sandbox.
      await Deno.writeFile(hostPath, await this.readFile(sandboxPath));
      return;
    }
    const tar = await this.rootRun("copyOut", sandboxPath, [
      "bash",
      "-c",
      TAR_DIR_SCRIPT,
      "evalkit-tar",
      sandboxPath,
    ]);
    await Deno.mkdir(hostPath, { recursive: true });
    await hostTar(
      ["-x", "--no-same-owner", "--no-same-permissions", "-C", hostPath],
      tar,
      `copyOut to ${hostPath}`,
    );
    await dropSetId(hostPath);
  }
}

/** Runs the host's GNU tar; returns its stdout. */
export async function hostTar(
  args: string[],
  stdin: Uint8Array | undefined,
  what: string,
): Promise<Uint8Array> {
  const child = new Deno.Command("tar", {
    args,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(`${what}: tar ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return out.stdout;
}

/**
 * Clears setuid/setgid bits under `dir` on the host: files copied out of a sandbox are extracted by root
 * and owned by root, so an agent-made setuid file must not become a root setuid binary. Symlinks are not
 * followed.
 */
async function dropSetId(dir: string): Promise<void> {
  const out = await new Deno.Command("find", {
    args: [dir, "-type", "f", "-perm", "/6000", "-exec", "chmod", "ug-s", "{}", "+"],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`copyOut: clearing setuid bits under ${dir} failed`);
}
