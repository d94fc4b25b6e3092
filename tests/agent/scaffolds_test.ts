import assert from "node:assert/strict";
import { lastOfRole, type ReceivedRequest, startScriptedServer } from "./scripted_server.ts";
import { runScripted } from "./harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** Sum of the integers in the last observation/tool message (computed from what the sandbox returned). */
function sumFromObservation(text: string): number {
  return text.split("\n").filter((l) => /^-?\d+$/.test(l.trim())).map(Number).reduce((a, b) => a + b, 0);
}

Deno.test(
  "basic: parses text actions, runs bash in the sandbox, nudges on replies without action",
  opts,
  async () => {
    const server = startScriptedServer((req, i) => {
      if (i === 0) return { choices: [{ content: "Let me look.\n<bash>cat numbers.txt</bash>" }] };
      if (i === 1) return { choices: [{ content: "I am thinking about it." }] };
      const obs = req.messages.find((m) => m.role === "user" && m.content?.startsWith("Output:"))?.content ??
        "";
      return { choices: [{ content: `<submit>${sumFromObservation(obs)}</submit>` }] };
    });
    try {
      const { rows, events } = await runScripted({ variants: "basic", modelOptions: server.modelOptions });
      assert.deepEqual(rows.length, 1);
      assert.deepEqual(rows[0].status, "ok");
      assert.deepEqual(rows[0].score, 1, "submitted sum must be scored correct by the real scorer");
      assert.deepEqual(server.requests.length, 3);
      assert.deepEqual(server.requests[0].tools, undefined, "basic offers no native tools");
      assert.match(lastOfRole(server.requests[1], "user"), /Output:\n1\n2\n3/);
      assert.match(lastOfRole(server.requests[2], "user"), /No action found/);
      const actions = events.filter((e) => e.type === "action");
      assert.deepEqual(actions.map((a) => a.tool), ["bash", "submit"]);
      assert.deepEqual(rows[0].actions, 1, "submit is not counted as an action");
      assert.deepEqual(rows[0].input_tokens, 300);
    } finally {
      await server.close();
    }
  },
);

Deno.test(
  "chat: native tool calls for python and submit; tool results return as tool messages",
  opts,
  async () => {
    const server = startScriptedServer((req, i) => {
      if (i === 0) {
        return {
          choices: [{
            toolCalls: [{
              name: "python",
              arguments: { code: "print(sum(int(l) for l in open('numbers.txt')))" },
            }],
          }],
        };
      }
      const tool = req.messages.filter((m) => m.role === "tool").at(-1)!;
      const answer = tool.content!.split("\n")[0].trim();
      return { choices: [{ toolCalls: [{ name: "submit", arguments: { answer } }] }] };
    });
    try {
      const { rows } = await runScripted({ variants: "chat", modelOptions: server.modelOptions });
      assert.deepEqual(rows[0].score, 1);
      const toolNames = server.requests[0].tools!.map((t) => t.function.name).sort();
      assert.deepEqual(toolNames, ["bash", "python", "submit"]);
      const toolMsg = server.requests[1].messages.find((m) => m.role === "tool")!;
      assert.match(toolMsg.content!, /^6\n\[exit code 0\]/);
      assert.ok(toolMsg.tool_call_id, "tool message answers its call id");
    } finally {
      await server.close();
    }
  },
);

Deno.test("allTools: retries malformed calls with an error, views and edits files", opts, async () => {
  const server = startScriptedServer((req, i) => {
    switch (i) {
      case 0:
        return { choices: [{ toolCalls: [{ name: "bash", arguments: "{not json" }] }] };
      case 1:
        return {
          choices: [{
            toolCalls: [{ name: "view_file", arguments: { path: "numbers.txt", start: 2, end: 3 } }],
          }],
        };
      case 2:
        return {
          choices: [{
            toolCalls: [{
              name: "edit_file",
              arguments: { path: "work/answer.txt", old_str: "", new_str: "total=?" },
            }],
          }],
        };
      case 3:
        return {
          choices: [{
            toolCalls: [{
              name: "edit_file",
              arguments: { path: "work/answer.txt", old_str: "?", new_str: "6" },
            }],
          }],
        };
      case 4:
        return {
          choices: [{ toolCalls: [{ name: "bash", arguments: { command: "cat work/answer.txt" } }] }],
        };
      default: {
        const last = req.messages.filter((m) => m.role === "tool").at(-1)!.content!;
        return {
          choices: [{
            toolCalls: [{ name: "submit", arguments: { answer: last.split("=")[1].split("\n")[0] } }],
          }],
        };
      }
    }
  });
  try {
    const { rows, events } = await runScripted({ variants: "allTools", modelOptions: server.modelOptions });
    assert.deepEqual(rows[0].score, 1);
    const names = server.requests[0].tools!.map((t) => t.function.name).sort();
    assert.deepEqual(names, ["bash", "edit_file", "list_files", "python", "submit", "view_file"]);
    const toolText = (k: number) =>
      server.requests[k].messages.filter((m) => m.role === "tool").at(-1)!.content!;
    assert.match(toolText(1), /not valid JSON.*\n.*Retry the call/s);
    assert.match(toolText(2), /^\s+2\t2\n\s+3\t3\n/, "view_file shows the requested line range with numbers");
    assert.match(toolText(5), /^total=6/);
    assert.ok(events.some((e) => e.type === "note" && e.message === "malformed tool arguments"));
    assert.deepEqual(rows[0].actions, 4, "the malformed call is not an action");
  } finally {
    await server.close();
  }
});

Deno.test(
  "allTools: edit_file refuses an ambiguous replacement and leaves the file unchanged",
  opts,
  async () => {
    const edit = (old_str: string, new_str: string) => ({
      choices: [{ toolCalls: [{ name: "edit_file", arguments: { path: "a.txt", old_str, new_str } }] }],
    });
    const server = startScriptedServer((_req, i) => {
      if (i === 0) return edit("", "x x");
      if (i === 1) return edit("x", "y");
      if (i === 2) {
        return { choices: [{ toolCalls: [{ name: "bash", arguments: { command: "cat a.txt" } }] }] };
      }
      return { choices: [{ toolCalls: [{ name: "submit", arguments: { answer: "none" } }] }] };
    });
    try {
      const { rows } = await runScripted({ variants: "allTools", modelOptions: server.modelOptions });
      const toolText = (k: number) =>
        server.requests[k].messages.filter((m) => m.role === "tool").at(-1)!.content!;
      assert.match(toolText(2), /old_str occurs 2 times in a\.txt; it must occur exactly once/);
      assert.match(toolText(2), /\[exit code 3\]/);
      assert.match(toolText(3), /^x x\n/);
      assert.deepEqual(rows[0].score, 0);
    } finally {
      await server.close();
    }
  },
);

Deno.test(
  "bestOfN: asks for k candidates, rates each with the rater prompt, executes the best",
  opts,
  async () => {
    const server = startScriptedServer((req: ReceivedRequest) => {
      if (!req.tools) {
        const text = lastOfRole(req, "user");
        assert.match(text, /Proposed next action/);
        return { choices: [{ content: text.includes("GOOD") ? "9" : text.includes("MEH") ? "5" : "1" }] };
      }
      const submitted = req.messages.some((m) => m.role === "tool" && m.content?.includes("GOOD"));
      if (submitted) return { choices: [{ toolCalls: [{ name: "submit", arguments: { answer: "6" } }] }] };
      return {
        choices: ["BAD", "MEH", "GOOD"].map((w) => ({
          toolCalls: [{ name: "bash", arguments: { command: `echo ${w}` } }],
        })),
      };
    });
    try {
      const { rows, events } = await runScripted({
        variants: [{ scaffold: "bestOfN", args: { k: 3 } }],
        modelOptions: server.modelOptions,
      });
      assert.deepEqual(rows[0].score, 1);
      const first = server.requests[0];
      assert.deepEqual(first.n, 3, "one call with n = k");
      const actions = events.filter((e) => e.type === "action" && e.tool === "bash");
      assert.deepEqual(actions.length, 1);
      assert.deepEqual(
        JSON.parse(actions[0].args as string).command,
        "echo GOOD",
        "the highest-rated candidate runs",
      );
      const rated = events.find((e) => e.type === "note" && e.message === "candidates rated")!;
      assert.deepEqual(JSON.parse(rated.data as string), { ratings: [1, 5, 9], chosen: 2 });
      const purposes = events.filter((e) => e.type === "model_call").map((e) => e.purpose);
      assert.deepEqual(
        purposes.filter((p) => p === "rate").length,
        3,
        "3 ratings in step 1; step 2 has one candidate",
      );
      assert.deepEqual(rows[0].variant, `bestOfN-${rows[0].variant_hash!.slice(0, 8)}`);
    } finally {
      await server.close();
    }
  },
);

Deno.test("every scaffold solves tasks with the simulated model through the real sandbox", opts, async () => {
  const { rows } = await runScripted({
    variants: "basic,chat,allTools,bestOfN",
    model: "simulated/30",
    tasks: "trivial/*",
    epochs: 2,
  });
  assert.deepEqual(rows.length, 4 * 4 * 2);
  assert.ok(rows.every((r) => r.status === "ok"), JSON.stringify(rows.filter((r) => r.status !== "ok")));
  assert.ok(rows.some((r) => r.score === 1) && rows.some((r) => r.score === 0), "both outcomes occur");
  assert.ok(rows.every((r) => (r.actions ?? 0) >= 1), "the simulator explores before submitting");
});
