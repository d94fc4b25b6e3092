/**
 * Sandboxes: one {@link Sandbox} interface, two drivers — `local` (bubblewrap, the embedded default) and
 * `docker` (a container per run, via dockerode).
 *
 * ```ts
 * const driver = await createSandboxDriver("local");
 * const sandbox = await driver.create({ label: "my_task/1", network: false });
 * try {
 *   await sandbox.writeFile("/home/agent/instructions.txt", "Print 42.");
 *   const result = await sandbox.exec("python3 -c 'print(42)'", { timeoutMs: 10_000 });
 * } finally {
 *   await sandbox.close();
 * }
 * ```
 *
 * @module
 */
import { sweepDeadImageBuilds } from "./image.ts";
import { LocalDriver, type LocalDriverOptions, localPreflight, sweepLocalOrphans } from "./local.ts";
import {
  dockerClient,
  DockerDriver,
  type DockerDriverOptions,
  dockerEngineReachable,
  dockerPreflight,
  sweepDockerOrphans,
} from "./docker.ts";
import type { SandboxDriver, SandboxDriverName } from "./types.ts";

export * from "./types.ts";
export { CappedOutput } from "./output.ts";
export { SANDBOX_PATH, SandboxFileError, SandboxGoneError } from "./base.ts";
export {
  AGENT_MAX_PROCESSES,
  DEFAULT_DISK_GB,
  DEFAULT_MEMORY_GB,
  defaultLocalBaseDir,
  LocalDriver,
  type LocalDriverOptions,
  localPreflight,
  LocalSandbox,
  ROOT_CAPABILITIES,
  sweepLocalOrphans,
} from "./local.ts";
export { DENIED_SYSCALLS_X86_64 } from "./seccomp.ts";
export { closeAllSandboxes, liveSandboxIds, setSandboxSignalPolicy, type SignalPolicy } from "./cleanup.ts";
export { withSandbox } from "./with_sandbox.ts";
export {
  CONTAINER_LABEL,
  dockerClient,
  DockerDriver,
  type DockerDriverOptions,
  dockerEngineReachable,
  DockerSandbox,
  sweepDockerOrphans,
} from "./docker.ts";
export {
  aptMirror,
  type BaseImageOptions,
  baseImageTag,
  ensureBaseImage,
  sweepDeadImageBuilds,
} from "./image.ts";
export {
  aptInstallCommand,
  installHostPackages,
  InvalidPackageError,
  missingHostPackages,
  normalizePackages,
} from "./packages.ts";

/** Options of {@link createSandboxDriver}, per driver. */
export interface SandboxDriverOptions {
  /** Options of the `local` (bubblewrap) driver. */
  local?: LocalDriverOptions;
  /** Options of the `docker` driver. */
  docker?: DockerDriverOptions;
}

/**
 * Returns the named driver after checking it can work here: bubblewrap, util-linux and root for `local`; a
 * reachable engine (`DOCKER_HOST` or the local socket) for `docker`. Otherwise rejects with a
 * {@link SandboxUnavailableError} that names the fix, so callers can skip or report before any run starts.
 */
export async function createSandboxDriver(
  name: SandboxDriverName,
  options: SandboxDriverOptions = {},
): Promise<SandboxDriver> {
  switch (name) {
    case "local":
      localPreflight(options.local?.searchPath);
      return new LocalDriver(options.local);
    case "docker":
      await dockerPreflight(options.docker?.docker ?? dockerClient());
      return new DockerDriver(options.docker);
    default:
      throw new TypeError(`unknown sandbox driver ${JSON.stringify(name)}; expected "local" or "docker"`);
  }
}

/**
 * Removes what dead evalkit processes left behind: local run directories, labelled Docker containers (skipped
 * when no engine is reachable) and half-built image root filesystems. Returns what was removed, per kind.
 */
export async function sweepOrphans(
  options: { localBaseDir?: string } = {},
): Promise<{ local: string[]; docker: string[]; imageBuilds: string[] }> {
  // Each part on its own: an unreachable or misconfigured engine must not hide what the local sweep removed.
  const failures: string[] = [];
  const attempt = async (what: string, sweep: () => Promise<string[]>) => {
    try {
      return await sweep();
    } catch (error) {
      failures.push(`${what}: ${error instanceof Error ? error.message : error}`);
      return [];
    }
  };
  const local = await attempt("local", () => sweepLocalOrphans(options.localBaseDir));
  const docker = await attempt(
    "docker",
    async () => await dockerEngineReachable() ? await sweepDockerOrphans() : [],
  );
  const imageBuilds = await attempt("image builds", () => sweepDeadImageBuilds());
  for (const failure of failures) console.error(`evalkit: sweeping leftovers failed (${failure})`);
  return { local, docker, imageBuilds };
}
