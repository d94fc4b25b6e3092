/**
 * Difficulty buckets by skilled-human time.
 *
 * METR names seven buckets (Few minutes … Month-long) but did not publish their minute boundaries.
 * This project's default uses factor-4 boundaries, which coincide with the duration buckets of METR's
 * time-horizon analysis for the first five ([1,4), [4,16), [16,64), [64,256), [256,960) minutes) and
 * extend the same geometric spacing for the last two. The boundaries are data: pass your own
 * {@link BucketScheme} wherever a function takes one.
 *
 * @module
 */
import { z } from "../deps/zod.ts";

/** Identifier of one of METR's seven difficulty buckets. */
export const BucketId = z.enum([
  "few_minutes",
  "several_minutes",
  "under_an_hour",
  "few_hours",
  "day_long",
  "week_long",
  "month_long",
]);
/** Identifier of one of METR's seven difficulty buckets. */
export type BucketId = z.infer<typeof BucketId>;

/** One bucket: `[minMinutes, maxMinutes)`. */
export const Bucket = z.object({
  id: z.string().min(1),
  label: z.string().min(1),
  minMinutes: z.number().nonnegative(),
  /** Upper end; `Infinity` for an open last bucket. */
  maxMinutes: z.custom<number>(
    (v) => typeof v === "number" && v > 0 && !Number.isNaN(v),
    "expected a positive number (Infinity for an open last bucket)",
  ),
});
/** One bucket: `[minMinutes, maxMinutes)`. */
export type Bucket = z.infer<typeof Bucket>;

/** An ordered, contiguous list of buckets covering [first.min, last.max). */
export const BucketScheme = z.array(Bucket).min(1).superRefine((buckets, ctx) => {
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i];
    if (!(b.maxMinutes > b.minMinutes)) {
      ctx.addIssue({ code: "custom", path: [i, "maxMinutes"], message: "maxMinutes must exceed minMinutes" });
    }
    if (i > 0 && buckets[i - 1].maxMinutes !== b.minMinutes) {
      ctx.addIssue({
        code: "custom",
        path: [i, "minMinutes"],
        message: `buckets must be contiguous: expected minMinutes ${buckets[i - 1].maxMinutes}`,
      });
    }
  }
});
/** An ordered, contiguous list of buckets. */
export type BucketScheme = z.infer<typeof BucketScheme>;

/** This project's default boundaries (documented in the README; METR's were not published). */
export const DEFAULT_BUCKETS: BucketScheme = [
  { id: "few_minutes", label: "Few minutes", minMinutes: 0, maxMinutes: 4 },
  { id: "several_minutes", label: "Several minutes", minMinutes: 4, maxMinutes: 16 },
  { id: "under_an_hour", label: "Under an hour", minMinutes: 16, maxMinutes: 64 },
  { id: "few_hours", label: "Few hours", minMinutes: 64, maxMinutes: 256 },
  { id: "day_long", label: "Day-long", minMinutes: 256, maxMinutes: 960 },
  { id: "week_long", label: "Week-long +", minMinutes: 960, maxMinutes: 3840 },
  { id: "month_long", label: "Month-long", minMinutes: 3840, maxMinutes: Number.POSITIVE_INFINITY },
];

/**
 * The bucket a task of `minutes` skilled-human time falls in.
 * @throws RangeError when minutes is not a finite non-negative number or lies outside the scheme.
 */
export function bucketOf(minutes: number, scheme: BucketScheme = DEFAULT_BUCKETS): Bucket {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`human minutes must be a finite number >= 0, got ${minutes}`);
  }
  for (const b of scheme) {
    if (minutes >= b.minMinutes && minutes < b.maxMinutes) return b;
  }
  throw new RangeError(`${minutes} minutes lies outside the bucket scheme`);
}
