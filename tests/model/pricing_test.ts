import assert from "node:assert/strict";
import {
  costOf,
  DEFAULT_PRICES,
  loadPriceTable,
  parsePriceTable,
  priceFor,
  PriceTableError,
  withPriceOverrides,
} from "../../lib/model/pricing.ts";
import { createOpenAIModel } from "../../lib/model/openai.ts";
import { withLoopbackServer } from "./loopback_server.ts";

Deno.test("pricing: lookup by full name, bare id and longest prefix", () => {
  assert.equal(priceFor("openai/gpt-4o"), DEFAULT_PRICES["gpt-4o"]);
  assert.equal(priceFor("gpt-4o-mini"), DEFAULT_PRICES["gpt-4o-mini"]);
  assert.equal(priceFor("gpt-4o-2024-08-06"), DEFAULT_PRICES["gpt-4o"], "dated snapshot → family price");
  assert.equal(priceFor("anthropic/claude-sonnet-4-20250514"), DEFAULT_PRICES["claude-sonnet-4"]);
  assert.equal(priceFor("o3-mini-2025-01-31"), DEFAULT_PRICES["o3-mini"], "longest prefix wins over o3");
  assert.equal(priceFor("simulated/60"), DEFAULT_PRICES["simulated"]);
  assert.equal(priceFor("vllm/my-own-model"), undefined);
  const table = {
    "openai/gpt-4o": { inputPerMTok: 1, outputPerMTok: 2 },
    "gpt-4o": { inputPerMTok: 9, outputPerMTok: 9 },
  };
  assert.equal(priceFor("openai/gpt-4o", table)?.inputPerMTok, 1, "the full name beats the bare id");
});

Deno.test("pricing: cost is tokens × price per million", () => {
  assert.equal(
    costOf({ inputTokens: 2_000_000, outputTokens: 500_000 }, { inputPerMTok: 3, outputPerMTok: 15 }),
    13.5,
  );
  assert.equal(costOf({ inputTokens: 100, outputTokens: 100 }, undefined), 0);
});

Deno.test("pricing: a JSON price file overrides the defaults; bad files name the file and field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/prices.json`;
    await Deno.writeTextFile(
      good,
      JSON.stringify({ asOf: "2026-11", prices: { "gpt-4o": { inputPerMTok: 1, outputPerMTok: 4 } } }),
    );
    const table = withPriceOverrides(await loadPriceTable(good));
    assert.deepEqual(priceFor("openai/gpt-4o", table), { inputPerMTok: 1, outputPerMTok: 4 });
    assert.equal(
      priceFor("claude-3-haiku", table),
      DEFAULT_PRICES["claude-3-haiku"],
      "others keep the defaults",
    );

    const bare = `${dir}/bare.json`;
    await Deno.writeTextFile(bare, JSON.stringify({ "my-model": { inputPerMTok: 0.5, outputPerMTok: 0.5 } }));
    assert.equal((await loadPriceTable(bare))["my-model"].inputPerMTok, 0.5);

    const bad = `${dir}/bad.json`;
    await Deno.writeTextFile(
      bad,
      JSON.stringify({ prices: { "gpt-4o": { inputPerMTok: -1, outputPerMTok: 4 } } }),
    );
    await assert.rejects(
      () => loadPriceTable(bad),
      (e: unknown) =>
        e instanceof PriceTableError && e.file === bad && e.field === "prices.gpt-4o.inputPerMTok" &&
        e.message.includes(bad),
    );

    const missing = `${dir}/missing.json`;
    await Deno.writeTextFile(missing, JSON.stringify({ "gpt-4o": { inputPerMTok: 1 } }));
    await assert.rejects(
      () => loadPriceTable(missing),
      (e: unknown) => e instanceof PriceTableError && e.field === "gpt-4o.outputPerMTok",
    );

    const notJson = `${dir}/not.json`;
    await Deno.writeTextFile(notJson, "{ nope");
    await assert.rejects(() => loadPriceTable(notJson), /not valid JSON/);
    await assert.rejects(() => loadPriceTable(`${dir}/absent.json`), /cannot read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.throws(() => parsePriceTable([1, 2], "inline"), PriceTableError);
});

Deno.test("pricing: a provider uses the override table for costUsd", async () => {
  await withLoopbackServer([{
    status: 200,
    body: {
      model: "local-model",
      choices: [{ message: { content: "hi" } }],
      usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 },
    },
  }], async (server) => {
    const model = createOpenAIModel("local-model", {
      baseUrl: server.url,
      apiKey: "k",
      prices: withPriceOverrides({ "local-model": { inputPerMTok: 0.25, outputPerMTok: 0.75 } }),
    });
    const result = await model.generate([{ role: "user", content: "hi" }], []);
    assert.equal(result.costUsd, 1);
  });
});
