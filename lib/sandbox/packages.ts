/**
 * Debian package sets of tasks: validation, checking what the host has, installing what it lacks.
 *
 * @module
 */

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** Raised for a package name that is not a valid Debian package name. */
export class InvalidPackageError extends Error {
  /** An error naming the bad `packageName` and who asked for it (`label`, e.g. the task or family). */
  constructor(readonly packageName: string, readonly label: string) {
    super(
      `${label}: invalid Debian package name ${JSON.stringify(packageName)} ` +
        "(expected lowercase letters, digits and + - . , at least 2 characters)",
    );
    this.name = "InvalidPackageError";
  }
}

/** Sorted, de-duplicated, validated package list. `label` names the task in errors. */
export function normalizePackages(packages: readonly string[], label = "sandbox"): string[] {
  for (const name of packages) {
    if (!PACKAGE_NAME.test(name)) throw new InvalidPackageError(name, label);
  }
  return [...new Set(packages)].sort();
}

/** The packages of `packages` that are not installed on this host (checked with dpkg-query). */
export async function missingHostPackages(packages: readonly string[]): Promise<string[]> {
  const wanted = normalizePackages(packages);
  if (wanted.length === 0) return [];
  const out = await new Deno.Command("dpkg-query", {
    args: ["-W", "-f", "${Package} ${db:Status-Status}\n", ...wanted],
    stdout: "piped",
    stderr: "null",
  }).output();
  const installed = new Set(
    new TextDecoder().decode(out.stdout).split("\n")
      .map((line) => line.trim().split(" "))
      .filter(([, status]) => status === "installed")
      .map(([name]) => name.replace(/:.*$/, "")),
  );
  return wanted.filter((name) => !installed.has(name));
}

/** The exact command that installs `packages` on a Debian host. */
export function aptInstallCommand(packages: readonly string[]): string {
  return `apt-get install -y --no-install-recommends ${packages.join(" ")}`;
}

/**
 * Installs the packages of `packages` that this host lacks (root only; runs `apt-get update` once if the
 * first attempt fails). Returns the packages it installed.
 */
export async function installHostPackages(packages: readonly string[]): Promise<string[]> {
  const missing = await missingHostPackages(packages);
  if (missing.length === 0) return [];
  if (Deno.uid() !== 0) {
    throw new Error(`installing packages needs root; run as root: ${aptInstallCommand(missing)}`);
  }
  const install = () =>
    new Deno.Command("apt-get", {
      args: ["install", "-y", "--no-install-recommends", ...missing],
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  let result = await install();
  if (!result.success) {
    await new Deno.Command("apt-get", { args: ["update"], stdout: "null", stderr: "null" }).output();
    result = await install();
  }
  if (!result.success) {
    throw new Error(
      `${aptInstallCommand(missing)} failed: ${new TextDecoder().decode(result.stderr).trim().slice(-2000)}`,
    );
  }
  return missing;
}
