/**
 * The event log's record types: one zod discriminated union, one JSON object per line. Every line starts
 * with its `type` key, so readers that need only some types can skip the others without parsing them.
 *
 * A log holds one `eval_start` header, then per run attempt: `cell_start`, any number of `model_call`,
 * `action`, `observation` and `note`, then `score` and `cell_end`. A cell (task × variant × model × epoch)
 * may have several attempts (a resumed crash, `--retry-errors`); tables keep the last `cell_end` per cell.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { ErrorSource, LimitKind } from "../core/run_outcome.ts";

/** Version of the log format. */
export const LOG_FORMAT_VERSION = 1;

const base = {
  /** Milliseconds since the epoch. */
  t: z.number(),
  /** Cell id: hash of (task, variant hash, model, epoch). */
  cell: z.string(),
  /** Id of this attempt at the cell (unique per cell_start). */
  run_id: z.string(),
};

/** Variant record in the header. */
export const VariantRecord = z.object({
  name: z.string(),
  scaffold: z.string(),
  args: z.record(z.string(), z.unknown()),
  hash: z.string(),
});

/** Limits of every run of an eval (null = none). */
export const RunLimits = z.object({
  tokens: z.number().int().positive().nullable().default(null),
  actions: z.number().int().positive().nullable().default(null),
  /** Wall seconds of the agent loop (setup and scoring excluded). */
  timeS: z.number().positive().nullable().default(null),
  costUsd: z.number().positive().nullable().default(null),
});
/** Limits of every run (null = none). */
export type RunLimits = z.infer<typeof RunLimits>;

/** Header: what was asked for. Written once when the log is created, again (same id) on each resume. */
export const EvalStartEvent = z.object({
  type: z.literal("eval_start"),
  t: z.number(),
  eval_id: z.string(),
  format_version: z.number().int(),
  toolkit_version: z.string(),
  tasks: z.array(z.string()),
  variants: z.array(VariantRecord),
  models: z.array(z.string()),
  epochs: z.number().int().positive(),
  sandbox: z.string(),
  seed: z.number().int(),
  limits: RunLimits,
  resumed: z.boolean().default(false),
});

/** An attempt at a cell begins. Carries the task metadata the tables need. */
export const CellStartEvent = z.object({
  type: z.literal("cell_start"),
  ...base,
  eval_id: z.string(),
  task_id: z.string(),
  task_family: z.string(),
  /** Null when the task has no human minutes (left out of the analyses that need them). */
  human_minutes: z.number().positive().nullable(),
  human_source: z.string().nullable(),
  /**
   * The task's own success threshold (a score at or above it is a success in `score_binarized`); null or
   * absent (logs before it existed): the tables' default.
   */
  success_threshold: z.number().gt(0).lte(1).nullable().optional(),
  variant: z.string(),
  variant_hash: z.string(),
  scaffold: z.string(),
  args: z.record(z.string(), z.unknown()),
  model: z.string(),
  epoch: z.number().int().nonnegative(),
  seed: z.number().int(),
  attempt: z.number().int().positive(),
});

/** One model call. */
export const ModelCallEvent = z.object({
  type: z.literal("model_call"),
  ...base,
  model: z.string(),
  purpose: z.string(),
  n: z.number().int().positive(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cost_usd: z.number().nonnegative(),
  duration_ms: z.number().nonnegative(),
  retries: z.number().int().nonnegative(),
  /** First choice, truncated. */
  content: z.string(),
  tool_calls: z.array(z.object({ name: z.string(), arguments: z.unknown() })),
});

/** One tool execution begins. */
export const ActionEvent = z.object({
  type: z.literal("action"),
  ...base,
  index: z.number().int().nonnegative(),
  tool: z.string(),
  args: z.unknown(),
});

/** What a tool returned (truncated). */
export const ObservationEvent = z.object({
  type: z.literal("observation"),
  ...base,
  index: z.number().int().nonnegative(),
  tool: z.string(),
  output: z.string(),
  is_error: z.boolean(),
  duration_ms: z.number().nonnegative(),
});

/** A free-form note from a scaffold or the runner. */
export const NoteEvent = z.object({
  type: z.literal("note"),
  ...base,
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** The score of the run's submission. */
export const ScoreEvent = z.object({
  type: z.literal("score"),
  ...base,
  score: z.number().min(0).max(1).nullable(),
  /** The submission (truncated); empty when the agent submitted nothing. */
  submission: z.string(),
  submitted: z.boolean(),
  duration_ms: z.number().nonnegative(),
});

/** Status of a finished attempt. */
export const CellStatus = z.enum(["ok", "limit", "error"]);
/** Status of a finished attempt. */
export type CellStatus = z.infer<typeof CellStatus>;

/** An attempt ends, with its totals. */
export const CellEndEvent = z.object({
  type: z.literal("cell_end"),
  ...base,
  status: CellStatus,
  limit: LimitKind.nullable(),
  error: z.string().nullable(),
  error_source: ErrorSource.nullable(),
  score: z.number().min(0).max(1).nullable(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cost_usd: z.number().nonnegative(),
  actions: z.number().int().nonnegative(),
  model_calls: z.number().int().nonnegative(),
  /** Wall seconds of the whole attempt (sandbox start to destroy). */
  duration_s: z.number().nonnegative(),
  /** Wall seconds of the agent loop alone. */
  agent_s: z.number().nonnegative(),
  started_at: z.number(),
  completed_at: z.number(),
  /** The Docker engine of the pool the attempt ran on (`--engines`); absent or null without a pool. */
  engine: z.string().nullable().optional(),
});

/** Any event of a log. */
export const LogEvent = z.discriminatedUnion("type", [
  EvalStartEvent,
  CellStartEvent,
  ModelCallEvent,
  ActionEvent,
  ObservationEvent,
  NoteEvent,
  ScoreEvent,
  CellEndEvent,
]);
/** Any event of a log. */
export type LogEvent = z.infer<typeof LogEvent>;
/** Header event. */
export type EvalStartEvent = z.infer<typeof EvalStartEvent>;
/** Start of an attempt. */
export type CellStartEvent = z.infer<typeof CellStartEvent>;
/** One model call. */
export type ModelCallEvent = z.infer<typeof ModelCallEvent>;
/** One action. */
export type ActionEvent = z.infer<typeof ActionEvent>;
/** One observation. */
export type ObservationEvent = z.infer<typeof ObservationEvent>;
/** A note. */
export type NoteEvent = z.infer<typeof NoteEvent>;
/** A score. */
export type ScoreEvent = z.infer<typeof ScoreEvent>;
/** End of an attempt. */
export type CellEndEvent = z.infer<typeof CellEndEvent>;
/** Event types. */
export type LogEventType = LogEvent["type"];
