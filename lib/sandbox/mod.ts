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
export * from "./types.ts";
export { CappedOutput } from "./output.ts";
export { SANDBOX_PATH, SandboxFileError } from "./base.ts";
export {
  defaultLocalBaseDir,
  LocalDriver,
  type LocalDriverOptions,
  LocalSandbox,
  sweepLocalOrphans,
} from "./local.ts";
export { closeAllSandboxes, liveSandboxIds } from "./cleanup.ts";
export { withSandbox } from "./with_sandbox.ts";
export {
  CONTAINER_LABEL,
  DockerDriver,
  type DockerDriverOptions,
  dockerEngineReachable,
  DockerSandbox,
  sweepDockerOrphans,
} from "./docker.ts";
export { aptMirror, type BaseImageOptions, baseImageTag, ensureBaseImage } from "./image.ts";
export {
  aptInstallCommand,
  installHostPackages,
  InvalidPackageError,
  missingHostPackages,
  normalizePackages,
} from "./packages.ts";
import { LocalDriver, type LocalDriverOptions, sweepLocalOrphans } from "./local.ts";
import {
  DockerDriver,
  type DockerDriverOptions,
  dockerEngineReachable,
  sweepDockerOrphans,
} from "./docker.ts";
import type { SandboxDriver, SandboxDriverName } from "./types.ts";

/** Options of {@link createSandboxDriver}, per driver. */
export interface SandboxDriverOptions {
  local?: LocalDriverOptions;
  docker?: DockerDriverOptions;
}

/** Returns the named driver. Creating a sandbox fails with a {@link SandboxUnavailableError} naming the fix. */
export function createSandboxDriver(
  name: SandboxDriverName,
  options: SandboxDriverOptions = {},
): Promise<SandboxDriver> {
  switch (name) {
    case "local":
      return Promise.resolve(new LocalDriver(options.local));
    case "docker":
      return Promise.resolve(new DockerDriver(options.docker));
    default:
      return Promise.reject(
        new TypeError(`unknown sandbox driver ${JSON.stringify(name)}; expected "local" or "docker"`),
      );
  }
}

/**
 * Removes what dead evalkit processes left behind: local run directories and labelled Docker containers
 * (the Docker part is skipped when no engine is reachable). Returns the ids removed, per driver.
 */
export async function sweepOrphans(
  options: { localBaseDir?: string } = {},
): Promise<{ local: string[]; docker: string[] }> {
  const local = await sweepLocalOrphans(options.localBaseDir);
  const docker = await dockerEngineReachable() ? await sweepDockerOrphans() : [];
  return { local, docker };
}
