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
import { z } from "../deps/zod.ts";

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
  /** Standard output, decoded as UTF-8 (capped at `outputLimitBytes`). */
  stdout: string;
  /** Standard error, decoded as UTF-8 (capped at `outputLimitBytes`). */
  stderr: string;
  /** True when the command was killed at its timeout. */
  timedOut: boolean;
  /** True when stdout or stderr exceeded the output cap (the text then ends with {@link TRUNCATION_MARK}). */
  truncated: boolean;
  /** Wall time of the command, in milliseconds. */
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
  /**
   * Read a file inside the sandbox. By default the read runs **as the agent** (so the agent's own permissions
   * apply: a link to a root-only file fails), refuses a symlink at `path`, devices, FIFOs and sockets, and is
   * capped at {@link DEFAULT_READ_LIMIT_BYTES}; beyond the cap it fails with a {@link SandboxFileError}
   * naming the path and the cap. See {@link ReadOptions}.
   */
  readFile(path: string, options?: ReadOptions): Promise<Uint8Array>;
  /** {@link Sandbox.readFile}, decoded as UTF-8. */
  readTextFile(path: string, options?: ReadOptions): Promise<string>;
  /**
   * Write a file inside the sandbox, creating parent directories. Default owner `agent`, mode 0o644. An
   * agent-owned file is written as the agent (a planted link in its path gets no more than the agent's rights);
   * the target itself is replaced, never followed.
   */
  writeFile(path: string, data: string | Uint8Array, options?: WriteOptions): Promise<void>;
  /**
   * Copy a host file or directory (recursively) into the sandbox. Default owner `agent`; an agent-owned
   * copy is unpacked as the agent, so a link the agent planted is never followed with root's rights.
   */
  copyIn(hostPath: string, sandboxPath: string, options?: WriteOptions): Promise<void>;
  /**
   * Copy a sandbox file or directory (recursively) out to the host. The archive is made inside the sandbox
   * as the agent (by default) without following links, and unpacked on the host by code that never follows
   * a path the agent controls: `hostPath` must not exist yet; absolute names, `..`, symlinks, hard links,
   * devices, FIFOs and names with control characters are skipped and reported.
   */
  copyOut(sandboxPath: string, hostPath: string, options?: CopyOutOptions): Promise<CopyOutReport>;
  /**
   * The resource limits this sandbox has hit so far (memory, disk, processes), read from the driver's
   * counters (cgroups, tmpfs usage). Empty when none was hit.
   */
  limitsHit(): Promise<SandboxLimitKind[]>;
  /** Kill every process and remove every trace of the sandbox. Idempotent. */
  close(): Promise<void>;
}

/** Default cap of a host-side read of a sandbox file: 16 MiB. */
export const DEFAULT_READ_LIMIT_BYTES = 16 * 1024 * 1024;
/** Default cap of one {@link Sandbox.copyOut} archive: 1 GiB. */
export const DEFAULT_COPY_OUT_LIMIT_BYTES = 1024 * 1024 * 1024;

/** Options of {@link Sandbox.readFile}. */
export interface ReadOptions {
  /** Who reads inside the sandbox. Default `"agent"`: the agent's own permissions apply. */
  as?: ExecUser;
  /** Most bytes read; a larger file fails naming the path and the cap. Default {@link DEFAULT_READ_LIMIT_BYTES}. */
  maxBytes?: number;
  /** Follow a symlink at `path` and accept devices, FIFOs and sockets. Default false. */
  allowSpecial?: boolean;
}

/** Options of {@link Sandbox.copyOut}. */
export interface CopyOutOptions {
  /** Who makes the archive inside the sandbox. Default `"agent"`. */
  as?: ExecUser;
  /** Most archive bytes accepted. Default {@link DEFAULT_COPY_OUT_LIMIT_BYTES}. */
  maxBytes?: number;
}

/** What {@link Sandbox.copyOut} wrote, and what it refused. */
export interface CopyOutReport {
  /** Regular files written on the host. */
  files: number;
  /** Bytes written on the host. */
  bytes: number;
  /** Entries not written, each with why (a symlink, `..`, a device, a control character, …). */
  skipped: { path: string; reason: string }[];
}

/** A resource limit a sandbox can hit. */
export const SandboxLimitKind = z.enum(["memory", "disk", "processes"]);
/** A resource limit a sandbox can hit. */
export type SandboxLimitKind = z.infer<typeof SandboxLimitKind>;

/** Ownership and mode of files written into a sandbox. */
export interface WriteOptions {
  /** Owner of the file: `agent` (default; written with the agent's rights only) or `root`. */
  owner?: ExecUser;
  /** Permission bits, e.g. `0o600`. Default `0o644` (a copied host file keeps its own mode). */
  mode?: number;
}

/** Names of the built-in drivers. */
export const SandboxDriverName = z.enum(["local", "docker"]);
/** Names of the built-in drivers. */
export type SandboxDriverName = z.infer<typeof SandboxDriverName>;

/**
 * A built task image (see {@link ImageRecipe}): a root filesystem directory for the local driver, an engine
 * image for docker. What `install()` left in `/root` and `/home/agent` is kept under {@link IMAGE_STASH}
 * (root-only) and copied into the sandbox's fresh `/root` and `/home/agent` at start, owners and modes kept.
 */
export const ImageRef = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("rootfs"), path: z.string().min(1) }),
  z.object({ kind: z.literal("docker"), tag: z.string().min(1) }),
]);
/** A built task image. */
export type ImageRef = z.infer<typeof ImageRef>;

/** Root-only directory of a built image holding the `root/` and `home/` trees the build left. */
export const IMAGE_STASH = "/opt/evalkit/image";

/** One root file an image build adds before its steps run (a helper script, a Python package, …). */
export interface ImageFile {
  /** Absolute path in the image. */
  path: string;
  /** The file's contents. */
  data: Uint8Array;
  /** Mode (owner root:root). */
  mode: number;
}

/** One build step: a command run as root, cwd `/root`, with network access. */
export interface ImageStep {
  /** What the step is, for progress lines and errors (e.g. "install()"). */
  what: string;
  /** The command, run directly (no shell unless argv names one). */
  argv: string[];
  /** Extra environment variables of the step. */
  env?: Record<string, string>;
  /** Time limit, ms. Default 30 minutes. */
  timeoutMs?: number;
}

/**
 * How to build a task image, METR's build order: a Debian base with `packages` and the `agent` user; the
 * family's files copied to `/root` (root:root, no access for others); `files` added; `steps` run as root in
 * order with network; then `/root` and `/home/agent` stashed under {@link IMAGE_STASH}. Cached by `key`.
 */
export interface ImageRecipe {
  /** Who the image is for, in messages (e.g. the family name). */
  name: string;
  /** Content hash of everything that goes into the image (family files, helper, recipe version). */
  key: string;
  /** Debian packages of the base. */
  packages: string[];
  /** Host directory copied to `/root`, and top-level names in it to leave out. */
  rootFiles?: { hostDir: string; exclude?: string[] };
  /** Root files added after the family's files, before the steps. */
  files?: ImageFile[];
  /** Build steps, run in order as root with network (e.g. the family's `install()`). */
  steps?: ImageStep[];
  /** Progress lines (build steps, command output tails). */
  log?: (line: string) => void;
}

/** Raised when an image build fails: names the image, the step and the last lines of its output. */
export class ImageBuildError extends Error {
  /** An error naming the `image` (who it is for), the failed `step` and the last lines of its output. */
  constructor(readonly image: string, readonly step: string, readonly outputTail: string) {
    super(`building the image for ${image} failed at ${step}${outputTail ? `:\n${outputTail}` : ""}`);
    this.name = "ImageBuildError";
  }
}

/** What a driver needs to create a sandbox for one task. */
export const SandboxSpec = z.object({
  /** Allow network access (only for tasks permitted `full_internet`). Default false. */
  network: z.boolean().default(false),
  /** Debian packages the task needs; the driver checks (local) or bakes them in (docker). */
  packages: z.array(z.string()).default([]),
  /** Label used in names and error messages, e.g. the task id. */
  label: z.string().default("sandbox"),
  /** CPUs (a CPU-time quota). Default: no quota beyond the machine's. */
  cpus: z.number().positive().optional(),
  /** Memory cap in GB for everything in the sandbox (tmpfs contents included). Default 4. */
  memoryGb: z.number().positive().optional(),
  /** Writable space in GB for each of `/home/agent`, `/root` and `/tmp`. Default 2. */
  diskGb: z.number().positive().optional(),
  /** Most processes (and threads) in the sandbox. Default 4096. */
  maxProcesses: z.number().int().positive().optional(),
  /** A built task image to start from (made by this driver's `buildImage`); `packages` is then ignored. */
  image: ImageRef.optional(),
});
/** What a driver needs to create a sandbox for one task. */
export type SandboxSpec = z.input<typeof SandboxSpec>;

/** Creates sandboxes. */
export interface SandboxDriver {
  /** The driver's name: `local` (bubblewrap) or `docker`. */
  readonly name: SandboxDriverName;
  /** Fails with a {@link SandboxUnavailableError} when the driver cannot work on this machine. */
  create(spec: SandboxSpec): Promise<Sandbox>;
  /**
   * Builds (or finds in the cache, by `recipe.key`) a task image; throws {@link ImageBuildError} naming the
   * step that failed.
   */
  buildImage(recipe: ImageRecipe): Promise<ImageRef>;
}

/** Raised when a driver cannot run here (bubblewrap missing, no Docker engine, …). */
export class SandboxUnavailableError extends Error {
  /** An error naming the driver and why it cannot run here (`message`). */
  constructor(readonly driver: SandboxDriverName, message: string) {
    super(`${driver} sandbox unavailable: ${message}`);
    this.name = "SandboxUnavailableError";
  }
}
