/**
 * Protocol thresholds as data. A threshold names a metric, a comparator, a value in a unit, and what
 * crossing it means. METR's protocol did not publish its thresholds or what they map to: the example
 * file `data/thresholds.example.json` is illustrative, not METR's.
 *
 * Metrics:
 * - `p50_horizon`, `p80_horizon` — the logistic time horizon at 50% / 80% success (unit `hours` or `minutes`);
 * - `level` — the bucket-weighted overall score (unit `level`, in [0, number of buckets]);
 * - `level_horizon` — that level's equivalent horizon (unit `hours` or `minutes`);
 * - `bucket_score` — the score in one bucket (`bucket` = bucket id; unit `fraction`);
 * - `family_success` — mean success on one task family (`family`; unit `fraction`).
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { readDataFile } from "../measure/data_file.ts";
import { InputFileError } from "../measure/errors.ts";

/** How an estimate is compared with a threshold's value. */
export const Comparator = z.enum([">=", ">", "<=", "<"]);
/** How an estimate is compared with a threshold's value. */
export type Comparator = z.infer<typeof Comparator>;

const base = {
  /** Stable identifier, e.g. `autonomy-1`. */
  id: z.string().min(1),
  comparator: Comparator,
  value: z.number().finite(),
  /** What crossing the threshold means (the precaution it triggers, in words). */
  meaning: z.string().min(1),
  /** Restrict to one agent (alias/variant); default: every agent. */
  agent: z.string().min(1).optional(),
};
const timeUnit = z.enum(["hours", "minutes"]);

/** One threshold (discriminated on `metric`). */
export const Threshold = z.discriminatedUnion("metric", [
  z.object({ ...base, metric: z.literal("p50_horizon"), unit: timeUnit }).strict(),
  z.object({ ...base, metric: z.literal("p80_horizon"), unit: timeUnit }).strict(),
  z.object({ ...base, metric: z.literal("level"), unit: z.literal("level") }).strict(),
  z.object({ ...base, metric: z.literal("level_horizon"), unit: timeUnit }).strict(),
  z.object({
    ...base,
    metric: z.literal("bucket_score"),
    bucket: z.string().min(1),
    unit: z.literal("fraction"),
    value: z.number().min(0).max(1),
  }).strict(),
  z.object({
    ...base,
    metric: z.literal("family_success"),
    family: z.string().min(1),
    unit: z.literal("fraction"),
    value: z.number().min(0).max(1),
  }).strict(),
]);
/** One threshold. */
export type Threshold = z.infer<typeof Threshold>;
/** The metrics a threshold can name. */
export type ThresholdMetric = Threshold["metric"];

/** A thresholds file: `{ description?, thresholds: [...] }` with unique ids. */
export const ThresholdFile = z.object({
  description: z.string().optional(),
  thresholds: z.array(Threshold).min(1),
}).strict().superRefine((file, ctx) => {
  const seen = new Set<string>();
  file.thresholds.forEach((t, i) => {
    if (seen.has(t.id)) {
      ctx.addIssue({
        code: "custom",
        path: ["thresholds", i, "id"],
        message: `duplicate threshold id "${t.id}"`,
      });
    }
    seen.add(t.id);
  });
});
/** A thresholds file. */
export type ThresholdFile = z.infer<typeof ThresholdFile>;

/**
 * Validates parsed threshold data.
 * @throws InputFileError naming the file, the field path (e.g. `thresholds.1.comparator`) and the reason.
 */
export function parseThresholds(data: unknown, file = "<inline>"): ThresholdFile {
  const parsed = ThresholdFile.safeParse(data);
  if (!parsed.success) throw InputFileError.fromZod(file, parsed.error);
  return parsed.data;
}

/** Reads and validates a thresholds file (JSON, or YAML by extension). */
export async function loadThresholds(file: string): Promise<ThresholdFile> {
  return parseThresholds(await readDataFile(file), file);
}

/** A threshold's value converted to the unit estimates use (minutes for horizons, else unchanged). */
export function thresholdValueInBaseUnit(t: Threshold): number {
  return t.unit === "hours" ? t.value * 60 : t.value;
}

/** Whether `estimate` crosses the threshold. */
export function crosses(estimate: number, comparator: Comparator, value: number): boolean {
  switch (comparator) {
    case ">=":
      return estimate >= value;
    case ">":
      return estimate > value;
    case "<=":
      return estimate <= value;
    case "<":
      return estimate < value;
  }
}
