import assert from "node:assert/strict";
import { createModel } from "../../lib/model/registry.ts";
import {
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  ANTHROPIC_VERSION,
  createAnthropicModel,
} from "../../lib/model/anthropic.ts";
import { type ChatMessage, ModelError } from "../../lib/model/types.ts";
import { ModelConfigError } from "../../lib/model/provider.ts";
import { withLoopbackServer } from "./loopback_server.ts";
import { FAST_RETRY, TOOLS, withSavedEnv } from "./provider_fixtures.ts";

const MESSAGES: ChatMessage[] = [
  { role: "system", content: "You are an agent." },
  { role: "user", content: "List the files." },
  {
    role: "assistant",
    content: "Listing.",
    toolCalls: [
      { id: "toolu_1", name: "bash", arguments: { command: "ls" } },
      { id: "toolu_2", name: "bash", arguments: { command: "pwd" } },
    ],
  },
  { role: "tool", toolCallId: "toolu_1", name: "bash", content: "a.txt" },
  { role: "tool", toolCallId: "toolu_2", name: "bash", content: "/home/agent" },
  { role: "user", content: "Go on." },
];

const reply = {
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-20250514",
  stop_reason: "tool_use",
  content: [
    { type: "text", text: "Reading the file. " },
    { type: "text", text: "Then done." },
    { type: "tool_use", id: "toolu_3", name: "bash", input: { command: "cat a.txt" } },
  ],
  usage: { input_tokens: 2000, output_tokens: 100 },
};

Deno.test("anthropic: request shape (headers, system, content blocks, tools), parsing, usage and cost", async () => {
  await withLoopbackServer([{ status: 200, body: reply }], async (server) => {
    const model = createAnthropicModel("claude-sonnet-4-20250514", {
      baseUrl: server.url,
      apiKey: "ak-test",
      retry: FAST_RETRY,
    });
    assert.equal(model.name, "anthropic/claude-sonnet-4-20250514");
    const result = await model.generate(MESSAGES, TOOLS, { temperature: 0 });
    const req = server.requests[0];
    assert.equal(req.path, "/v1/messages");
    assert.equal(req.headers["x-api-key"], "ak-test");
    assert.equal(req.headers["anthropic-version"], ANTHROPIC_VERSION);
    assert.equal(req.headers["authorization"], undefined);
    const body = req.body as Record<string, unknown>;
    assert.equal(body.model, "claude-sonnet-4-20250514");
    assert.equal(
      body.max_tokens,
      ANTHROPIC_DEFAULT_MAX_TOKENS,
      "max_tokens is required, so a default is sent",
    );
    assert.equal(body.temperature, 0);
    assert.equal(body.system, "You are an agent.");
    assert.deepEqual(body.tool_choice, { type: "auto" });
    assert.deepEqual(body.tools, [{
      name: "bash",
      description: "Run a bash command.",
      input_schema: TOOLS[0].parameters,
    }]);
    assert.deepEqual(body.messages, [
      { role: "user", content: [{ type: "text", text: "List the files." }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Listing." },
          { type: "tool_use", id: "toolu_1", name: "bash", input: { command: "ls" } },
          { type: "tool_use", id: "toolu_2", name: "bash", input: { command: "pwd" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "a.txt" },
          { type: "tool_result", tool_use_id: "toolu_2", content: "/home/agent" },
          { type: "text", text: "Go on." },
        ],
      },
    ]);

    assert.deepEqual(result.choices, [{
      content: "Reading the file. Then done.",
      toolCalls: [{ id: "toolu_3", name: "bash", arguments: { command: "cat a.txt" } }],
    }]);
    assert.deepEqual(result.usage, { inputTokens: 2000, outputTokens: 100 });
    // claude-sonnet-4 list price 3 / 15 USD per million tokens
    assert.ok(Math.abs(result.costUsd - (2000 * 3 + 100 * 15) / 1e6) < 1e-12);
  });
});

Deno.test("anthropic: n > 1 is emulated by repeated calls; usage and retries add up", async () => {
  await withLoopbackServer([
    { status: 200, body: reply },
    { status: 529, body: { type: "error", error: { type: "overloaded_error" } } },
    { status: 200, body: { ...reply, content: [{ type: "text", text: "second" }] } },
  ], async (server) => {
    const model = createAnthropicModel("claude-sonnet-4-20250514", {
      baseUrl: server.url,
      apiKey: "k",
      retry: FAST_RETRY,
    });
    const result = await model.generate(MESSAGES, TOOLS, { n: 2, maxTokens: 64 });
    assert.equal(server.requests.length, 3);
    assert.equal((server.requests[0].body as { max_tokens: number }).max_tokens, 64);
    assert.equal(result.choices.length, 2);
    assert.equal(result.choices[1].content, "second");
    assert.deepEqual(result.usage, { inputTokens: 4000, outputTokens: 200 });
    assert.equal(result.retries, 1);
  });
});

Deno.test("anthropic: 429 with an HTTP-date Retry-After, truncated JSON and a stall are retried", async () => {
  await withLoopbackServer([
    // HTTP dates have 1 s resolution: ask for a wait that ends 2 s from now and check at least ~1 s passed.
    { status: 429, body: {}, headers: { "retry-after": new Date(Date.now() + 2000).toUTCString() } },
    { raw: '{"content":[{"type":"text","te' },
    { stallMs: 3000, then: { status: 200, body: reply } },
    { status: 200, body: reply },
  ], async (server) => {
    const model = createAnthropicModel("claude-sonnet-4-20250514", {
      baseUrl: server.url,
      apiKey: "k",
      retry: { ...FAST_RETRY, requestTimeoutMs: 200 },
    });
    const result = await model.generate(MESSAGES, TOOLS);
    assert.equal(server.requests.length, 4);
    assert.equal(result.retries, 3);
    const waited = server.requests[1].at - server.requests[0].at;
    assert.ok(waited >= 990, `HTTP-date Retry-After honoured: waited ${waited} ms`);
  });
});

Deno.test("anthropic: exhausting retries on 429 ends with ModelError rate_limit; 401 is auth at once", async () => {
  await withLoopbackServer(
    [{ status: 429, body: {}, headers: { "retry-after-ms": "10" } }],
    async (server) => {
      const model = createAnthropicModel("claude-3-5-haiku-latest", {
        baseUrl: server.url,
        apiKey: "k",
        retry: { ...FAST_RETRY, maxRetries: 3 },
      });
      const error = await model.generate(MESSAGES, TOOLS).then(() => null, (e) => e);
      assert.ok(error instanceof ModelError);
      assert.equal(error.kind, "rate_limit");
      assert.equal(error.attempts, 4);
      assert.equal(server.requests.length, 4);
    },
  );
  await withLoopbackServer([{
    status: 401,
    body: { error: { type: "authentication_error" } },
  }], async (auth) => {
    const model = createAnthropicModel("claude-3-5-haiku-latest", {
      baseUrl: auth.url,
      apiKey: "bad",
      retry: FAST_RETRY,
    });
    const error = await model.generate(MESSAGES, TOOLS).then(() => null, (e) => e);
    assert.ok(error instanceof ModelError);
    assert.equal(error.kind, "auth");
    assert.equal(auth.requests.length, 1);
  });
});

Deno.test("anthropic: createModel reads ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY and names the missing key", async () => {
  await withSavedEnv(
    ["ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY"],
    () =>
      withLoopbackServer([{ status: 200, body: reply }], async (server) => {
        Deno.env.delete("ANTHROPIC_API_KEY");
        assert.throws(
          () => createModel("anthropic/claude-sonnet-4-20250514"),
          (e: unknown) => e instanceof ModelConfigError && /ANTHROPIC_API_KEY/.test(e.message),
        );
        Deno.env.set("ANTHROPIC_BASE_URL", server.url);
        Deno.env.set("ANTHROPIC_API_KEY", "from-env");
        const model = createModel("anthropic/claude-sonnet-4-20250514", { retry: FAST_RETRY });
        await model.generate(MESSAGES, TOOLS);
        assert.equal(server.requests[0].headers["x-api-key"], "from-env");
      }),
  );
});
