/**
 * Generic hierarchical bootstrap of any statistic computed from row multiplicities.
 *
 * @module
 */
import { makeResampler, type ResamplerKeys, type ResamplerLevels } from "./resampler.ts";
import { rng } from "./rng.ts";

/**
 * Run `statistic(counts)` on `replicates` hierarchical resamples of rows keyed by `keys`. Replicate i uses
 * `rng(seed, i)`, the same stream {@link bootstrapHorizons} uses, so statistics bootstrapped separately with
 * the same seed and keys see the same resamples. `counts` is a reused buffer: copy it if you keep it.
 *
 * @returns one Float64Array of length `replicates` per output of the statistic
 */
export function bootstrapStatistic(
  keys: ResamplerKeys,
  statistic: (counts: Uint32Array) => number | readonly number[],
  options: { replicates?: number; seed?: number; levels?: ResamplerLevels } = {},
): Float64Array[] {
  const B = options.replicates ?? 500;
  const seed = options.seed ?? 0;
  const resample = makeResampler(keys, options.levels);
  const counts = new Uint32Array(resample.size);
  let out: Float64Array[] | null = null;
  for (let b = 0; b < B; b++) {
    resample(rng(seed, b), counts);
    const v = statistic(counts);
    const arr = typeof v === "number" ? [v] : v;
    out ??= arr.map(() => new Float64Array(B));
    arr.forEach((x, k) => (out![k][b] = x));
  }
  return out ?? [];
}
