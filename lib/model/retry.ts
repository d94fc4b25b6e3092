/**
 * The shared retry policy of every HTTP provider: exponential backoff with seeded jitter, honouring
 * `Retry-After` / `retry-after-ms`, retrying rate limits (429), server errors (5xx, 408), network errors,
 * per-request timeouts and malformed bodies, and never retrying auth (401/403) or bad requests
 * (400/404/422, …). When retries run out the call ends with a typed {@link ModelError}.
 *
 * All delays are configurable so tests run in milliseconds.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { ModelError, type ModelErrorKind } from "./types.ts";
import { seededUniform } from "./random.ts";

/** Retry and timeout settings of one provider. Every field has a documented default. */
export const RetryPolicy = z.object({
  /** Retries after the first attempt (so at most `maxRetries + 1` attempts). Default 5. */
  maxRetries: z.number().int().nonnegative().default(5),
  /** Backoff before retry `k` (1-based) is `baseDelayMs · 2^(k−1)`, capped at `maxDelayMs`. Default 1000. */
  baseDelayMs: z.number().nonnegative().default(1000),
  /** Cap on one computed backoff delay. Default 60 000. */
  maxDelayMs: z.number().nonnegative().default(60_000),
  /** Fraction of each backoff delay that is random: delay · (1 − jitter · u), u ~ U[0,1). Default 0.5. */
  jitter: z.number().min(0).max(1).default(0.5),
  /** Seed of the jitter stream (deterministic delays for a given seed). Default 0. */
  seed: z.number().int().default(0),
  /** Time limit of one HTTP request including reading its body (AbortSignal.timeout). Default 300 000. */
  requestTimeoutMs: z.number().positive().default(300_000),
  /** Cap on a server-requested Retry-After wait. Default 120 000. */
  maxRetryAfterMs: z.number().nonnegative().default(120_000),
});
/** Retry and timeout settings (all defaults applied). */
export type RetryPolicy = z.infer<typeof RetryPolicy>;
/** Retry and timeout settings as a user writes them (every field optional). */
export type RetryPolicyInput = z.input<typeof RetryPolicy>;

/** One failed attempt, classified. Thrown by an attempt function inside {@link withRetries}. */
export class AttemptFailure extends Error {
  /** A failure of `kind` (decides whether it is retried), with its message. */
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    /** HTTP status, when there was a response. */
    readonly status?: number,
    /** Server-requested wait before the next attempt, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "AttemptFailure";
  }

  /** Whether this kind of failure is worth another attempt. */
  get retryable(): boolean {
    return isRetryableKind(this.kind);
  }
}

/** Rate limits, server errors, timeouts, malformed bodies and network errors are retried; auth and bad requests are not. */
export function isRetryableKind(kind: ModelErrorKind): boolean {
  return kind !== "auth" && kind !== "bad_request";
}

/** Map an HTTP error status to an error kind. */
export function kindOfStatus(status: number): ModelErrorKind {
  if (status === 429) return "rate_limit";
  if (status === 401 || status === 403) return "auth";
  if (status === 408) return "timeout";
  if (status >= 500) return "server";
  return "bad_request";
}

/**
 * The server's requested wait in ms, from `retry-after-ms` (OpenAI), or `Retry-After` as seconds
 * (decimals accepted) or as an HTTP date. Undefined when absent or unparsable.
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

/** Backoff before retry number `retry` (1-based), given a uniform draw `u` in [0,1). */
export function backoffDelayMs(retry: number, policy: RetryPolicy, u: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return exponential * (1 - policy.jitter * u);
}

/** Information passed to {@link RetryOptions.onRetry} before each wait. */
export interface RetryEvent {
  /** The attempt that failed (1-based). */
  attempt: number;
  /** Kind of the failure (`rate_limit`, `server`, `timeout`, …). */
  kind: ModelErrorKind;
  /** HTTP status, when there was a response. */
  status?: number;
  /** What went wrong (status and body excerpt, or the network error). */
  message: string;
  /** How long the loop waits before the next attempt. */
  delayMs: number;
  /** True when the delay came from the server's Retry-After. */
  fromRetryAfter: boolean;
}

/** Options of {@link withRetries}. */
export interface RetryOptions {
  /** Provider label used in error messages, e.g. `openai/gpt-4o`. */
  label: string;
  /** Aborts waiting and the attempt in flight (the abort reason is rethrown, not wrapped). */
  signal?: AbortSignal;
  /** Called before each wait (for logs and progress). */
  onRetry?: (event: RetryEvent) => void;
}

/** The value of a successful call and the retries it took. */
export interface Retried<T> {
  /** The attempt's result. */
  value: T;
  /** Retries it took (0 when the first attempt succeeded). */
  retries: number;
}

/**
 * Run `attempt` until it succeeds, a non-retryable {@link AttemptFailure} occurs, or retries run out;
 * then throw a {@link ModelError} of the last failure's kind. Errors that are not AttemptFailures
 * (including an abort of `options.signal`) propagate unchanged.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policyInput: RetryPolicyInput | RetryPolicy,
  options: RetryOptions,
): Promise<Retried<T>> {
  const policy = RetryPolicy.parse(policyInput);
  const uniform = seededUniform("retry", policy.seed, options.label);
  for (let attemptNumber = 1;; attemptNumber++) {
    options.signal?.throwIfAborted();
    try {
      const value = await attempt(attemptNumber);
      return { value, retries: attemptNumber - 1 };
    } catch (error) {
      if (!(error instanceof AttemptFailure)) throw error;
      const statusText = error.status === undefined ? "" : ` (HTTP ${error.status})`;
      if (!error.retryable) {
        throw new ModelError(
          error.kind,
          `${options.label}: ${error.kind}${statusText}, not retried: ${error.message}`,
          attemptNumber,
          error.status,
        );
      }
      if (attemptNumber > policy.maxRetries) {
        throw new ModelError(
          error.kind,
          `${options.label}: gave up after ${attemptNumber} attempts; last error ${error.kind}${statusText}: ${error.message}`,
          attemptNumber,
          error.status,
        );
      }
      const fromRetryAfter = error.retryAfterMs !== undefined;
      const delayMs = fromRetryAfter
        ? Math.min(error.retryAfterMs!, policy.maxRetryAfterMs)
        : backoffDelayMs(attemptNumber, policy, uniform());
      options.onRetry?.({
        attempt: attemptNumber,
        kind: error.kind,
        status: error.status,
        message: error.message,
        delayMs,
        fromRetryAfter,
      });
      await sleep(delayMs, options.signal);
    }
  }
}

/** Wait `ms`, rejecting early with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
