/**
 * Per-run usage accounting and limit checks: tokens (input + output), actions (tool executions, `submit`
 * excluded), wall time of the agent loop, and cost in USD. Checks run before and after every model call and
 * action; the first limit reached ends the run with `limit: <kind>`.
 *
 * @module
 */
import type { LimitKind } from "../core/run_outcome.ts";
import { LimitExceededError, type RunUsage } from "../agent/types.ts";
import type { RunLimits } from "./events.ts";

/** Tracks one run's usage against its limits. */
export class LimitTracker {
  /** The run's limits (null = none): tokens, actions, wall seconds of the agent loop, and US dollars. */
  readonly limits: RunLimits;
  readonly #startedAt: number;
  readonly #now: () => number;
  /** Input (prompt) tokens used so far. */
  inputTokens = 0;
  /** Output (completion) tokens used so far. */
  outputTokens = 0;
  /** Cost so far, in US dollars. */
  costUsd = 0;
  /** Actions (tool executions, `submit` excluded) taken so far; the caller increments it. */
  actions = 0;
  /** Model calls made so far. */
  modelCalls = 0;

  /** Starts the clock now. `now` is a millisecond clock (default `performance.now`), replaceable in tests. */
  constructor(limits: RunLimits, now: () => number = () => performance.now()) {
    this.limits = limits;
    this.#now = now;
    this.#startedAt = now();
  }

  /** Seconds since the run's agent loop started. */
  elapsedS(): number {
    return (this.#now() - this.#startedAt) / 1000;
  }

  /** Milliseconds left before the time limit (Infinity without one). */
  remainingMs(): number {
    return this.limits.timeS === null ? Infinity : this.limits.timeS * 1000 - (this.#now() - this.#startedAt);
  }

  /** The first limit reached, or null. `nextAction` also counts the action about to run. */
  exceeded(nextAction = false): { kind: LimitKind; detail: string } | null {
    const l = this.limits;
    const tokens = this.inputTokens + this.outputTokens;
    if (l.tokens !== null && tokens >= l.tokens) {
      return { kind: "tokens", detail: `${tokens} >= ${l.tokens} tokens` };
    }
    if (l.costUsd !== null && this.costUsd >= l.costUsd) {
      return { kind: "cost", detail: `$${this.costUsd.toFixed(4)} >= $${l.costUsd}` };
    }
    if (l.timeS !== null && this.elapsedS() >= l.timeS) {
      return { kind: "time", detail: `${this.elapsedS().toFixed(1)} s >= ${l.timeS} s` };
    }
    if (nextAction && l.actions !== null && this.actions >= l.actions) {
      return { kind: "actions", detail: `${this.actions} actions already taken, limit ${l.actions}` };
    }
    return null;
  }

  /** Throw {@link LimitExceededError} if a limit is reached. */
  check(nextAction = false): void {
    const hit = this.exceeded(nextAction);
    if (hit) throw new LimitExceededError(hit.kind, hit.detail);
  }

  /** Add one model call's usage. */
  addCall(inputTokens: number, outputTokens: number, costUsd: number): void {
    this.inputTokens += inputTokens;
    this.outputTokens += outputTokens;
    this.costUsd += costUsd;
    this.modelCalls++;
  }

  /** Snapshot of the counters. */
  usage(): RunUsage {
    return {
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      costUsd: this.costUsd,
      actions: this.actions,
      modelCalls: this.modelCalls,
      elapsedS: this.elapsedS(),
    };
  }
}
