/**
 * Which sandbox drivers tests run against. Local must work (root + bubblewrap); Docker may be skipped
 * with a clear message only outside CI, where no engine can be reached. With CI=true an unavailable
 * driver is a test failure, not a skip.
 * @module
 */
import { createSandboxDriver } from "../../lib/sandbox/mod.ts";
import type { SandboxDriver, SandboxDriverName } from "../../lib/sandbox/types.ts";

/** A driver for tests, or why it is skipped. */
export interface TestDriver {
  name: SandboxDriverName;
  driver?: SandboxDriver;
  /** Set when the driver is unavailable outside CI. */
  skip?: string;
}

const inCi = Deno.env.get("CI") === "true";

/** Probe both drivers once. */
export async function testDrivers(): Promise<TestDriver[]> {
  const out: TestDriver[] = [];
  for (const name of ["local", "docker"] as const) {
    try {
      out.push({ name, driver: await createSandboxDriver(name) });
    } catch (error) {
      if (inCi) throw error;
      const reason = `${name} sandbox unavailable, skipping: ${(error as Error).message}`;
      console.warn(reason);
      out.push({ name, skip: reason });
    }
  }
  return out;
}
