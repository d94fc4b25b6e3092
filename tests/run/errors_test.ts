import assert from "node:assert/strict";
import { z } from "zod";
import { registerScaffold } from "../../lib/agent/registry.ts";
import { startScriptedServer } from "../agent/scripted_server.ts";
import { runScripted } from "../agent/harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const HOOKS = new URL("../fixtures/suite_hooks/", import.meta.url).pathname;

Deno.test("errors are classified by source and never stop the grid", opts, async () => {
  const server = startScriptedServer(() => ({
    choices: [{ toolCalls: [{ name: "submit", arguments: { answer: "hello" } }] }],
  }));
  try {
    const { rows, summary } = await runScripted({
      variants: "chat",
      modelOptions: server.modelOptions,
      tasksDir: HOOKS,
      tasks: "hooks/*",
    });
    assert.equal(summary.total, 5);
    const by = Object.fromEntries(rows.map((r) => [r.task_id.split("/")[1], r]));
    assert.equal(by.setup_throws.status, "error");
    assert.equal(by.setup_throws.fatal_error_from, "task");
    assert.match(by.setup_throws.error!, /setup exploded/);
    assert.equal(by.score_throws.fatal_error_from, "task");
    assert.match(by.score_throws.error!, /scorer exploded/);
    assert.equal(by.out_of_range.fatal_error_from, "task");
    assert.equal(by.out_of_range.score, null);
    assert.equal(by.manual.status, "ok");
    assert.equal(by.manual.score, null, "manual scoring: null score");
    assert.equal(by.manual.score_binarized, null);
    assert.equal(by.good.status, "ok");
    assert.equal(by.good.score, 0, "submitted hello but never wrote answer.txt");
  } finally {
    await server.close();
  }
});

Deno.test(
  "a throwing scaffold is an agent error; an unusable model name is a model error",
  opts,
  async () => {
    registerScaffold("explodes", () => () => Promise.reject(new Error("scaffold bug")), z.object({}));
    const a = await runScripted({ variants: "explodes", model: "simulated/30" });
    assert.equal(a.rows[0].status, "error");
    assert.equal(a.rows[0].fatal_error_from, "agent");
    assert.match(a.rows[0].error!, /scaffold bug/);
    const m = await runScripted({ variants: "chat", model: "nope/model" });
    assert.equal(m.rows[0].fatal_error_from, "model");
    assert.match(m.rows[0].error!, /unknown provider "nope"/);
  },
);
