/**
 * Assertions for tests (Deno's std library is not reachable here; node's assert works with Deno.test).
 * @module
 */
import assertModule from "node:assert/strict";

/** Assert a truthy value. */
export function assert(value: unknown, message?: string): asserts value {
  assertModule.ok(value, message);
}

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assertModule.deepStrictEqual(actual, expected, message);
}

/** |actual - expected| <= tolerance. */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance = 1e-9,
  message?: string,
): void {
  assertModule.ok(
    Math.abs(actual - expected) <= tolerance,
    message ?? `expected ${actual} to be within ${tolerance} of ${expected}`,
  );
}

/** Assert that an async function rejects; returns the error. Optionally checks the message includes text. */
export async function assertRejects(fn: () => Promise<unknown>, includes?: string): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    const err = error as Error;
    if (includes !== undefined) {
      assertModule.ok(
        err.message.includes(includes),
        `expected error message to include "${includes}", got "${err.message}"`,
      );
    }
    return err;
  }
  throw new assertModule.AssertionError({ message: "expected the function to reject" });
}
