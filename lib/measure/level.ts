/**
 * The level ↔ time-horizon mapping of the bucket-weighted score.
 *
 * A level L in [0, number of buckets] is the sum of bucket scores (each bucket's fixed weight is 1). This
 * project reads it as "buckets fully done, plus a fraction of the next": with k = ⌊L⌋ and f = L − k,
 * the equivalent horizon is the point a fraction f of the way through bucket k+1 on a log-time scale,
 * `exp(log lo + f·(log hi − log lo))`. Level 0 maps to 0 hours; the first bucket's lower end of 0 and the
 * last bucket's open upper end get finite stand-ins (see `bucketSpans`). METR describes the score as
 * "a total level or a time horizon in hours" without publishing the mapping: this is our choice.
 *
 * @module
 */
import { type BucketScheme, DEFAULT_BUCKETS } from "../task/buckets.ts";
import { bucketSpans } from "./buckets.ts";

/** Equivalent time horizon in minutes for a level (see module doc). */
export function levelToMinutes(
  level: number,
  scheme: BucketScheme = DEFAULT_BUCKETS,
  floorMinutes = 1,
): number {
  if (!Number.isFinite(level)) throw new RangeError(`level must be a finite number, got ${level}`);
  if (level <= 0) return 0;
  const spans = bucketSpans(scheme, floorMinutes);
  const k = Math.floor(level);
  if (k >= spans.length) return spans[spans.length - 1].highMinutes;
  const f = level - k;
  const { lowMinutes, highMinutes } = spans[k];
  return Math.exp(Math.log(lowMinutes) + f * (Math.log(highMinutes) - Math.log(lowMinutes)));
}

/** Inverse of {@link levelToMinutes}: the level whose equivalent horizon is `minutes`. */
export function minutesToLevel(
  minutes: number,
  scheme: BucketScheme = DEFAULT_BUCKETS,
  floorMinutes = 1,
): number {
  if (!(minutes > 0)) return 0;
  const spans = bucketSpans(scheme, floorMinutes);
  for (let k = 0; k < spans.length; k++) {
    const { lowMinutes, highMinutes } = spans[k];
    if (minutes < highMinutes || k === spans.length - 1) {
      if (minutes <= lowMinutes) return k;
      const f = (Math.log(minutes) - Math.log(lowMinutes)) / (Math.log(highMinutes) - Math.log(lowMinutes));
      return k + Math.min(1, f);
    }
  }
  return spans.length;
}
