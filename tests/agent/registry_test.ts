import assert from "node:assert/strict";
import { cli } from "../cli/_run.ts";
import { z } from "zod";
import type { ChatMessage } from "../../lib/model/types.ts";
import {
  ELIDED_OUTPUT,
  getScaffold,
  listScaffolds,
  loadVariants,
  parseTextAction,
  registerScaffold,
  resolveVariant,
  stableStringify,
  trimContext,
  variantHash,
} from "../../lib/agent/mod.ts";
import { runScripted } from "./harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("stableStringify sorts keys at every level and keeps array order", () => {
  assert.equal(stableStringify({ b: 1, a: { d: [3, 1], c: null } }), '{"a":{"c":null,"d":[3,1]},"b":1}');
  assert.equal(stableStringify({ a: 1, b: 2 }), stableStringify({ b: 2, a: 1 }));
});

Deno.test("variant hash: SHA-256 of sorted-keys {scaffold, args}, defaults filled", async () => {
  const expected = Array.from(
    new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode('{"args":{"k":2},"scaffold":"x"}')),
    ),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  assert.equal(await variantHash("x", { k: 2 }), expected);
  const a = await resolveVariant({ scaffold: "bestOfN" });
  const b = await resolveVariant({ scaffold: "bestOfN", args: { k: 8, rater: null } });
  const c = await resolveVariant({ scaffold: "bestOfN", args: { k: 4 } });
  assert.equal(a.hash, b.hash, "explicit defaults hash like omitted ones");
  assert.notEqual(a.hash, c.hash);
  assert.equal(a.name, "bestOfN");
  assert.equal(c.name, `bestOfN-${c.hash.slice(0, 8)}`);
  assert.deepEqual(c.args, {
    k: 4,
    rater: null,
    temperature: 1,
    maxTurns: 100,
    maxConsecutiveErrors: 8,
    contextChars: 400_000,
  });
});

Deno.test("loadVariants reads YAML and JSON files and names lists; errors name the field", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/v.yaml`,
    "variants:\n  - {name: rm4, scaffold: bestOfN, args: {k: 4}}\n  - scaffold: chat\n",
  );
  const vs = await loadVariants(`${dir}/v.yaml`);
  assert.deepEqual(vs.map((v) => v.name), ["rm4", "chat"]);
  assert.equal(vs[0].args.k, 4);
  await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify([{ scaffold: "bestOfN", args: { k: 0 } }]));
  await assert.rejects(() => loadVariants(`${dir}/bad.json`), /bad\.json \[0\].*args\.k/);
  await assert.rejects(() => loadVariants("basic,nope"), /unknown scaffold "nope"; registered: .*allTools/);
  await assert.rejects(() => loadVariants("chat,chat"), /used twice/);
  await Deno.writeTextFile(`${dir}/broken.yaml`, "variants: [");
  await assert.rejects(() => loadVariants(`${dir}/broken.yaml`), /broken\.yaml: not valid YAML/);
  const names = await loadVariants("basic,chat,allTools,bestOfN");
  assert.deepEqual(names.map((v) => v.scaffold), ["basic", "chat", "allTools", "bestOfN"]);
});

Deno.test("parseTextAction finds the first action, handles unclosed tags", () => {
  assert.deepEqual(parseTextAction("hm\n<bash>\nls -la\n</bash> then <submit>x</submit>"), {
    tool: "bash",
    body: "ls -la",
  });
  assert.deepEqual(parseTextAction("<python>print(1)"), { tool: "python", body: "print(1)" });
  assert.deepEqual(parseTextAction("<submit>42</submit><bash>ls</bash>"), { tool: "submit", body: "42" });
  assert.equal(parseTextAction("no action here"), null);
});

Deno.test(
  "a user scaffold registered in a few lines runs through the runner and is recorded",
  opts,
  async () => {
    registerScaffold(
      "sumOnce",
      (args) => async (ctx) => {
        const r = await ctx.act("bash", { command: "awk '{s+=$1} END {print s}' numbers.txt" });
        return { submission: String(Number(r.output.split("\n")[0]) + args.offset) };
      },
      z.object({ offset: z.number().default(0) }),
    );
    assert.ok(listScaffolds().includes("sumOnce"));
    assert.equal(getScaffold("sumOnce").name, "sumOnce");
    const { rows, events } = await runScripted({
      variants: [{ scaffold: "sumOnce" }, { name: "off", scaffold: "sumOnce", args: { offset: 1 } }],
      model: "simulated/30",
    });
    const byVariant = Object.fromEntries(rows.map((r) => [r.variant, r]));
    assert.equal(byVariant.sumOnce.score, 1);
    assert.equal(byVariant.off.score, 0);
    const start = events.find((e) => e.type === "cell_start" && e.variant === "off")!;
    assert.deepEqual(JSON.parse(start.args as string), { offset: 1 });
    assert.equal(start.variant_hash, await variantHash("sumOnce", { offset: 1 }));
  },
);

Deno.test("eval CLI: --import registers a user scaffold from a module, usable by name", opts, async () => {
  const dir = await Deno.makeTempDir();
  const registry = new URL("../../lib/agent/registry.ts", import.meta.url).href;
  await Deno.writeTextFile(
    `${dir}/my_scaffold.ts`,
    `import { z } from "zod";
import { registerScaffold } from "${registry}";
registerScaffold("giveUp", () => async () => ({ submission: "0" }), z.object({}));
`,
  );
  const out = await cli("eval", [
    "--import",
    `${dir}/my_scaffold.ts`,
    "--variants",
    "giveUp",
    "--model",
    "simulated",
    "--tasks-dir",
    new URL("../fixtures/tasks/", import.meta.url).pathname,
    "--tasks",
    "trivial/one_minute",
    "--log",
    `${dir}/log`,
    "--json",
    "--progress",
    "none",
  ]);
  assert.equal(out.code, 0, out.stderr);
  const summary = JSON.parse(out.stdout);
  assert.equal(summary.counts.ok, 1);
  assert.equal(summary.agents[0].alias, "simulated · giveUp");
  assert.equal(summary.agents[0].success, 0);
});

Deno.test("trimContext elides the oldest observations first and keeps the prompt, task and recent turns", () => {
  const big = "x".repeat(1000);
  const messages: ChatMessage[] = [
    { role: "system", content: "sys" },
    { role: "user", content: "task" },
    ...Array.from(
      { length: 10 },
      (_, i): ChatMessage => ({ role: "tool", toolCallId: `${i}`, name: "bash", content: big }),
    ),
  ];
  const elided = trimContext(messages, 5000, 2);
  assert.equal(elided, 6);
  assert.deepEqual(messages.slice(2, 8).map((m) => m.content), Array(6).fill(ELIDED_OUTPUT));
  assert.equal(messages[8].content, big);
  assert.equal(messages[0].content, "sys");
  assert.equal(messages[1].content, "task");
  assert.ok(messages.reduce((s, m) => s + m.content.length, 0) <= 5000);
  assert.equal(trimContext(messages, 5000, 2), 0, "idempotent once within budget");
});
