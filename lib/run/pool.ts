/**
 * A small concurrency pool: runs `worker` over `items` with at most `concurrency` in flight, and stops
 * taking new items once `signal` is aborted (items in flight finish or react to the signal themselves).
 *
 * @module
 */

/** Default concurrency: the number of logical cores. */
export function defaultConcurrency(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

/** Run `worker` over `items` with bounded concurrency. Rejects with the first worker error. */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  }
  let next = 0;
  const lane = async () => {
    while (next < items.length && !signal?.aborted) {
      const i = next++;
      await worker(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
