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
export {
  aptInstallCommand,
  installHostPackages,
  InvalidPackageError,
  missingHostPackages,
  normalizePackages,
} from "./packages.ts";
import { LocalDriver, type LocalDriverOptions } from "./local.ts";
import { type SandboxDriver, type SandboxDriverName, SandboxUnavailableError } from "./types.ts";

/** Options of {@link createSandboxDriver}, per driver. */
export interface SandboxDriverOptions {
  local?: LocalDriverOptions;
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
      return Promise.reject(new SandboxUnavailableError("docker", "the docker driver is not built yet"));
    default:
      return Promise.reject(
        new TypeError(`unknown sandbox driver ${JSON.stringify(name)}; expected "local" or "docker"`),
      );
  }
}
