/**
 * Scoped use of a sandbox: created, handed to a function, closed whatever happens.
 *
 * @module
 */
import type { Sandbox, SandboxDriver, SandboxSpec } from "./types.ts";

/** Creates a sandbox, runs `body` with it, and closes it after success or failure. */
export async function withSandbox<T>(
  driver: SandboxDriver,
  spec: SandboxSpec,
  body: (sandbox: Sandbox) => Promise<T>,
): Promise<T> {
  const sandbox = await driver.create(spec);
  try {
    return await body(sandbox);
  } finally {
    await sandbox.close();
  }
}
