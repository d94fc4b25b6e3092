/**
 * The one tidy run schema every table in the toolkit uses. Column names follow METR's runs.jsonl so
 * METR's public data and this toolkit's own logs load into the same arquero table; toolkit-only
 * columns (variant, epoch, tokens split, limit, …) are optional for imported data.
 *
 * @module
 */
import { z } from "../deps/zod.ts";

export { ErrorSource, LimitKind } from "../core/run_outcome.ts";
import { LimitKind } from "../core/run_outcome.ts";

/**
 * A run id: a string, or a number (METR's human-baseline rows carry numeric ids) normalised to its decimal
 * string. Anything else fails with the plain string error.
 */
const RunId = z.preprocess(
  (id: string | number) => typeof id === "number" ? String(id) : id,
  z.string(),
);

/** One run (one cell of task × variant × model × epoch). */
export const RunRow = z.object({
  run_id: RunId,
  task_id: z.string(),
  task_family: z.string(),
  /** The agent: model + scaffold variant, e.g. `GPT-4o` or `simulated/30 · chat`. */
  alias: z.string(),
  model: z.string().nullable().default(null),
  /** Continuous score in [0,1]; null = needs manual scoring or errored before scoring. */
  score: z.number().min(0).max(1).nullable(),
  score_binarized: z.union([z.literal(0), z.literal(1)]).nullable(),
  /** Null when unknown (a task without human minutes): analyses that need minutes leave such runs out. */
  human_minutes: z.number().positive().nullable(),
  human_source: z.string().nullable().default(null),
  equal_task_weight: z.number().nonnegative().nullable().default(null),
  invsqrt_task_weight: z.number().nonnegative().nullable().default(null),
  started_at: z.number().nullable().default(null),
  completed_at: z.number().nullable().default(null),
  time_limit: z.number().nullable().default(null),
  total_tokens: z.number().nullable().default(null),
  dollar_equivalent: z.number().nullable().default(null),
  fatal_error_from: z.string().nullable().default(null),
  human_score: z.number().nullable().default(null),
  // Toolkit columns (absent in METR's file):
  variant: z.string().nullable().default(null),
  variant_hash: z.string().nullable().default(null),
  epoch: z.number().int().nonnegative().nullable().default(null),
  input_tokens: z.number().nullable().default(null),
  output_tokens: z.number().nullable().default(null),
  actions: z.number().nullable().default(null),
  duration_s: z.number().nullable().default(null),
  limit: LimitKind.nullable().default(null),
  error: z.string().nullable().default(null),
});
/** One run row (validated). */
export type RunRow = z.infer<typeof RunRow>;
/** One run row as written (defaults not yet applied). */
export type RunRowInput = z.input<typeof RunRow>;

/** Columns every analysis needs. */
export const REQUIRED_RUN_COLUMNS = ["task_id", "task_family", "alias", "score", "human_minutes"] as const;
