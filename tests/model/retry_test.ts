import assert from "node:assert/strict";
import {
  AttemptFailure,
  backoffDelayMs,
  kindOfStatus,
  parseRetryAfter,
  RetryPolicy,
  withRetries,
} from "../../lib/model/retry.ts";
import { ModelError } from "../../lib/model/types.ts";

Deno.test("retry: Retry-After as ms, seconds, decimals and HTTP date", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter(new Headers({ "retry-after-ms": "250" }), now), 250);
  assert.equal(parseRetryAfter(new Headers({ "retry-after": "3" }), now), 3000);
  assert.equal(parseRetryAfter(new Headers({ "retry-after": "0.5" }), now), 500);
  assert.equal(parseRetryAfter(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:07 GMT" }), now), 7000);
  assert.equal(parseRetryAfter(new Headers({ "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }), now), 0);
  assert.equal(parseRetryAfter(new Headers({ "retry-after": "soon" }), now), undefined);
  assert.equal(parseRetryAfter(new Headers(), now), undefined);
});

Deno.test("retry: status classification", () => {
  assert.deepEqual([429, 401, 403, 408, 500, 502, 529, 400, 404, 422].map(kindOfStatus), [
    "rate_limit",
    "auth",
    "auth",
    "timeout",
    "server",
    "server",
    "server",
    "bad_request",
    "bad_request",
    "bad_request",
  ]);
});

Deno.test("retry: exponential backoff with bounded jitter and a cap", () => {
  const policy = RetryPolicy.parse({ baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 });
  assert.deepEqual([1, 2, 3, 4, 5].map((k) => backoffDelayMs(k, policy, 0)), [100, 200, 400, 800, 1000]);
  assert.equal(backoffDelayMs(3, policy, 0.999999), 400 * (1 - 0.5 * 0.999999));
});

Deno.test("retry: jittered delays are deterministic for a seed and differ across seeds", async () => {
  const delays = async (seed: number) => {
    const seen: number[] = [];
    await withRetries(() => Promise.reject(new AttemptFailure("server", "x", 500)), {
      maxRetries: 4,
      baseDelayMs: 1,
      jitter: 1,
      seed,
    }, { label: "t", onRetry: (e) => seen.push(e.delayMs) }).catch(() => {});
    return seen;
  };
  const a = await delays(1), b = await delays(1), c = await delays(2);
  assert.equal(a.length, 4);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  a.forEach((d, i) => assert.ok(d >= 0 && d <= 2 ** i, `delay ${d} within [0, ${2 ** i}]`));
});

Deno.test("retry: counts attempts, stops on non-retryable kinds, passes foreign errors through", async () => {
  let calls = 0;
  const ok = await withRetries(
    () => {
      calls++;
      return calls < 3 ? Promise.reject(new AttemptFailure("network", "reset")) : Promise.resolve("done");
    },
    { baseDelayMs: 0 },
    { label: "t" },
  );
  assert.deepEqual(ok, { value: "done", retries: 2 });

  calls = 0;
  const auth = await withRetries(
    () => {
      calls++;
      return Promise.reject(new AttemptFailure("auth", "bad key", 401));
    },
    { baseDelayMs: 0 },
    { label: "t" },
  ).catch((e) => e);
  assert.ok(auth instanceof ModelError && auth.kind === "auth" && auth.attempts === 1 && calls === 1);

  const foreign = await withRetries(() => Promise.reject(new TypeError("bug")), {}, { label: "t" }).catch((
    e,
  ) => e);
  assert.ok(foreign instanceof TypeError);
});

Deno.test("retry: the server's Retry-After is capped by maxRetryAfterMs", async () => {
  const seen: number[] = [];
  await withRetries(() => Promise.reject(new AttemptFailure("rate_limit", "x", 429, 3_600_000)), {
    maxRetries: 1,
    maxRetryAfterMs: 5,
  }, { label: "t", onRetry: (e) => seen.push(e.delayMs) }).catch(() => {});
  assert.deepEqual(seen, [5]);
});
