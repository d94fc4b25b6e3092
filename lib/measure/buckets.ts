/**
 * Difficulty buckets applied to runs: validate a bucket file, and label each run with its bucket.
 * The scheme itself (METR's seven names, this project's factor-4 boundaries) lives in
 * `lib/task/buckets.ts`; a custom scheme is JSON or YAML: `{ "buckets": [{ id, label, minMinutes, maxMinutes }] }`
 * (or the bare array), with `"Infinity"` or `null` allowed as the last `maxMinutes`.
 *
 * @module
 */
import { readDataFile } from "./data_file.ts";
import { type Bucket, BucketScheme, DEFAULT_BUCKETS } from "../task/buckets.ts";
import { requireColumns, type RunsTable } from "./columns.ts";
import { InputFileError } from "./errors.ts";
import { hasMinutes } from "../stats/minutes.ts";

/** Replaces `"Infinity"`/`null` upper bounds by `Infinity` so JSON can express an open last bucket. */
function openEnds(data: unknown): unknown {
  const list = Array.isArray(data) ? data : (data as { buckets?: unknown })?.buckets;
  if (!Array.isArray(list)) return list;
  return list.map((b) =>
    b && typeof b === "object" && ((b as Record<string, unknown>).maxMinutes === "Infinity" ||
        (b as Record<string, unknown>).maxMinutes === null)
      ? { ...b, maxMinutes: Number.POSITIVE_INFINITY }
      : b
  );
}

/**
 * Validates parsed bucket data.
 * @param file named in errors.
 * @throws InputFileError naming the file, the field path (e.g. `buckets.2.minMinutes`) and the reason.
 */
export function parseBucketScheme(data: unknown, file = "<inline>"): BucketScheme {
  const list = openEnds(data);
  if (!Array.isArray(list)) {
    throw new InputFileError(file, "buckets", "expected an array of buckets or { buckets: [...] }");
  }
  // zod's number() rejects Infinity: validate an open end as the largest finite number, then restore it.
  const finite = list.map((b) =>
    b && typeof b === "object" && (b as Record<string, unknown>).maxMinutes === Number.POSITIVE_INFINITY
      ? { ...b, maxMinutes: Number.MAX_VALUE }
      : b
  );
  const parsed = BucketScheme.safeParse(finite);
  if (!parsed.success) throw InputFileError.fromZod(file, parsed.error, "buckets");
  return parsed.data.map((
    b,
  ) => (b.maxMinutes === Number.MAX_VALUE ? { ...b, maxMinutes: Number.POSITIVE_INFINITY } : b));
}

/** Reads and validates a bucket file (JSON or YAML). */
export async function loadBucketScheme(file: string): Promise<BucketScheme> {
  return parseBucketScheme(await readDataFile(file), file);
}

/**
 * Index of the bucket holding `minutes`, or -1 when unknown (null/undefined), outside the scheme or not a
 * finite number >= 0.
 */
export function bucketIndex(
  minutes: number | null | undefined,
  scheme: BucketScheme = DEFAULT_BUCKETS,
): number {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes) || minutes < 0) return -1;
  for (let i = 0; i < scheme.length; i++) {
    if (minutes >= scheme[i].minMinutes && minutes < scheme[i].maxMinutes) return i;
  }
  return -1;
}

/**
 * Adds a `bucket` column (bucket id, or null outside the scheme or without human minutes) to a runs table.
 * @throws MissingColumnError when `human_minutes` is absent.
 */
export function assignBuckets(table: RunsTable, scheme: BucketScheme = DEFAULT_BUCKETS): RunsTable {
  requireColumns(table, ["human_minutes"], "assignBuckets");
  const minutes = table.array("human_minutes") as ArrayLike<unknown>;
  const ids = Array.from({ length: table.numRows() }, (_, i) => {
    const b = bucketIndex(hasMinutes(minutes[i]) ? Number(minutes[i]) : null, scheme);
    return b < 0 ? null : scheme[b].id;
  });
  return table.assign({ bucket: ids });
}

/** A bucket's geometric ends in minutes, with finite stand-ins for 0 and Infinity (see {@link levelToMinutes}). */
export interface BucketSpan {
  /** The bucket. */
  bucket: Bucket;
  /**
   * Lower end in minutes: `minMinutes`, or when that is 0, `floorMinutes` (default 1; at most half the upper
   * end).
   */
  lowMinutes: number;
  /**
   * Upper end in minutes: `maxMinutes`, or when that is Infinity, the lower end × the previous bucket's
   * max/min ratio (4 without one).
   */
  highMinutes: number;
}

/**
 * Finite log-scale ends for each bucket: a lower end of 0 becomes `floorMinutes` (default 1, the start of
 * METR's first time-horizon bucket), an infinite upper end becomes `min × (ratio of the previous bucket)`.
 */
export function bucketSpans(scheme: BucketScheme = DEFAULT_BUCKETS, floorMinutes = 1): BucketSpan[] {
  return scheme.map((bucket, i) => {
    const low = bucket.minMinutes > 0 ? bucket.minMinutes : Math.min(floorMinutes, bucket.maxMinutes / 2);
    let high = bucket.maxMinutes;
    if (!Number.isFinite(high)) {
      const prev = scheme[i - 1];
      const ratio = prev && prev.minMinutes > 0 ? prev.maxMinutes / prev.minMinutes : 4;
      high = low * ratio;
    }
    return { bucket, lowMinutes: low, highMinutes: high };
  });
}
