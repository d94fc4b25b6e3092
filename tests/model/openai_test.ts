import assert from "node:assert/strict";
import { createModel } from "../../lib/model/registry.ts";
import { createOpenAIModel } from "../../lib/model/openai.ts";
import { type ChatMessage, ModelError } from "../../lib/model/types.ts";
import type { RetryEvent } from "../../lib/model/retry.ts";
import { withLoopbackServer } from "./loopback_server.ts";
import { FAST_RETRY, TOOLS, withSavedEnv } from "./provider_fixtures.ts";

const MESSAGES: ChatMessage[] = [
  { role: "system", content: "You are an agent." },
  { role: "user", content: "List the files." },
  {
    role: "assistant",
    content: "",
    toolCalls: [{ id: "call_1", name: "bash", arguments: { command: "ls" } }],
  },
  { role: "tool", toolCallId: "call_1", name: "bash", content: "a.txt\nb.txt" },
];

function completion(overrides: Record<string, unknown> = {}) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    model: "gpt-4o-2024-08-06",
    choices: [{
      index: 0,
      finish_reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_2",
            type: "function",
            function: { name: "bash", arguments: '{"command":"cat a.txt"}' },
          },
          { id: "call_3", type: "function", function: { name: "bash", arguments: "{'command': broken" } },
        ],
      },
    }],
    usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
    ...overrides,
  };
}

Deno.test("openai: request shape, tool-call parsing, usage and cost", async () => {
  await withLoopbackServer([{ status: 200, body: completion() }], async (server) => {
    const model = createOpenAIModel("gpt-4o", {
      baseUrl: `${server.url}/v1`,
      apiKey: "sk-test",
      retry: FAST_RETRY,
    });
    const result = await model.generate(MESSAGES, TOOLS, { temperature: 0.5, maxTokens: 300 });

    assert.equal(server.requests.length, 1);
    const req = server.requests[0];
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/v1/chat/completions");
    assert.equal(req.headers["authorization"], "Bearer sk-test");
    assert.match(req.headers["content-type"], /application\/json/);
    const body = req.body as Record<string, unknown>;
    assert.equal(body.model, "gpt-4o");
    assert.equal(body.temperature, 0.5);
    assert.equal(body.max_tokens, 300);
    assert.equal(body.n, undefined);
    assert.equal(body.tool_choice, "auto");
    assert.deepEqual(body.tools, [{
      type: "function",
      function: { name: "bash", description: "Run a bash command.", parameters: TOOLS[0].parameters },
    }]);
    assert.deepEqual(body.messages, [
      { role: "system", content: "You are an agent." },
      { role: "user", content: "List the files." },
      {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "call_1",
          type: "function",
          function: { name: "bash", arguments: '{"command":"ls"}' },
        }],
      },
      { role: "tool", tool_call_id: "call_1", content: "a.txt\nb.txt" },
    ]);

    assert.equal(result.choices.length, 1);
    assert.equal(result.choices[0].content, "");
    assert.deepEqual(result.choices[0].toolCalls, [
      { id: "call_2", name: "bash", arguments: { command: "cat a.txt" } },
      { id: "call_3", name: "bash", arguments: "{'command': broken" },
    ]);
    assert.deepEqual(result.usage, { inputTokens: 1000, outputTokens: 200 });
    assert.equal(result.model, "gpt-4o-2024-08-06");
    assert.equal(result.retries, 0);
    // gpt-4o list price 2.50 / 10.00 USD per million tokens
    assert.ok(Math.abs(result.costUsd - (1000 * 2.5 + 200 * 10) / 1e6) < 1e-12);
  });
});

Deno.test("openai: no tools means no tools/tool_choice fields; n is passed and all choices returned", async () => {
  await withLoopbackServer([{
    status: 200,
    body: {
      model: "m",
      choices: [0, 1, 2].map((i) => ({ index: i, message: { role: "assistant", content: `answer ${i}` } })),
      usage: { prompt_tokens: 10, completion_tokens: 30 },
    },
  }], async (server) => {
    const model = createOpenAIModel("m", { baseUrl: server.url, apiKey: "k", retry: FAST_RETRY });
    const result = await model.generate([{ role: "user", content: "hi" }], [], { n: 3 });
    const body = server.requests[0].body as Record<string, unknown>;
    assert.equal(body.n, 3);
    assert.equal("tools" in body, false);
    assert.equal("tool_choice" in body, false);
    assert.deepEqual(result.choices.map((c) => c.content), ["answer 0", "answer 1", "answer 2"]);
    assert.equal(result.costUsd, 0, "a model with no price costs 0");
  });
});

Deno.test("openai: content given as an array of text parts (some compatible servers) is joined", async () => {
  await withLoopbackServer([{
    status: 200,
    body: {
      choices: [{
        message: { role: "assistant", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
      }],
    },
  }], async (server) => {
    const model = createOpenAIModel("m", { baseUrl: server.url, apiKey: "k", retry: FAST_RETRY });
    const result = await model.generate([{ role: "user", content: "hi" }], []);
    assert.equal(result.choices[0].content, "ab");
    assert.deepEqual(result.usage, { inputTokens: 0, outputTokens: 0 }, "a body without usage counts 0");
  });
});

Deno.test("openai: retries 429 (retry-after-ms), 500, truncated JSON and a stall, then succeeds", async () => {
  const events: RetryEvent[] = [];
  await withLoopbackServer([
    { status: 429, body: { error: { message: "slow down" } }, headers: { "retry-after-ms": "150" } },
    { status: 500, body: { error: { message: "boom" } } },
    { raw: '{"id":"chatcmpl-1","choices":[{"index":0,"mess' },
    { stallMs: 3000, then: { status: 200, body: completion() } },
    { status: 200, body: completion() },
  ], async (server) => {
    const model = createOpenAIModel("gpt-4o", {
      baseUrl: server.url,
      apiKey: "k",
      retry: { ...FAST_RETRY, requestTimeoutMs: 200 },
      onRetry: (e) => events.push(e),
    });
    const result = await model.generate(MESSAGES, TOOLS);
    assert.equal(server.requests.length, 5, "five attempts");
    assert.equal(result.retries, 4);
    assert.deepEqual(events.map((e) => e.kind), ["rate_limit", "server", "malformed", "timeout"]);
    assert.deepEqual(events.map((e) => e.fromRetryAfter), [true, false, false, false]);
    assert.deepEqual(
      events.map((e) => e.delayMs),
      [150, 40, 80, 160],
      "Retry-After, then 20·2^(k−1) backoff",
    );
    const gap = (i: number) => server.requests[i + 1].at - server.requests[i].at;
    assert.ok(gap(0) >= 145, `Retry-After honoured: waited ${gap(0)} ms`);
    assert.ok(gap(1) >= 38, `backoff 40 ms: waited ${gap(1)} ms`);
    assert.ok(gap(2) >= 78, `backoff 80 ms: waited ${gap(2)} ms`);
    assert.ok(gap(3) >= 200 + 158, `timeout 200 ms + backoff 160 ms: waited ${gap(3)} ms`);
    assert.deepEqual(result.usage, { inputTokens: 1000, outputTokens: 200 });
  });
});

Deno.test("openai: Retry-After in whole seconds is honoured", async () => {
  await withLoopbackServer([
    { status: 429, body: {}, headers: { "retry-after": "1" } },
    { status: 200, body: completion() },
  ], async (server) => {
    const model = createOpenAIModel("gpt-4o", { baseUrl: server.url, apiKey: "k", retry: FAST_RETRY });
    const result = await model.generate(MESSAGES, TOOLS);
    assert.equal(result.retries, 1);
    const waited = server.requests[1].at - server.requests[0].at;
    assert.ok(waited >= 990, `waited ${waited} ms for Retry-After: 1`);
  });
});

Deno.test("openai: gives up with a typed ModelError after maxRetries", async () => {
  await withLoopbackServer([{ status: 503, body: { error: "unavailable" } }], async (server) => {
    const model = createOpenAIModel("gpt-4o", {
      baseUrl: server.url,
      apiKey: "k",
      retry: { ...FAST_RETRY, maxRetries: 2 },
    });
    const error = await model.generate(MESSAGES, TOOLS).then(() => null, (e) => e);
    assert.ok(error instanceof ModelError, String(error));
    assert.equal(error.kind, "server");
    assert.equal(error.attempts, 3);
    assert.equal(error.status, 503);
    assert.match(error.message, /openai\/gpt-4o: gave up after 3 attempts/);
    assert.equal(server.requests.length, 3);
  });
});

Deno.test("openai: malformed bodies every time end as kind malformed", async () => {
  await withLoopbackServer([{ raw: '{"choices": [' }], async (server) => {
    const model = createOpenAIModel("gpt-4o", {
      baseUrl: server.url,
      apiKey: "k",
      retry: { ...FAST_RETRY, maxRetries: 1 },
    });
    const error = await model.generate(MESSAGES, TOOLS).then(() => null, (e) => e);
    assert.ok(error instanceof ModelError);
    assert.equal(error.kind, "malformed");
    assert.equal(server.requests.length, 2);
  });
});

Deno.test("openai: a JSON body of the wrong shape is malformed too", async () => {
  await withLoopbackServer([{ status: 200, body: { choices: [] } }], async (server) => {
    const model = createOpenAIModel("gpt-4o", {
      baseUrl: server.url,
      apiKey: "k",
      retry: { ...FAST_RETRY, maxRetries: 0 },
    });
    const error = await model.generate(MESSAGES, TOOLS).then(() => null, (e) => e);
    assert.ok(error instanceof ModelError);
    assert.equal(error.kind, "malformed");
    assert.match(error.message, /choices/);
  });
});

Deno.test("openai: 401 and 400 are not retried", async () => {
  for (
    const [status, kind] of [[401, "auth"], [403, "auth"], [400, "bad_request"], [
      404,
      "bad_request",
    ]] as const
  ) {
    await withLoopbackServer([{ status, body: { error: { message: "no" } } }], async (server) => {
      const model = createOpenAIModel("gpt-4o", { baseUrl: server.url, apiKey: "k", retry: FAST_RETRY });
      const error = await model.generate(MESSAGES, TOOLS).then(() => null, (e) => e);
      assert.ok(error instanceof ModelError);
      assert.equal(error.kind, kind);
      assert.equal(error.attempts, 1);
      assert.equal(error.status, status);
      assert.equal(server.requests.length, 1, `${status} must not be retried`);
    });
  }
});

Deno.test("openai: the caller's abort signal stops a stalled request without retrying", async () => {
  await withLoopbackServer([{ stallMs: 5000, then: { status: 200, body: completion() } }], async (server) => {
    const model = createOpenAIModel("gpt-4o", { baseUrl: server.url, apiKey: "k", retry: FAST_RETRY });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled by test")), 100);
    const error = await model.generate(MESSAGES, TOOLS, { signal: controller.signal }).then(
      () => null,
      (e) => e,
    );
    assert.ok(!(error instanceof ModelError));
    assert.equal((error as Error).message, "cancelled by test");
    assert.equal(server.requests.length, 1);
  });
});

Deno.test("openai: createModel reads OPENAI_BASE_URL and OPENAI_API_KEY; presets need no key", async () => {
  await withLoopbackServer(
    [{ status: 200, body: completion() }],
    (server) =>
      withSavedEnv(["OPENAI_BASE_URL", "OPENAI_API_KEY"], async () => {
        Deno.env.set("OPENAI_BASE_URL", `${server.url}/v1`);
        Deno.env.set("OPENAI_API_KEY", "sk-from-env");
        const model = createModel("openai/gpt-4o", { retry: FAST_RETRY });
        assert.equal(model.name, "openai/gpt-4o");
        await model.generate(MESSAGES, TOOLS);
        assert.equal(server.requests[0].headers["authorization"], "Bearer sk-from-env");
        assert.equal(server.requests[0].path, "/v1/chat/completions");

        const local = createModel("vllm/meta-llama/Llama-3.1-8B-Instruct", {
          baseUrl: server.url,
          retry: FAST_RETRY,
        });
        assert.equal(local.name, "vllm/meta-llama/Llama-3.1-8B-Instruct");
        await local.generate(MESSAGES, TOOLS);
        const req = server.requests[1];
        assert.equal((req.body as { model: string }).model, "meta-llama/Llama-3.1-8B-Instruct");
        assert.equal(req.headers["authorization"], undefined, "no key configured, no auth header");
      }),
  );
});
