/**
 * Tolerant zod schemas of the parts of Inspect's evaluation logs the importer reads (every log format
 * version: 1, 2, 3). Every record is a loose object (unknown fields are kept, most fields optional), so a
 * newer Inspect that adds fields still loads; only the shapes the mapping relies on are checked. Messages
 * are left unchecked here and read one by one in the transcript mapping, so a row costs no message parsing.
 *
 * Also the importer's options ({@link InspectImportOptions}, strict: an unknown key is an error).
 *
 * @module
 */
import { z } from "../../deps/zod.ts";

const num = z.number().nullable().optional();

/** Token usage of one model (`model_usage` values). */
export const InspectModelUsage = z.looseObject({
  input_tokens: num,
  output_tokens: num,
  total_tokens: num,
});
/** Token usage of one model. */
export type InspectModelUsage = z.infer<typeof InspectModelUsage>;

/** A scorer's verdict on one sample: `value` is a string, number, boolean, list or dict. */
export const InspectScore = z.looseObject({
  value: z.unknown(),
  answer: z.string().nullable().optional(),
  explanation: z.string().nullable().optional(),
});
/** A scorer's verdict on one sample. */
export type InspectScore = z.infer<typeof InspectScore>;

/** An error: `{message, traceback}` in samples and headers, a plain string in sample summaries. */
export const InspectError = z.union([
  z.looseObject({ message: z.string().nullable().optional() }),
  z.string(),
]);
/** An error record. */
export type InspectError = z.infer<typeof InspectError>;

/** A limit hit: `{type, limit}` in samples, the type alone in sample summaries. */
export const InspectLimit = z.union([
  z.looseObject({ type: z.string(), limit: z.number().nullable().optional() }),
  z.string(),
]);
/** A limit hit. */
export type InspectLimit = z.infer<typeof InspectLimit>;

/** The evaluation's spec (`eval`): task, model, solver, config. */
export const InspectEvalSpec = z.looseObject({
  eval_id: z.string().optional(),
  run_id: z.string().optional(),
  created: z.string().optional(),
  task: z.string(),
  task_id: z.string().optional(),
  model: z.string(),
  solver: z.string().nullable().optional(),
  solver_args: z.record(z.string(), z.unknown()).nullable().optional(),
  config: z.looseObject({
    epochs: z.number().nullable().optional(),
    time_limit: num,
    working_limit: num,
    message_limit: num,
    token_limit: num,
  }).optional(),
  scorers: z.array(z.looseObject({ name: z.string() })).nullable().optional(),
});
/** The evaluation's spec. */
export type InspectEvalSpec = z.infer<typeof InspectEvalSpec>;

/** The solver plan: its steps' names and parameters. */
export const InspectPlan = z.looseObject({
  name: z.string().optional(),
  steps: z.array(z.looseObject({ solver: z.string(), params: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
});
/** The solver plan. */
export type InspectPlan = z.infer<typeof InspectPlan>;

/** A log's header: everything but the samples (`header.json`, or the top of a `.json` log). */
export const InspectHeader = z.looseObject({
  version: z.number().int().optional(),
  status: z.string().optional(),
  eval: InspectEvalSpec,
  plan: InspectPlan.nullable().optional(),
  error: InspectError.nullable().optional(),
});
/** A log's header. */
export type InspectHeader = z.infer<typeof InspectHeader>;

/** One sample × epoch (`samples/<id>_epoch_<n>.json`, an element of a `.json` log's `samples`, or a summary). */
export const InspectSample = z.looseObject({
  id: z.union([z.string(), z.number()]),
  epoch: z.number().int().nonnegative().default(1),
  scores: z.record(z.string(), InspectScore).nullable().optional(),
  /** Format version 1: one score instead of `scores`. */
  score: InspectScore.nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  model_usage: z.record(z.string(), InspectModelUsage).nullable().optional(),
  total_time: num,
  working_time: num,
  started_at: z.string().nullable().optional(),
  completed_at: z.string().nullable().optional(),
  limit: InspectLimit.nullable().optional(),
  error: InspectError.nullable().optional(),
  messages: z.array(z.unknown()).optional(),
  attachments: z.record(z.string(), z.string()).nullable().optional(),
});
/** One sample × epoch. */
export type InspectSample = z.infer<typeof InspectSample>;

/** One chat message (system, user, assistant or tool), read when a transcript is asked for. */
export const InspectMessage = z.looseObject({
  id: z.string().nullable().optional(),
  role: z.string(),
  content: z.unknown(),
  source: z.string().nullable().optional(),
  tool_calls: z.array(z.looseObject({
    id: z.string().optional(),
    function: z.string(),
    arguments: z.unknown(),
  })).nullable().optional(),
  tool_call_id: z.string().nullable().optional(),
  function: z.string().nullable().optional(),
  error: z.looseObject({ type: z.string().optional(), message: z.string().optional() }).nullable().optional(),
  model: z.string().nullable().optional(),
});
/** One chat message. */
export type InspectMessage = z.infer<typeof InspectMessage>;

/** Options of `readInspectRuns` (strict: an unknown key is an error naming it). */
export const InspectImportOptions = z.strictObject({
  /** The scorer whose score is the run's score (default: the log's first scorer). */
  scorer: z.string().min(1).optional(),
  /** The key to read from a dict-valued score (required when the chosen scorer's values are dicts). */
  scoreKey: z.string().min(1).optional(),
  /** The sample-metadata key that holds human minutes (a positive number); default `human_minutes` when present. */
  minutesKey: z.string().min(1).optional(),
  /** A task-times table (CSV/JSON: task → human minutes, source) laid over the runs. */
  taskMeta: z.string().min(1).optional(),
  /** A score at or above this counts as success in `score_binarized` (default 0.5). */
  successThreshold: z.number().min(0).max(1).optional(),
});
/** Options of `readInspectRuns`. */
export type InspectImportOptions = z.infer<typeof InspectImportOptions>;
