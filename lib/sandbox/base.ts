/**
 * What both drivers share: everything in the {@link Sandbox} interface is built here on one primitive,
 * {@link BaseSandbox.run} (run an argv in the sandbox as agent or root, with stdin, a timeout that kills the
 * whole process tree, and capped output). Drivers implement `run`, `teardown` and `limitsHit`.
 *
 * File access never trusts the agent's tree: reads and agent-owned writes run inside the sandbox **as the
 * agent** (root only when asked), reads refuse symlinks and special files and are capped, and copies out are
 * archived without following links and unpacked on the host by {@link extractArchive} (regular files and
 * directories only, into a fresh path). No host-side tar ever extracts what a sandbox produced.
 *
 * @module
 */
import type { CappedOutput } from "./output.ts";
import { displayName, extractArchive, hasControlCharacter } from "./safe_untar.ts";
import {
  KILL_TREE_SCRIPT,
  READ_FILE_SCRIPT,
  TAR_MATCHES_SCRIPT,
  TAR_OUT_SCRIPT,
  UNTAR_DIR_SCRIPT,
  WRITE_FILE_SCRIPT,
} from "./scripts.ts";
import { readTar } from "./tar.ts";
import {
  AGENT_HOME,
  AGENT_UID,
  type CopyOutOptions,
  type CopyOutReport,
  DEFAULT_COPY_OUT_LIMIT_BYTES,
  DEFAULT_READ_LIMIT_BYTES,
  type ExecOptions,
  type ExecResult,
  type ExecUser,
  type ReadOptions,
  type Sandbox,
  type SandboxDriverName,
  type SandboxLimitKind,
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
  /** Bytes kept per stream (file transfers pass their cap + 1). */
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
  /**
   * An error naming the sandbox, the operation (e.g. `writeFile`), the path in the sandbox, and the `detail`.
   */
  constructor(readonly sandboxId: string, readonly operation: string, readonly path: string, detail: string) {
    super(`sandbox ${sandboxId}: ${operation} ${path} failed: ${detail.trim() || "unknown error"}`);
    this.name = "SandboxFileError";
  }
}

/** Raised when a sandbox died underneath its user (killed from outside, out of memory, engine restart). */
export class SandboxGoneError extends Error {
  /** An error naming the sandbox and what was seen (`detail`). */
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

  /**
   * Runs one of the driver's own file-transfer commands as `user`, with `outputLimitBytes` kept per stream
   * (callers pass their cap + 1, so the host never holds more than the cap plus one byte of file data).
   */
  protected async fileRun(
    operation: string,
    path: string,
    user: ExecUser,
    argv: string[],
    outputLimitBytes: number,
    stdin?: Uint8Array,
    timeoutMs = INTERNAL_TIMEOUT_MS,
  ): Promise<RunResult> {
    this.assertOpen(operation);
    const marker = newMarker();
    const result = await this.run({
      argv,
      user,
      cwd: "/",
      env: baseEnv(user, undefined, marker),
      stdin,
      timeoutMs,
      outputLimitBytes,
      marker,
    });
    if (result.timedOut) {
      throw new SandboxFileError(this.id, operation, path, `timed out after ${timeoutMs} ms (as ${user})`);
    }
    return result;
  }

  /**
   * Reads a file inside the sandbox, by default as the agent, refusing symlinks and special files, capped at
   * {@link DEFAULT_READ_LIMIT_BYTES}: see {@link Sandbox.readFile} and {@link ReadOptions}.
   */
  async readFile(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
    requireAbsolute("readFile", path);
    const as = checkUser("readFile", options.as);
    const cap = checkCap("readFile", options.maxBytes, DEFAULT_READ_LIMIT_BYTES);
    const result = await this.fileRun(
      "readFile",
      path,
      as,
      [
        "bash",
        "-c",
        READ_FILE_SCRIPT,
        "evalkit-read",
        path,
        String(cap + 1),
        options.allowSpecial ? "1" : "0",
      ],
      cap + 1,
    );
    if (result.exitCode !== 0) {
      throw new SandboxFileError(this.id, "readFile", path, `${result.stderr.text().trim()} (read as ${as})`);
    }
    if (result.stdout.seenBytes > cap) {
      throw new SandboxFileError(
        this.id,
        "readFile",
        path,
        `the file is larger than the read cap of ${cap} bytes; pass { maxBytes } to read more`,
      );
    }
    return result.stdout.bytes();
  }

  async readTextFile(path: string, options: ReadOptions = {}): Promise<string> {
    return new TextDecoder().decode(await this.readFile(path, options));
  }

  /**
   * Writes a file (parents created, then `owner` and `mode` set) **as `owner`**: an agent-owned file is
   * written with the agent's rights only. The target is replaced by a rename, never followed.
   */
  async writeFile(path: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
    requireAbsolute("writeFile", path);
    const owner = checkUser("writeFile", options.owner);
    const mode = (options.mode ?? 0o644).toString(8);
    const result = await this.fileRun(
      "writeFile",
      path,
      owner,
      ["bash", "-c", WRITE_FILE_SCRIPT, "evalkit-write", path, idsOf(owner), mode],
      64 * 1024,
      toBytes(data),
    );
    if (result.exitCode !== 0) {
      throw new SandboxFileError(this.id, "writeFile", path, `${result.stderr.text().trim()} (as ${owner})`);
    }
  }

  /** Copies a host file or directory in; the archive is unpacked **as `owner`** (see {@link Sandbox.copyIn}). */
  async copyIn(hostPath: string, sandboxPath: string, options: WriteOptions = {}): Promise<void> {
    requireAbsolute("copyIn", sandboxPath);
    const owner = checkUser("copyIn", options.owner);
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
    const tar = await hostTarCreate(hostPath);
    const result = await this.fileRun(
      "copyIn",
      sandboxPath,
      owner,
      ["bash", "-c", UNTAR_DIR_SCRIPT, "evalkit-untar", sandboxPath, idsOf(owner)],
      64 * 1024,
      tar,
      ARCHIVE_TIMEOUT_MS,
    );
    if (result.exitCode !== 0) {
      throw new SandboxFileError(
        this.id,
        "copyIn",
        sandboxPath,
        `${result.stderr.text().trim()} (as ${owner})`,
      );
    }
  }

  /**
   * Copies a sandbox file or directory out to the fresh host path `hostPath`: the archive is made inside the
   * sandbox as `as` (default the agent) without following links, capped, and unpacked by
   * {@link extractArchive}, which writes only regular files and directories. See {@link Sandbox.copyOut}.
   */
  async copyOut(sandboxPath: string, hostPath: string, options: CopyOutOptions = {}): Promise<CopyOutReport> {
    requireAbsolute("copyOut", sandboxPath);
    const components = sandboxPath.split("/").filter((part) => part !== "");
    if (components.some((part) => part === "." || part === "..")) {
      throw new TypeError(
        `copyOut: sandbox path must not contain . or .. components, got ${JSON.stringify(sandboxPath)}`,
      );
    }
    const base = components.at(-1) ?? ".";
    if (hasControlCharacter(base)) {
      throw new TypeError(
        `copyOut: sandbox path must not end in a name with control characters: ${
          JSON.stringify(sandboxPath)
        }`,
      );
    }
    const dir = "/" + components.slice(0, -1).join("/");
    return await this.archiveOut(
      "copyOut",
      sandboxPath,
      hostPath,
      TAR_OUT_SCRIPT,
      [dir, base],
      components.length ? [base] : [],
      options,
    );
  }

  /**
   * Copies out every path under the sandbox directory `dir` matching the `find -path` pattern `pattern`
   * (e.g. `"*.txt"`, `"./results/*"`) into the fresh host directory `hostPath`, with the same guarantees as
   * {@link BaseSandbox.copyOut}: matched as `as` (default the agent), names NUL-separated, one archive made
   * without following links, unpacked by {@link extractArchive}. A matched directory is copied whole.
   */
  async copyOutMatching(
    dir: string,
    pattern: string,
    hostPath: string,
    options: CopyOutOptions = {},
  ): Promise<CopyOutReport> {
    requireAbsolute("copyOutMatching", dir);
    return await this.archiveOut(
      "copyOutMatching",
      `${dir} (-path ${JSON.stringify(pattern)})`,
      hostPath,
      TAR_MATCHES_SCRIPT,
      [dir, pattern],
      undefined,
      options,
    );
  }

  private async archiveOut(
    operation: string,
    what: string,
    hostPath: string,
    script: string,
    args: string[],
    top: string[] | undefined,
    options: CopyOutOptions,
  ): Promise<CopyOutReport> {
    const as = checkUser(operation, options.as);
    const cap = checkCap(operation, options.maxBytes, DEFAULT_COPY_OUT_LIMIT_BYTES);
    if (await Deno.lstat(hostPath).then(() => true, () => false)) {
      throw new SandboxFileError(
        this.id,
        operation,
        hostPath,
        "the host path already exists; copies out go only into a fresh path",
      );
    }
    const result = await this.fileRun(
      operation,
      what,
      as,
      ["bash", "-c", script, `evalkit-${operation}`, ...args, String(cap + 1)],
      cap + 1,
      undefined,
      ARCHIVE_TIMEOUT_MS,
    );
    const stderr = result.stderr.text().trim();
    if (result.stdout.seenBytes > cap) {
      throw new SandboxFileError(
        this.id,
        operation,
        what,
        `the archive is larger than the cap of ${cap} bytes; pass { maxBytes } to copy more`,
      );
    }
    const archive = result.stdout.bytes();
    let empty: boolean;
    try {
      empty = readTar(archive).next().done === true;
    } catch (error) {
      throw new SandboxFileError(
        this.id,
        operation,
        what,
        `${(error as Error).message}${stderr ? `; ${stderr}` : ""}`,
      );
    }
    if (empty && top !== undefined) {
      throw new SandboxFileError(this.id, operation, what, `${stderr || "nothing to copy"} (as ${as})`);
    }
    if (result.exitCode !== 0 && empty) {
      throw new SandboxFileError(
        this.id,
        operation,
        what,
        `${stderr || `exit ${result.exitCode}`} (as ${as})`,
      );
    }
    let report: CopyOutReport;
    try {
      report = await extractArchive(archive, { dest: hostPath, top });
    } catch (error) {
      throw new SandboxFileError(this.id, operation, hostPath, (error as Error).message);
    }
    report.skipped.push(...tarComplaints(stderr));
    return report;
  }

  /**
   * The resource limits this sandbox has hit so far (see {@link Sandbox.limitsHit}); each driver reads its
   * own counters.
   */
  abstract limitsHit(): Promise<SandboxLimitKind[]>;
}

/** Timeout of archive transfers (copyIn of a directory, copyOut). */
const ARCHIVE_TIMEOUT_MS = 600_000;

function checkUser(operation: string, user: ExecUser | undefined): ExecUser {
  if (user === undefined) return "agent";
  if (user !== "agent" && user !== "root") {
    throw new TypeError(`${operation}: user must be "agent" or "root", got ${JSON.stringify(user)}`);
  }
  return user;
}

function checkCap(operation: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${operation}: maxBytes must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** tar's per-member complaints ("tar: ./x: Cannot open: Permission denied") as skipped entries. */
function tarComplaints(stderr: string): CopyOutReport["skipped"] {
  const skipped: CopyOutReport["skipped"] = [];
  for (const line of stderr.split("\n")) {
    const match = /^tar: (.*?): (.*)$/.exec(line);
    if (!match) continue;
    // tar already prints names with control characters escaped; escape again only what slipped through.
    const path = hasControlCharacter(match[1]) ? displayName(match[1]) : match[1];
    skipped.push({ path, reason: `not archived inside the sandbox: ${match[2]}` });
  }
  return skipped;
}

/**
 * A tar archive of the contents of the host directory `dir` (trusted: task assets, a built image), made by
 * GNU tar; with `numericOwner`, owners are kept as numbers (for unpacking with the same ids inside).
 */
export async function hostTarCreate(
  dir: string,
  options: { numericOwner?: boolean } = {},
): Promise<Uint8Array> {
  const out = await new Deno.Command("tar", {
    args: ["-c", "-f", "-", ...(options.numericOwner ? ["--numeric-owner"] : []), "-C", dir, "."],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`archiving ${dir}: tar -c failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return out.stdout;
}
