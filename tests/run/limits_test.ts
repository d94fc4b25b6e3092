import assert from "node:assert/strict";
import { startScriptedServer } from "../agent/scripted_server.ts";
import { runScripted } from "../agent/harness.ts";
import { LimitTracker } from "../../lib/run/limits.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const bashForever = () => ({
  choices: [{ toolCalls: [{ name: "bash", arguments: { command: "echo step" } }] }],
});

Deno.test(
  "action limit: the run ends with limit actions after exactly N actions and is still scored",
  opts,
  async () => {
    const server = startScriptedServer(bashForever);
    try {
      const { rows, events } = await runScripted({
        variants: "chat",
        modelOptions: server.modelOptions,
        limits: { actions: 3 },
      });
      assert.equal(rows[0].status, "limit");
      assert.equal(rows[0].limit, "actions");
      assert.equal(rows[0].actions, 3);
      assert.equal(events.filter((e) => e.type === "observation").length, 3);
      const score = events.find((e) => e.type === "score")!;
      assert.equal(score.score, 0, "scored with the empty submission");
      assert.equal(score.submitted, false);
      assert.equal(rows[0].fatal_error_from, null);
    } finally {
      await server.close();
    }
  },
);

Deno.test("token limit: counted from provider usage, checked after each call", opts, async () => {
  const server = startScriptedServer(() => ({
    ...bashForever(),
    usage: { prompt_tokens: 900, completion_tokens: 100 },
  }));
  try {
    const { rows } = await runScripted({
      variants: "chat",
      modelOptions: server.modelOptions,
      limits: { tokens: 2500 },
    });
    assert.equal(rows[0].limit, "tokens");
    assert.equal(rows[0].total_tokens, 3000, "the third call crosses 2500 and ends the run");
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

Deno.test("cost limit: from the price table", opts, async () => {
  const server = startScriptedServer(() => ({
    ...bashForever(),
    usage: { prompt_tokens: 1_000_000, completion_tokens: 0 },
  }));
  try {
    const { rows } = await runScripted({
      variants: "chat",
      modelOptions: { ...server.modelOptions, prices: { scripted: { inputPerMTok: 2, outputPerMTok: 4 } } },
      limits: { costUsd: 5 },
    });
    assert.equal(rows[0].limit, "cost");
    assert.equal(rows[0].dollar_equivalent, 6, "three calls at $2 cross $5");
  } finally {
    await server.close();
  }
});

Deno.test(
  "time limit: a stalled model call is cut at the wall-time limit; submission.txt is scored",
  opts,
  async () => {
    const server = startScriptedServer((_req, i) =>
      i === 0
        ? { choices: [{ toolCalls: [{ name: "bash", arguments: { command: "echo 6 > submission.txt" } }] }] }
        : { ...bashForever(), delayMs: 30_000 }
    );
    try {
      const started = performance.now();
      const { rows, events } = await runScripted({
        variants: "chat",
        modelOptions: server.modelOptions,
        limits: { timeS: 1 },
      });
      // A 30 s stall against a 1 s limit: a wide margin for a loaded machine, still failing if the call is awaited.
      assert.ok(performance.now() - started < 20_000, "the limit does not wait for the stalled call");
      assert.equal(rows[0].limit, "time");
      assert.equal(rows[0].score, 1, "the agent's ~/submission.txt is scored after a limit");
      assert.equal(events.find((e) => e.type === "score")!.submission, "6\n");
    } finally {
      await server.close();
    }
  },
);

Deno.test("LimitTracker: actions are checked before the next action, others after each step", () => {
  let now = 0;
  const t = new LimitTracker({ tokens: 10, actions: 2, timeS: 5, costUsd: 1 }, () => now);
  t.actions = 2;
  assert.equal(t.exceeded(false), null);
  assert.equal(t.exceeded(true)?.kind, "actions");
  t.addCall(4, 6, 0);
  assert.equal(t.exceeded()?.kind, "tokens");
  const u = new LimitTracker({ tokens: null, actions: null, timeS: 5, costUsd: 1 }, () => now);
  now = 5000;
  assert.equal(u.exceeded()?.kind, "time");
  const c = new LimitTracker({ tokens: null, actions: null, timeS: null, costUsd: 1 }, () => 0);
  c.addCall(1, 1, 0.999);
  assert.equal(c.exceeded(), null);
  c.addCall(1, 1, 0.001);
  assert.equal(c.exceeded()?.kind, "cost");
});
