import assert from "node:assert/strict";
import { createModel } from "../../lib/model/registry.ts";
import { ReplayError } from "../../lib/model/replay.ts";
import type { ChatMessage } from "../../lib/model/types.ts";

const first: ChatMessage[] = [{ role: "system", content: "sys" }, { role: "user", content: "task" }];
const call = { id: "c1", name: "bash", arguments: { command: "ls" } };
const second: ChatMessage[] = [
  ...first,
  { role: "assistant", content: "", toolCalls: [call] },
  { role: "tool", toolCallId: "c1", name: "bash", content: "a.txt" },
];

async function withFile(text: string, fn: (file: string) => Promise<void> | void) {
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    await Deno.writeTextFile(file, text);
    await fn(file);
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("replay: JSONL transcript replays in order with usage, then reports exhaustion", async () => {
  const lines = [
    {
      messages: first,
      response: {
        content: "",
        toolCalls: [call],
        usage: { inputTokens: 10, outputTokens: 5 },
        model: "gpt-4o",
      },
    },
    { messages: second, response: { choices: [{ content: "done", toolCalls: [] }] } },
  ].map((l) => JSON.stringify(l)).join("\n");
  await withFile(lines, async (file) => {
    const model = createModel(`replay:${file}`);
    assert.equal(model.name, `replay:${file}`);
    const r1 = await model.generate(first, []);
    assert.deepEqual(r1.choices, [{ content: "", toolCalls: [call] }]);
    assert.deepEqual(r1.usage, { inputTokens: 10, outputTokens: 5 });
    assert.ok(r1.costUsd > 0, "recorded model is priced");
    const r2 = await model.generate(second, []);
    assert.equal(r2.choices[0].content, "done");
    await assert.rejects(
      () => model.generate(second, []),
      (e: unknown) => e instanceof ReplayError && e.kind === "exhausted" && /2 steps/.test(e.message),
    );
    // A fresh per-run copy starts again at the first step.
    const again = model.forRun!({ taskId: "t", humanMinutes: 1, seed: 0 });
    assert.deepEqual((await again.generate(first, [])).choices[0].toolCalls, [call]);
  });
});

Deno.test("replay: a diverging conversation fails naming the step and message", async () => {
  await withFile(JSON.stringify([{ messages: first, response: { content: "x" } }]), async (file) => {
    const model = createModel(`replay:${file}`);
    const changed: ChatMessage[] = [first[0], { role: "user", content: "another task" }];
    await assert.rejects(
      () => model.generate(changed, []),
      (e: unknown) =>
        e instanceof ReplayError && e.kind === "diverged" && /step 0: message 1 differs/.test(e.message),
    );
    const unchecked = createModel(`replay:${file}`, { checkMessages: false });
    assert.equal((await unchecked.generate(changed, [])).choices[0].content, "x");
  });
});

Deno.test("replay: invalid transcripts fail at creation with the file and line", async () => {
  await withFile(
    `${JSON.stringify({ response: { content: "ok" } })}\n{"response": {"content": 3}}\n`,
    (file) => {
      assert.throws(
        () => createModel(`replay:${file}`),
        (e: unknown) =>
          e instanceof ReplayError && e.kind === "invalid" && e.message.includes(file) &&
          /line 2/.test(e.message) &&
          /response/.test(e.message),
      );
    },
  );
  await withFile("{ not json", (file) => {
    assert.throws(() => createModel(`replay:${file}`), /line 1 is not valid JSON/);
  });
  assert.throws(() => createModel("replay:/nonexistent/file.jsonl"), /cannot read/);
  assert.throws(() => createModel("replay:"), /needs a file/);
});

Deno.test("replay: a runner event log replays the action calls of one cell (last attempt)", async () => {
  const base = { t: 1, eval_id: "e" };
  const mc = (cell: string, run: string, content: string, purpose = "action") => ({
    type: "model_call",
    ...base,
    cell,
    run_id: run,
    model: "simulated/30",
    purpose,
    n: 1,
    input_tokens: 7,
    output_tokens: 3,
    cost_usd: 0,
    duration_ms: 1,
    retries: 0,
    content,
    tool_calls: [{ name: "bash", arguments: { command: content } }],
  });
  const log = [
    { type: "eval_start", t: 0, eval_id: "e" },
    mc("A", "r1", "old"),
    mc("A", "r2", "ls"),
    mc("A", "r2", "rating", "rate"),
    mc("A", "r2", "pwd"),
    mc("B", "r3", "other"),
  ].map((l) => JSON.stringify(l)).join("\n");
  await withFile(log, async (file) => {
    assert.throws(() => createModel(`replay:${file}`), /holds 2 cells; pass the cell option/);
    const model = createModel(`replay:${file}`, { cell: "A" });
    const a = await model.generate([], []);
    const b = await model.generate([], []);
    assert.deepEqual([a, b].map((r) => r.choices[0].toolCalls[0].arguments), [{ command: "ls" }, {
      command: "pwd",
    }]);
    assert.deepEqual(a.usage, { inputTokens: 7, outputTokens: 3 });
    await assert.rejects(() => model.generate([], []), ReplayError);
  });
});
