/**
 * Reduce log events to run rows: one row per cell (the LAST finished attempt of each cell, so resumed and
 * retried evals never duplicate a run), in the tidy {@link RunRow} schema with METR's column names plus the
 * toolkit's columns. Pure: events in, rows out.
 *
 * @module
 */
import type { RunRow } from "./schema.ts";
import { runSuccessThreshold } from "../core/run_outcome.ts";
import type { CellEndEvent, CellStartEvent, EvalStartEvent, LogEvent } from "../run/events.ts";

/** A run row of this toolkit's logs: {@link RunRow} plus log bookkeeping columns. */
export interface LogRunRow extends RunRow {
  /**
   * Id of the eval that produced the run: a hash of its grid (tasks, variant hashes, models, epochs, seed).
   */
  eval_id: string;
  /** Id of the cell: a hash of (task, variant hash, model, epoch); unique per row. */
  cell_id: string;
  /** Scaffold of the variant (e.g. `chat`, `basic`), as recorded in `cell_start`. */
  scaffold: string;
  /**
   * How the last attempt ended: `ok` (ended normally), `limit` (a run limit stopped it; see `limit`) or
   * `error` (see `error` and `fatal_error_from`).
   */
  status: "ok" | "limit" | "error";
  /** Attempts the cell took (2+ after a resumed crash or a retried error). */
  attempts: number;
  /** 31-bit seed of the cell, derived from the eval seed and the cell id. */
  seed: number;
  /**
   * The Docker engine of the last attempt, by its pool name (`eval --engines`, docs/scale.md); null when the
   * run did not go through an engine pool.
   */
  engine: string | null;
}

/** Options of {@link RunAccumulator}. */
export interface RunRowOptions {
  /**
   * A score at or above this counts as success in `score_binarized`, for every task. Default: each task's
   * own threshold (`success_threshold` in its `cell_start`, from `TaskMetadata.successThreshold`), else 0.5.
   */
  successThreshold?: number;
}

/** The agent label of a run: model and variant, e.g. `simulated/30 · chat`. */
export function runAlias(model: string, variant: string): string {
  return `${model} · ${variant}`;
}

/**
 * The alias of a run: {@link runAlias} of model and variant, except a person's baseline (model and scaffold
 * `human`, lib/baseline/record.ts), whose alias is the baseliner's pseudonym (`args.baseliner`).
 */
export function startAlias(s: CellStartEvent): string {
  if (s.model === "human" && s.scaffold === "human" && typeof s.args.baseliner === "string") {
    return s.args.baseliner;
  }
  return runAlias(s.model, s.variant);
}

/** Collects `eval_start`, `cell_start` and `cell_end` events and emits run rows. */
export class RunAccumulator {
  readonly #starts = new Map<string, CellStartEvent>();
  readonly #attempts = new Map<string, number>();
  readonly #ends = new Map<string, CellEndEvent>();
  readonly #timeLimits = new Map<string, number | null>();
  readonly #threshold: number | undefined;

  /**
   * An empty accumulator. `score_binarized` is `score >= threshold` with `options.successThreshold` when
   * given (for every task), else the task's own threshold recorded in its `cell_start`, else 0.5.
   */
  constructor(options: RunRowOptions = {}) {
    this.#threshold = options.successThreshold;
  }

  /** Event types this accumulator needs (others can be skipped unparsed). */
  static readonly TYPES = ["eval_start", "cell_start", "cell_end"] as const;

  /** Feed one event (any type; irrelevant ones are ignored). */
  add(event: LogEvent): void {
    if (event.type === "cell_start") {
      this.#starts.set(event.run_id, event);
      const key = `${event.eval_id}\u0000${event.cell}`;
      this.#attempts.set(key, (this.#attempts.get(key) ?? 0) + 1);
    } else if (event.type === "cell_end") {
      const start = this.#starts.get(event.run_id);
      if (!start) return; // an end without its start (a corrupt start line): nothing to describe it with
      const key = `${start.eval_id}\u0000${event.cell}`;
      this.#ends.delete(key); // re-insert so map order follows the latest end
      this.#ends.set(key, event);
    } else if (event.type === "eval_start") {
      this.#timeLimits.set(event.eval_id, (event as EvalStartEvent).limits.timeS);
    }
  }

  /**
   * The same runs as {@link rows}, column by column (keys = {@link LogRunRow} fields). Faster than building
   * row objects first when the destination is a columnar table.
   */
  columns(): Record<keyof LogRunRow, unknown[]> {
    const n = this.#ends.size;
    const col = () => new Array<unknown>(n);
    const c = {
      run_id: col(),
      task_id: col(),
      task_family: col(),
      alias: col(),
      model: col(),
      score: col(),
      score_binarized: col(),
      human_minutes: col(),
      human_source: col(),
      equal_task_weight: col(),
      invsqrt_task_weight: col(),
      started_at: col(),
      completed_at: col(),
      time_limit: col(),
      total_tokens: col(),
      dollar_equivalent: col(),
      fatal_error_from: col(),
      human_score: col(),
      variant: col(),
      variant_hash: col(),
      epoch: col(),
      input_tokens: col(),
      output_tokens: col(),
      actions: col(),
      duration_s: col(),
      limit: col(),
      error: col(),
      eval_id: col(),
      cell_id: col(),
      scaffold: col(),
      status: col(),
      attempts: col(),
      seed: col(),
      engine: col(),
    } satisfies Record<keyof LogRunRow, unknown[]>;
    let i = 0;
    for (const [key, end] of this.#ends) {
      const s = this.#starts.get(end.run_id)!;
      const score = end.score;
      c.run_id[i] = end.run_id;
      c.task_id[i] = s.task_id;
      c.task_family[i] = s.task_family;
      c.alias[i] = startAlias(s);
      c.model[i] = s.model;
      c.score[i] = score;
      c.score_binarized[i] = binarize(score, runSuccessThreshold(this.#threshold, s.success_threshold));
      c.human_minutes[i] = s.human_minutes;
      c.human_source[i] = s.human_source;
      c.equal_task_weight[i] = null;
      c.invsqrt_task_weight[i] = null;
      c.started_at[i] = end.started_at;
      c.completed_at[i] = end.completed_at;
      c.time_limit[i] = this.#timeLimits.get(s.eval_id) ?? null;
      c.total_tokens[i] = end.input_tokens + end.output_tokens;
      c.dollar_equivalent[i] = end.cost_usd;
      c.fatal_error_from[i] = end.error_source;
      c.human_score[i] = null;
      c.variant[i] = s.variant;
      c.variant_hash[i] = s.variant_hash;
      c.epoch[i] = s.epoch;
      c.input_tokens[i] = end.input_tokens;
      c.output_tokens[i] = end.output_tokens;
      c.actions[i] = end.actions;
      c.duration_s[i] = end.duration_s;
      c.limit[i] = end.limit;
      c.error[i] = end.error;
      c.eval_id[i] = s.eval_id;
      c.cell_id[i] = end.cell;
      c.scaffold[i] = s.scaffold;
      c.status[i] = end.status;
      c.attempts[i] = this.#attempts.get(key) ?? 1;
      c.seed[i] = s.seed;
      c.engine[i] = end.engine ?? null;
      i++;
    }
    return c;
  }

  /** The run rows, one per cell, in order of their last `cell_end`. */
  rows(): LogRunRow[] {
    const rows: LogRunRow[] = [];
    for (const [key, end] of this.#ends) {
      const s = this.#starts.get(end.run_id)!;
      const score = end.score;
      rows.push({
        run_id: end.run_id,
        task_id: s.task_id,
        task_family: s.task_family,
        alias: startAlias(s),
        model: s.model,
        score,
        score_binarized: binarize(score, runSuccessThreshold(this.#threshold, s.success_threshold)),
        human_minutes: s.human_minutes,
        human_source: s.human_source,
        equal_task_weight: null,
        invsqrt_task_weight: null,
        started_at: end.started_at,
        completed_at: end.completed_at,
        time_limit: this.#timeLimits.get(s.eval_id) ?? null,
        total_tokens: end.input_tokens + end.output_tokens,
        dollar_equivalent: end.cost_usd,
        fatal_error_from: end.error_source,
        human_score: null,
        variant: s.variant,
        variant_hash: s.variant_hash,
        epoch: s.epoch,
        input_tokens: end.input_tokens,
        output_tokens: end.output_tokens,
        actions: end.actions,
        duration_s: end.duration_s,
        limit: end.limit,
        error: end.error,
        eval_id: s.eval_id,
        cell_id: end.cell,
        scaffold: s.scaffold,
        status: end.status,
        attempts: this.#attempts.get(key) ?? 1,
        seed: s.seed,
        engine: end.engine ?? null,
      });
    }
    return rows;
  }
}

/** Reduce a list of events to run rows. */
export function runRowsFromEvents(events: Iterable<LogEvent>, options: RunRowOptions = {}): LogRunRow[] {
  const acc = new RunAccumulator(options);
  for (const e of events) acc.add(e);
  return acc.rows();
}

function binarize(score: number | null, threshold: number): 0 | 1 | null {
  return score === null ? null : score >= threshold ? 1 : 0;
}
