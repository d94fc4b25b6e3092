/**
 * The `docker` driver: one container per run, from a base image built locally for the task's package set
 * ({@link ensureBaseImage}). The network is disabled (`NetworkMode: none`) unless the task is permitted
 * it; agent commands run as uid 1000 with `no-new-privileges`; /root is root-only (mode 700). Containers
 * carry labels (`evalkit=1`, owner pid, boot id, host) so {@link sweepDockerOrphans} can remove those of
 * processes that died. The engine is the one `DOCKER_HOST` points at (default: the local socket).
 *
 * @module
 */
import Docker from "dockerode";
import { Buffer } from "node:buffer";
import { Writable } from "node:stream";
import {
  BaseSandbox,
  newSandboxId,
  type RunRequest,
  type RunResult,
  SandboxFileError,
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
import { CappedOutput } from "./output.ts";
import { normalizePackages } from "./packages.ts";
import { singleFileTar } from "./tar.ts";
import { delay, waitOrKill } from "./timeout.ts";
import {
  AGENT_UID,
  type SandboxDriver,
  SandboxSpec,
  SandboxUnavailableError,
  type WriteOptions,
} from "./types.ts";

/** Options of the docker driver. */
export interface DockerDriverOptions {
  /** A dockerode client; default one built from `DOCKER_HOST` (or the local socket). */
  docker?: Docker;
  /** How base images are built (suite, mirror, progress log). */
  image?: BaseImageOptions;
  /** Use this image instead of building one (it must have bash, coreutils, tar, util-linux and uid 1000). */
  imageTag?: string;
}

/** Label every evalkit container carries. */
export const CONTAINER_LABEL = "evalkit";
/** Where stdin payloads are staged inside a container (mode 1733: writable, not listable). */
const STDIN_DIR = "/run/evalkit-stdin";
/** Maximum number of processes in one container. */
export const PIDS_LIMIT = 4096;

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
export async function dockerPreflight(docker: Docker): Promise<void> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 5 s")), 5_000)),
    ]);
  } catch (error) {
    throw new SandboxUnavailableError(
      "docker",
      `cannot reach a Docker engine at ${dockerEndpoint()} (${
        error instanceof Error ? error.message : error
      }); ` +
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

/** One container. Create with {@link DockerDriver.create}. */
export class DockerSandbox extends BaseSandbox {
  readonly driver = "docker" as const;

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
    await dockerPreflight(docker);
    await sweepOncePerProcess(`docker:${dockerEndpoint()}`, () => sweepDockerOrphans(docker));
    const packages = normalizePackages(spec.packages, spec.label);
    const image = options.imageTag ?? await ensureBaseImage(docker, packages, options.image);
    const id = newSandboxId(spec.label);
    const container = await docker.createContainer({
      name: id,
      Image: image,
      Cmd: ["sleep", "infinity"],
      Hostname: "evalkit",
      WorkingDir: "/",
      Labels: {
        [CONTAINER_LABEL]: "1",
        "evalkit.label": spec.label,
        "evalkit.owner-pid": String(Deno.pid),
        "evalkit.owner-start": String(processStartTime(Deno.pid) ?? ""),
        "evalkit.boot-id": bootId(),
        "evalkit.host": Deno.hostname(),
      },
      NetworkDisabled: !spec.network,
      HostConfig: {
        NetworkMode: spec.network ? "bridge" : "none",
        Init: true,
        SecurityOpt: ["no-new-privileges"],
        // Lets root read the environment of agent processes, which is how a timed-out command's
        // process tree is found (see KILL_TREE_SCRIPT); the agent itself holds no capabilities.
        CapAdd: ["SYS_PTRACE"],
        // A fork bomb exhausts the container, not the machine.
        PidsLimit: PIDS_LIMIT,
        ...(spec.memoryGb ? { Memory: Math.round(spec.memoryGb * 1024 ** 3) } : {}),
        ...(spec.cpus ? { NanoCpus: Math.round(spec.cpus * 1e9) } : {}),
      },
    });
    const sandbox = new DockerSandbox(id, docker, container, image);
    registerSandbox(sandbox);
    try {
      await container.start();
      const marker = `setup-${id}`;
      const setup = await sandbox.run({
        argv: [
          "sh",
          "-c",
          `mkdir -p ${STDIN_DIR} && chmod 1733 ${STDIN_DIR} && chmod 700 /root && ` +
          `chown ${AGENT_UID}:${AGENT_UID} /home/agent`,
        ],
        user: "root",
        cwd: "/",
        env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", EVALKIT_EXEC: marker },
        timeoutMs: 60_000,
        outputLimitBytes: 64 * 1024,
        marker,
      });
      if (setup.exitCode !== 0) {
        throw new Error(`container setup failed in ${image}: ${setup.stderr.text()}`);
      }
      return sandbox;
    } catch (error) {
      await sandbox.close();
      throw error;
    }
  }

  protected async run(request: RunRequest): Promise<RunResult> {
    let argv = ["setsid", "-w", "--", ...request.argv];
    const uid = request.user === "agent" ? AGENT_UID : 0;
    if (request.stdin) {
      // The engine's exec stdin cannot be half-closed reliably, so stdin is staged as a file that the
      // command's shell opens as its stdin and deletes before running the command.
      const name = `${request.marker}.in`;
      await this.container.putArchive(
        Buffer.from(singleFileTar(name, request.stdin, { uid, gid: uid, mode: 0o400 })),
        { path: STDIN_DIR },
      );
      argv = ["sh", "-c", 'exec <"$0" && rm -f "$0" && exec "$@"', `${STDIN_DIR}/${name}`, ...argv];
    }
    let exec: Docker.Exec;
    try {
      exec = await this.container.exec({
        Cmd: argv,
        User: `${uid}:${uid}`,
        WorkingDir: request.cwd,
        Env: Object.entries(request.env).map(([key, value]) => `${key}=${value}`),
        AttachStdin: false,
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
    const stream = await exec.start({ hijack: true, stdin: false });
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
   * Writes through the engine's archive API in one call when the parent directory exists (the engine
   * replaces whatever is at the target, a planted symlink included, without following it); otherwise falls
   * back to the shared shell implementation, which creates the parents.
   */
  override async writeFile(
    path: string,
    data: string | Uint8Array,
    options: WriteOptions = {},
  ): Promise<void> {
    this.assertOpen("writeFile");
    const slash = path.lastIndexOf("/");
    const name = path.slice(slash + 1);
    if (!path.startsWith("/") || !name || new TextEncoder().encode(name).length > 100) {
      return await super.writeFile(path, data, options);
    }
    const uid = (options.owner ?? "agent") === "agent" ? AGENT_UID : 0;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    try {
      await this.container.putArchive(
        Buffer.from(singleFileTar(name, bytes, { uid, gid: uid, mode: options.mode ?? 0o644 })),
        { path: path.slice(0, slash) || "/" },
      );
    } catch (error) {
      if (!isNotFound(error)) {
        throw new SandboxFileError(
          this.id,
          "writeFile",
          path,
          error instanceof Error ? error.message : String(error),
        );
      }
      await super.writeFile(path, data, options);
    }
  }

  protected async teardown(): Promise<void> {
    try {
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    } finally {
      unregisterSandbox(this);
    }
  }
}

/** The `docker` driver. */
export class DockerDriver implements SandboxDriver {
  readonly name = "docker" as const;
  constructor(readonly options: DockerDriverOptions = {}) {}

  /** Builds or reuses the task's image and starts a container. */
  create(spec: SandboxSpec): Promise<DockerSandbox> {
    return DockerSandbox.start(spec, this.options);
  }
}

/**
 * Removes evalkit containers whose owning process (on this machine, this boot) is gone. Containers made by
 * other machines sharing the engine are left alone. Returns the names removed.
 */
export async function sweepDockerOrphans(docker: Docker = dockerClient()): Promise<string[]> {
  const removed: string[] = [];
  const containers = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${CONTAINER_LABEL}=1`] }),
  });
  const boot = bootId();
  const host = Deno.hostname();
  for (const info of containers) {
    const labels = info.Labels ?? {};
    if (labels["evalkit.host"] !== host) continue;
    const pid = Number(labels["evalkit.owner-pid"]);
    const start = labels["evalkit.owner-start"] ? Number(labels["evalkit.owner-start"]) : undefined;
    if (labels["evalkit.boot-id"] === boot && processIsAlive(pid, start)) continue;
    try {
      await docker.getContainer(info.Id).remove({ force: true, v: true });
      removed.push((info.Names?.[0] ?? info.Id).replace(/^\//, ""));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return removed;
}
