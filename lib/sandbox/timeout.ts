/**
 * The time limit of one exec, shared by every way of running a command (a host process for the local
 * driver, an engine exec stream for docker): wait for the command; at the limit, kill it and give its output
 * a short grace period to drain before abandoning it.
 *
 * @module
 */

/** After a timeout kill, how long to wait for the output pipes to close before abandoning them. */
export const PIPE_GRACE_MS = 2_000;

/** Resolves after `ms` milliseconds. */
export const delay = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for `finished`. When `timeoutMs` passes first, runs `kill` (a failure of it is ignored), then waits
 * up to {@link PIPE_GRACE_MS} more for `finished`. Resolves true when the timeout fired, false when
 * `finished` came first; rejects when `finished` does.
 */
export async function waitOrKill(
  finished: Promise<unknown>,
  timeoutMs: number,
  kill: () => Promise<void>,
): Promise<boolean> {
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolve();
    }, timeoutMs);
  });
  try {
    await Promise.race([finished, timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (!timedOut) return false;
  await kill().catch(() => {});
  let grace: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([finished, new Promise<void>((resolve) => grace = setTimeout(resolve, PIPE_GRACE_MS))]);
  clearTimeout(grace);
  return true;
}
