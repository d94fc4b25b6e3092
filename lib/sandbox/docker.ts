/**
 * The `docker` driver: one container per run, from a base image built locally for the task's package set
 * ({@link ensureBaseImage}). The network is disabled (`NetworkMode: none`) unless the task is permitted
 * it; agent commands run as uid 1000 with `no-new-privileges`; /root is root-only (mode 700). Limits come
 * from the {@link SandboxSpec}: processes (`PidsLimit`), memory (`Memory`, swap included), CPUs
 * (`NanoCpus`) and writable space: /tmp, /var/tmp, /home/agent, /root and /run are size-capped tmpfs
 * mounts, so nothing the agent writes lands on the container's uncapped writable layer.
 * {@link DockerSandbox.limitsHit} reads which of them were hit.
 *
 * The container's main process is the exec server ({@link EXEC_SERVER_SOURCE}), which starts every command
 * (an engine exec, one `runc exec` of 60–90 ms, runs a command only when the server cannot fork or the image
 * has no perl). It reads its stdin, which stays attached to this process: when this process dies (even by
 * `kill -9`) the engine closes that stdin, the main process exits and the container stops, taking every
 * agent process with it. The stopped container is then removed by
 * {@link sweepDockerOrphans}, run at the next start. Containers carry labels (`evalkit=1`, owner pid, boot
 * id, host) so the sweep removes only those of processes that died. The engine is the one `DOCKER_HOST`
 * points at (default: the local socket).
 *
 * @module
 */
import Docker from "../deps/dockerode.ts";
import { Buffer } from "node:buffer";
import { Writable } from "node:stream";
import {
  baseEnv,
  BaseSandbox,
  newSandboxId,
  type RunRequest,
  type RunResult,
  SandboxGoneError,
} from "./base.ts";
import {
  bootId,
  processIsAlive,
  processStartTime,
  registerSandbox,
  sweepOncePerProcess,
  unregisterSandbox,
} from "./cleanup.ts";
import { type BaseImageOptions, ensureBaseImage } from "./image.ts";
import { buildDockerImage, STASH_LABEL } from "./docker_image.ts";
import { CappedOutput } from "./output.ts";
import {
  EXEC_SERVER_SOURCE,
  ExecServerConnection,
  execServerDefault,
  runThroughServer,
  serverReady,
  settleLost,
} from "./exec_server.ts";
import { normalizePackages } from "./packages.ts";
import { delay, waitOrKill } from "./timeout.ts";
import {
  AGENT_HOME,
  AGENT_UID,
  IMAGE_STASH,
  type ImageRecipe,
  type ImageRef,
  type SandboxDriver,
  SandboxLimitKind,
  SandboxSpec,
  SandboxUnavailableError,
} from "./types.ts";

/** Options of the docker driver. */
export interface DockerDriverOptions {
  /** A dockerode client; default one built from `DOCKER_HOST` (or the local socket). */
  docker?: Docker;
  /** How base images are built (suite, mirror, progress log). */
  image?: BaseImageOptions;
  /** Use this image instead of building one (it must have bash, coreutils, tar, util-linux and uid 1000). */
  imageTag?: string;
  /**
   * The address of the engine `docker` talks to, for messages and per-engine caches (the once-per-process
   * orphan sweep, the stash flag of task images). Default: `DOCKER_HOST`, else the local socket. The engine
   * pool (lib/sandbox/pool/) sets it for each engine.
   */
  endpoint?: string;
  /**
   * Run commands through an exec server as each container's main process (docs/sandbox.md). Default: true,
   * unless the environment variable `EVALKIT_EXEC_SERVER` is `off`; false makes every command an engine exec.
   */
  execServer?: boolean;
}

/** Label every evalkit container carries. */
export const CONTAINER_LABEL = "evalkit";
/** Default maximum number of processes (and threads) in one container. */
export const PIDS_LIMIT = 4096;
/** Default memory cap of one container, in GB (swap cannot extend it). */
export const DEFAULT_MEMORY_GB = 4;
/** Default size of each writable tmpfs (/tmp, /var/tmp, /home/agent, /root), in GB. */
export const DEFAULT_DISK_GB = 2;
/** Size cap of /run and of /run/lock (sockets, pid files, lock files; nothing large belongs there). */
const RUN_TMPFS_BYTES = 256 * 1024 * 1024;
/** The writable tmpfs mounts of every container; {@link DockerSandbox.limitsHit} checks each for space. */
export const WRITABLE_MOUNTS = ["/tmp", "/var/tmp", AGENT_HOME, "/root", "/run", "/run/lock"] as const;

/** Tells the owner there is no exec server (an `N` frame), then holds the lifeline with `cat`. */
const NO_SERVER_SCRIPT = "printf 'N\\000\\000\\000\\000\\000\\000\\000\\000'; exec cat >/dev/null";

/**
 * The container's main process: the exec server ({@link EXEC_SERVER_SOURCE}) when the image has `perl`
 * (every Debian image does: `perl-base` is essential), else `cat`, after an `N` frame that tells the owner
 * there is no server (every command then runs as an engine exec). Either reads its stdin (attached to the
 * owning process, see {@link DockerSandbox.start}) until end of file, then exits, which stops the container.
 */
export const MAIN_COMMAND = [
  "sh",
  "-c",
  'if command -v perl >/dev/null 2>&1; then exec perl -e "$1" evalkit-exec-server; fi\n' + NO_SERVER_SCRIPT,
  "evalkit-main",
  EXEC_SERVER_SOURCE,
];

/** The main process without the exec server (see {@link MAIN_COMMAND}). */
export const PLAIN_MAIN_COMMAND = ["sh", "-c", NO_SERVER_SCRIPT];

/** The engine's `HostConfig` limits and mounts for a spec (exported for tests and docs). */
export function containerLimits(spec: SandboxSpec): {
  PidsLimit: number;
  Memory: number;
  MemorySwap: number;
  NanoCpus?: number;
  Tmpfs: Record<string, string>;
} {
  const parsed = SandboxSpec.parse(spec);
  const memory = Math.round((parsed.memoryGb ?? DEFAULT_MEMORY_GB) * 1024 ** 3);
  const disk = Math.round((parsed.diskGb ?? DEFAULT_DISK_GB) * 1024 ** 3);
  // Docker mounts tmpfs noexec unless told otherwise; agents build and run programs in /tmp and home.
  const tmpfs = (size: number, extra: string) => `rw,exec,nosuid,nodev,size=${size},${extra}`;
  return {
    PidsLimit: parsed.maxProcesses ?? PIDS_LIMIT,
    Memory: memory,
    MemorySwap: memory,
    ...(parsed.cpus ? { NanoCpus: Math.round(parsed.cpus * 1e9) } : {}),
    Tmpfs: {
      "/tmp": tmpfs(disk, "mode=1777"),
      "/var/tmp": tmpfs(disk, "mode=1777"),
      [AGENT_HOME]: tmpfs(disk, `uid=${AGENT_UID},gid=${AGENT_UID},mode=755`),
      "/root": tmpfs(disk, "mode=700"),
      "/run": tmpfs(Math.min(disk, RUN_TMPFS_BYTES), "mode=755"),
      // A fresh /run has no lock directory (/var/lock points there); the engine mounts parents first.
      "/run/lock": tmpfs(Math.min(disk, RUN_TMPFS_BYTES), "mode=1777"),
    },
  };
}

/**
 * Reads, as root inside the container and without a shell (so it still starts when the process limit is
 * exhausted), the cgroup counters that say a limit was hit: v1 `memory.oom_control` (`oom_kill`) and
 * `pids.events` (`max`), or their v2 equivalents. `grep -H` names the file of each line.
 */
const CGROUP_COUNTERS_ARGV = [
  "grep",
  "-s",
  "-H",
  "-E",
  "^(oom_kill|max) ",
  "/sys/fs/cgroup/memory/memory.oom_control",
  "/sys/fs/cgroup/pids/pids.events",
  "/sys/fs/cgroup/memory.events",
  "/sys/fs/cgroup/pids.events",
];

/** `stat -f` of every writable mount: name, block size, blocks, free blocks, inodes, free inodes. */
const MOUNT_USAGE_ARGV = ["stat", "-f", "-c", "%n|%S|%b|%a|%c|%d", "--", ...WRITABLE_MOUNTS];

/** Which limits the counters printed by {@link CGROUP_COUNTERS_ARGV} say were hit. */
export function limitsFromCounters(text: string): SandboxLimitKind[] {
  const hit = new Set<SandboxLimitKind>();
  for (const line of text.split("\n")) {
    const match = line.match(/^(\/sys\/fs\/cgroup\/[a-z./_]+):(oom_kill|max) (\d+)$/);
    if (!match || Number(match[3]) === 0) continue;
    const [, file, key] = match;
    if (key === "oom_kill" && /memory/.test(file)) hit.add("memory");
    if (key === "max" && /pids/.test(file)) hit.add("processes");
  }
  return [...hit];
}

/**
 * True when one of the mounts printed by {@link MOUNT_USAGE_ARGV} is full: free space below
 * max(64 KiB, 0.1 % of its size), or no free inode.
 */
export function diskFull(text: string): boolean {
  for (const line of text.split("\n")) {
    const fields = line.split("|");
    if (fields.length !== 6) continue;
    const [blockSize, blocks, free, inodes, freeInodes] = fields.slice(1).map(Number);
    if (![blockSize, blocks, free, inodes, freeInodes].every(Number.isFinite) || blocks === 0) continue;
    const freeBytes = free * blockSize;
    if (freeBytes < Math.max(64 * 1024, blocks * blockSize / 1000)) return true;
    if (inodes > 0 && freeInodes === 0) return true;
  }
  return false;
}

/** Describes where the engine is expected, for error messages. */
export function dockerEndpoint(): string {
  return Deno.env.get("DOCKER_HOST") || "unix:///var/run/docker.sock";
}

/**
 * A dockerode client for the engine `DOCKER_HOST` names (`unix://`, `tcp://`, `ssh://`; TLS from
 * `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`, as the docker CLI reads them), else the local socket.
 */
export function dockerClient(): Docker {
  try {
    return new Docker();
  } catch (error) {
    throw new SandboxUnavailableError(
      "docker",
      `DOCKER_HOST=${JSON.stringify(dockerEndpoint())} is not usable (${(error as Error).message}); ` +
        "expected e.g. unix:///var/run/docker.sock or tcp://host:2375",
    );
  }
}

/** Resolves when the engine answers; otherwise throws {@link SandboxUnavailableError} naming the fix. */
export async function dockerPreflight(docker: Docker, endpoint: string = dockerEndpoint()): Promise<void> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 5 s")), 5_000)),
    ]);
  } catch (error) {
    throw new SandboxUnavailableError(
      "docker",
      `cannot reach a Docker engine at ${endpoint} (${error instanceof Error ? error.message : error}); ` +
        "start one (as root: `dockerd --iptables=false &`), set DOCKER_HOST, or use --sandbox local",
    );
  }
}

/** True when the engine at `DOCKER_HOST` (or the local socket) answers within 5 s. */
export async function dockerEngineReachable(docker: Docker = dockerClient()): Promise<boolean> {
  try {
    await dockerPreflight(docker);
    return true;
  } catch {
    return false;
  }
}

function sink(output: CappedOutput): Writable {
  return new Writable({
    write(chunk: Uint8Array, _encoding, callback) {
      output.push(chunk);
      callback();
    },
  });
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}

/** The engine's answer when another client is already removing the container. */
function isRemovalInProgress(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 409 &&
    /removal .* in progress/i.test(String((error as Error).message));
}

/** One container. Create with {@link DockerDriver.create}. */
export class DockerSandbox extends BaseSandbox {
  /** Always `docker`. */
  readonly driver = "docker" as const;

  /** The attached stdin and stdout of the container's main process (see {@link DockerSandbox.start}). */
  private lifeline?: NodeJS.ReadWriteStream;
  /** The exec server on that stream (see {@link EXEC_SERVER_SOURCE}). */
  private server?: ExecServerConnection;

  private constructor(
    readonly id: string,
    private readonly docker: Docker,
    private readonly container: Docker.Container,
    /** The image the container runs. */
    readonly image: string,
  ) {
    super();
  }

  /** Builds (or reuses) the image and starts a container. */
  static async start(input: SandboxSpec, options: DockerDriverOptions = {}): Promise<DockerSandbox> {
    const spec = SandboxSpec.parse(input);
    const docker = options.docker ?? dockerClient();
    const endpoint = options.endpoint ?? dockerEndpoint();
    await dockerPreflight(docker, endpoint);
    await sweepOncePerProcess(`docker:${endpoint}`, () => sweepDockerOrphans(docker));
    const image = await sandboxImage(docker, spec, options);
    const stashed = spec.image ? await imageHasStash(docker, image, endpoint) : false;
    const id = newSandboxId(spec.label);
    const limits = containerLimits(spec);
    const container = await docker.createContainer({
      name: id,
      Image: image,
      Cmd: (options.execServer ?? execServerDefault()) ? MAIN_COMMAND : PLAIN_MAIN_COMMAND,
      // The main process's stdin is attached by this process only: when it goes, the container stops.
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      Hostname: "evalkit",
      WorkingDir: "/",
      Labels: ownerLabels(spec.label),
      NetworkDisabled: !spec.network,
      HostConfig: {
        NetworkMode: spec.network ? "bridge" : "none",
        Init: true,
        SecurityOpt: ["no-new-privileges"],
        // Lets root read the environment of agent processes, which is how a timed-out command's
        // process tree is found (see KILL_TREE_SCRIPT); the agent itself holds no capabilities.
        CapAdd: ["SYS_PTRACE"],
        // A fork bomb, a memory bomb or a disk fill exhausts the container, not the machine.
        ...limits,
      },
    });
    const sandbox = new DockerSandbox(id, docker, container, image);
    registerSandbox(sandbox);
    try {
      const lifeline = await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: false,
        hijack: true,
      });
      sandbox.lifeline = lifeline;
      // Never ended by this process while the sandbox is open: it has to stay open while this process
      // lives, and must not keep the process alive by itself (a command waiting on the server does).
      (lifeline as { unref?: () => void }).unref?.();
      lifeline.on("error", () => {});
      const server = new ExecServerConnection({
        write: (bytes) => lifeline.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
      });
      sandbox.server = server;
      const feed = new Writable({
        write(chunk: Uint8Array, _encoding, callback) {
          server.receive(chunk);
          callback();
        },
      });
      docker.modem.demuxStream(lifeline, feed, new Writable({ write: (_c, _e, callback) => callback() }));
      const lost = () =>
        server.lost("the container's main process ended", settleLost(id, () => sandbox.closed));
      lifeline.on("end", lost);
      lifeline.on("close", lost);
      // Owners and modes of the tmpfs mounts come from their mount options: no setup command runs, so the
      // sandbox is ready as soon as the engine has started it.
      await container.start();
      if (stashed) await sandbox.restoreStash();
      return sandbox;
    } catch (error) {
      await sandbox.close();
      throw error;
    }
  }

  /**
   * Copies what the image build left in `/root` and `/home/agent` (kept under {@link IMAGE_STASH}) into the
   * container's fresh tmpfs mounts, owners and modes kept, in one root exec; throws if it fails.
   */
  private async restoreStash(): Promise<void> {
    const result = await this.exec(
      ["sh", "-c", `cp -a ${IMAGE_STASH}/root/. /root/ && cp -a ${IMAGE_STASH}/home/. ${AGENT_HOME}/`],
      { user: "root", cwd: "/", timeoutMs: 300_000 },
    );
    if (result.exitCode !== 0) {
      throw new Error(
        `sandbox ${this.id}: copying ${this.image}'s ${IMAGE_STASH} into /root and ${AGENT_HOME} failed ` +
          `(exit ${result.exitCode}): ${result.stderr.trim().slice(-2000)}`,
      );
    }
  }

  /**
   * The host command that opens an interactive shell in this container as the agent (for a person's
   * baseline, run under a pty such as util-linux `script`): the engine's command-line client, `exec -it`,
   * with the same uid, working directory and clean environment as {@link DockerSandbox.run}. `env` holds
   * extra variables (e.g. `TERM`). Needs the `docker` client on the host's PATH, talking to the same engine.
   */
  interactiveShell(
    env: Record<string, string> = {},
  ): { command: string; args: string[]; env: Record<string, string> } {
    this.assertOpen("interactiveShell");
    const vars = baseEnv("agent", env, `interactive-${crypto.randomUUID()}`);
    return {
      command: "docker",
      args: [
        "exec",
        "-i",
        "-t",
        "-u",
        `${AGENT_UID}:${AGENT_UID}`,
        "-w",
        AGENT_HOME,
        ...Object.entries(vars).flatMap(([key, value]) => ["-e", `${key}=${value}`]),
        this.id,
        "/bin/bash",
        "-i",
      ],
      env: {},
    };
  }

  /**
   * Runs one command as the requested user (see {@link BaseSandbox.run}): through the exec server when the
   * container has one, else (or when the server could not fork, e.g. at the process limit) as an engine exec.
   */
  protected async run(request: RunRequest): Promise<RunResult> {
    if (this.server && await serverReady(this.server)) {
      const result = await runThroughServer(this.server, request, () => this.killTree(request.marker));
      if (result) return result;
    }
    return await this.runOnEngine(request);
  }

  /** One command as an engine exec (a `runc exec`, which joins the container without forking inside it). */
  private async runOnEngine(request: RunRequest): Promise<RunResult> {
    // The engine starts every exec as the leader of its own session (pid = sid), so unlike the local driver
    // no `setsid` wrapper is needed, and a command starts (and the timeout's kill script runs) without a
    // fork: both still work when the agent has used up the process limit.
    let argv = request.argv;
    const uid = request.user === "agent" ? AGENT_UID : 0;
    const stdin = request.stdin;
    if (stdin) {
      // The engine's exec stdin cannot be half-closed reliably, so the command does not read it directly:
      // `head -c <length>` copies exactly the payload into a pipe and exits, and the command sees end of
      // file there. Nothing is staged on disk.
      argv = ["sh", "-c", 'head -c "$0" | "$@"', String(stdin.length), ...argv];
    }
    let exec: Docker.Exec;
    try {
      exec = await this.container.exec({
        Cmd: argv,
        User: `${uid}:${uid}`,
        WorkingDir: request.cwd,
        Env: Object.entries(request.env).map(([key, value]) => `${key}=${value}`),
        AttachStdin: stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 409) {
        throw new SandboxGoneError(this.id, `its container is gone or stopped (${(error as Error).message})`);
      }
      throw error;
    }
    const stream = await exec.start({ hijack: true, stdin: stdin !== undefined });
    if (stdin && stdin.length > 0) {
      stream.on("error", () => {}); // the command may exit without reading it all
      stream.write(Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength));
    }
    const stdout = new CappedOutput(request.outputLimitBytes);
    const stderr = new CappedOutput(request.outputLimitBytes);
    this.docker.modem.demuxStream(stream, sink(stdout), sink(stderr));
    const ended = new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
    const timedOut = await waitOrKill(ended, request.timeoutMs, () => this.killTree(request.marker));
    if (timedOut) {
      stream.destroy();
      return { exitCode: 137, stdout, stderr, timedOut };
    }
    // The stream can end a moment before the engine records the exit code.
    for (let attempt = 0; attempt < 200; attempt++) {
      const info = await exec.inspect();
      if (!info.Running && info.ExitCode !== null) {
        return { exitCode: info.ExitCode, stdout, stderr, timedOut };
      }
      await delay(attempt < 20 ? 5 : 50);
    }
    throw new Error(`sandbox ${this.id}: the engine never reported the exit code of ${request.argv[0]}`);
  }

  /**
   * The limits this container has hit: `memory` (the OOM killer ran in it), `processes` (a fork failed at
   * the process limit) and `disk` (a writable tmpfs is full, in bytes or inodes). A container the OOM killer
   * stopped (it chose the main process) reports `memory` from the engine's record. Read as root inside the
   * container by single processes that fork nothing (no shell), so it works against a remote engine and
   * while the process limit is exhausted (retried a few times when the engine cannot start even that one
   * process).
   */
  async limitsHit(): Promise<SandboxLimitKind[]> {
    this.assertOpen("limitsHit");
    const read = async (argv: string[]) => {
      let last: unknown;
      for (let attempt = 0; attempt < 5; attempt++) {
        const marker = `limits-${crypto.randomUUID()}`;
        try {
          const result = await this.run({
            argv,
            user: "root",
            cwd: "/",
            env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", EVALKIT_EXEC: marker },
            timeoutMs: 20_000,
            outputLimitBytes: 16 * 1024,
            marker,
          });
          // grep exits 1 when nothing matched and 2 when a file is missing (v1 and v2 paths are both
          // tried), stat 1 when a path is missing: the output is what counts.
          const text = result.stdout.text();
          if (result.exitCode <= 2 && !result.timedOut && text.trim() !== "") return text;
          last = new Error(`exit ${result.exitCode}: ${result.stderr.text().slice(0, 500)}`);
        } catch (error) {
          if (error instanceof SandboxGoneError) throw error;
          last = error;
        }
        await delay(100 * (attempt + 1));
      }
      throw new Error(`sandbox ${this.id}: reading its limit counters (${argv[0]}) failed: ${last}`);
    };
    let counters: string, mounts: string;
    try {
      [counters, mounts] = await Promise.all([read(CGROUP_COUNTERS_ARGV), read(MOUNT_USAGE_ARGV)]);
    } catch (error) {
      // The OOM killer can choose the container's main process (the exec server, or the init above it):
      // then the container stops, and only the engine's record of it can say why.
      if (error instanceof SandboxGoneError && await this.stoppedByOomKiller()) return ["memory"];
      throw error;
    }
    const hit = limitsFromCounters(counters);
    if (diskFull(mounts)) hit.push("disk");
    return hit;
  }

  /** True when the engine says the container stopped after the OOM killer ran in it. */
  private async stoppedByOomKiller(): Promise<boolean> {
    const info = await this.container.inspect().catch(() => undefined);
    return info?.State?.Running === false && info.State.OOMKilled === true;
  }

  /** Removes the container and its volumes; see {@link BaseSandbox.close}. */
  protected async teardown(): Promise<void> {
    try {
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      if (!isNotFound(error) && !isRemovalInProgress(error)) throw error;
    } finally {
      (this.lifeline as { destroy?: () => void } | undefined)?.destroy?.();
      unregisterSandbox(this);
    }
  }
}

/**
 * The labels of every evalkit container: {@link CONTAINER_LABEL}, the label, and the owning process (pid,
 * its start time, boot id, host) that {@link sweepDockerOrphans} checks.
 */
export function ownerLabels(label: string): Record<string, string> {
  return {
    [CONTAINER_LABEL]: "1",
    "evalkit.label": label,
    "evalkit.owner-pid": String(Deno.pid),
    "evalkit.owner-start": String(processStartTime(Deno.pid) ?? ""),
    "evalkit.boot-id": bootId(),
    "evalkit.host": Deno.hostname(),
  };
}

/** The image a sandbox starts from: the spec's task image, the driver's `imageTag`, or the base image. */
async function sandboxImage(
  docker: Docker,
  spec: ReturnType<typeof SandboxSpec.parse>,
  options: DockerDriverOptions,
): Promise<string> {
  if (spec.image?.kind === "rootfs") {
    throw new Error(
      `the docker driver cannot start from a root filesystem image (${spec.image.path}): build the task ` +
        "image with the docker driver's buildImage",
    );
  }
  if (spec.image) return spec.image.tag;
  const packages = normalizePackages(spec.packages, spec.label);
  return options.imageTag ?? await ensureBaseImage(docker, packages, options.image);
}

/** Per engine and tag: whether the task image carries a stash (inspected once per process). */
const stashOfImage = new Map<string, boolean>();

/** Whether a task image carries a stash ({@link STASH_LABEL}); throws a clear error when it is missing. */
async function imageHasStash(docker: Docker, tag: string, endpoint = dockerEndpoint()): Promise<boolean> {
  const key = `${endpoint} ${tag}`;
  const known = stashOfImage.get(key);
  if (known !== undefined) return known;
  let labels: Record<string, string> | undefined;
  try {
    labels = (await docker.getImage(tag).inspect()).Config?.Labels ?? undefined;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    throw new Error(
      `task image ${tag} is not in the engine at ${endpoint}: build it with buildImage`,
    );
  }
  const stashed = labels?.[STASH_LABEL] === "1";
  stashOfImage.set(key, stashed);
  return stashed;
}

/** The `docker` driver. */
export class DockerDriver implements SandboxDriver {
  /** Always `docker`. */
  readonly name = "docker" as const;
  /** A driver with the given options (engine address, base image, …; see {@link DockerDriverOptions}). */
  constructor(readonly options: DockerDriverOptions = {}) {}

  /** Builds or reuses the task's image and starts a container. */
  create(spec: SandboxSpec): Promise<DockerSandbox> {
    return DockerSandbox.start(spec, this.options);
  }

  /** Builds a task image in the engine (see {@link buildDockerImage}). */
  buildImage(recipe: ImageRecipe): Promise<ImageRef> {
    return buildDockerImage(this.options.docker ?? dockerClient(), recipe);
  }
}

/**
 * Removes evalkit containers whose owning process (on this machine, this boot) is gone — exited, killed, or
 * a zombie not yet reaped — running or stopped, in parallel. Containers made by other machines sharing the
 * engine are left alone. Returns the names removed.
 */
export async function sweepDockerOrphans(docker: Docker = dockerClient()): Promise<string[]> {
  const containers: Docker.ContainerInfo[] = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${CONTAINER_LABEL}=1`] }),
  });
  const boot = bootId();
  const host = Deno.hostname();
  const orphans = containers.filter((info: Docker.ContainerInfo) => {
    const labels = info.Labels ?? {};
    if (labels["evalkit.host"] !== host) return false;
    const pid = Number(labels["evalkit.owner-pid"]);
    const start = labels["evalkit.owner-start"] ? Number(labels["evalkit.owner-start"]) : undefined;
    return !(labels["evalkit.boot-id"] === boot && processIsAlive(pid, start));
  });
  const results: PromiseSettledResult<string | undefined>[] = await Promise.allSettled(
    orphans.map(async (info: Docker.ContainerInfo) => {
      try {
        await docker.getContainer(info.Id).remove({ force: true, v: true });
      } catch (error) {
        if (isNotFound(error) || isRemovalInProgress(error)) return undefined;
        throw error;
      }
      return (info.Names?.[0] ?? info.Id).replace(/^\//, "");
    }),
  );
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed.length > 0) {
    throw new Error(
      `removing ${failed.length} orphaned container(s) failed: ${
        failed.map((r) => String(r.reason)).join("; ")
      }`,
    );
  }
  return results.flatMap((r) => r.status === "fulfilled" && r.value ? [r.value] : []);
}
