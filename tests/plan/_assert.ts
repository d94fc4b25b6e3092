// Assertions for the planner tests (not a test file itself).
export { assert, assertAlmostEquals, assertEquals } from "../util/assert.ts";

/** Assert that `fn` throws (an instance of `cls`, with `includes` in the message when given); return it. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  cls?: new (...args: any[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (e) {
    if (cls && !(e instanceof cls)) throw new Error(`expected ${cls.name}, got ${(e as Error).name}: ${e}`);
    if (includes !== undefined && !(e as Error).message.includes(includes)) {
      throw new Error(`expected the message to include "${includes}", got "${(e as Error).message}"`);
    }
    return e as E;
  }
  throw new Error("expected a throw");
}
