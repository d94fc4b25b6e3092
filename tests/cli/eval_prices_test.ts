/**
 * `deno task eval --prices <file>`: the user's price table replaces the built-in one for cost accounting
 * (and so for cost limits), and a bad file is refused naming the file and field before anything runs.
 */
import assert from "node:assert/strict";
import { assertFails } from "./_run.ts";
import { inProcess } from "./_in_process.ts";
import { main } from "../../lib/cli/eval.ts";

const TRIVIAL = new URL("../fixtures/tasks/", import.meta.url).pathname;

async function evalWithPrices(prices: unknown) {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-prices-" });
  await Deno.writeTextFile(`${dir}/prices.json`, JSON.stringify(prices));
  const r = await inProcess(main, [
    "--tasks-dir",
    TRIVIAL,
    "--model",
    "simulated/30",
    "--variants",
    "chat",
    "--log",
    `${dir}/log`,
    "--prices",
    `${dir}/prices.json`,
    "--progress",
    "none",
    "--json",
  ]);
  await Deno.remove(dir, { recursive: true });
  return r;
}

Deno.test("eval --prices: costs come from the user's table", async () => {
  const free = await evalWithPrices({ prices: { simulated: { inputPerMTok: 0, outputPerMTok: 0 } } });
  assert.equal(free.code, 0, free.stderr);
  const dear = await evalWithPrices({ prices: { simulated: { inputPerMTok: 1000, outputPerMTok: 1000 } } });
  assert.equal(dear.code, 0, dear.stderr);
  const cost = (r: { stdout: string }) =>
    (JSON.parse(r.stdout).agents as Array<{ cost_usd: number }>).reduce((s, a) => s + a.cost_usd, 0);
  assert.equal(cost(free), 0);
  assert.ok(cost(dear) > 1, `expected a large cost, got ${cost(dear)}`);
});

Deno.test("eval --prices: a bad price file names the file and the field", async () => {
  const r = await evalWithPrices({ prices: { simulated: { inputPerMTok: -1, outputPerMTok: 0 } } });
  assertFails(r, 2, /--prices: .*prices\.json \(prices\.simulated\.inputPerMTok\)/);
});
