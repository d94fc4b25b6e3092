import assert from "node:assert/strict";
import { bindModel, createModel } from "../../lib/model/registry.ts";
import { ModelConfigError } from "../../lib/model/provider.ts";
import type { Model } from "../../lib/model/types.ts";

Deno.test("registry: simulated names", () => {
  assert.equal(createModel("simulated").name, "simulated/30");
  assert.equal(createModel("simulated/120").name, "simulated/120");
  assert.equal(createModel("simulated/7.5").name, "simulated/7.5");
  assert.equal(createModel("simulated", { horizonMinutes: 45 }).name, "simulated/45");
  assert.equal(createModel("simulated-rater").name, "simulated-rater");
  for (const bad of ["simulated/0", "simulated/abc", "simulated/-3"]) {
    assert.throws(
      () => createModel(bad),
      (e: unknown) => e instanceof ModelConfigError && /positive number/.test(e.message),
    );
  }
});

Deno.test("registry: unknown providers and malformed names are named in the error", () => {
  assert.throws(
    () => createModel("gemini/pro"),
    (e: unknown) =>
      e instanceof ModelConfigError && /unknown provider "gemini"/.test(e.message) &&
      /openai/.test(e.message),
  );
  assert.throws(() => createModel("gpt-4o"), /expected "provider\/model"/);
  assert.throws(() => createModel("openai/"), /expected "provider\/model"/);
});

Deno.test("registry: a missing key names the env var (default or apiKeyEnv)", () => {
  const saved = Deno.env.get("OPENAI_API_KEY");
  Deno.env.delete("OPENAI_API_KEY");
  try {
    assert.throws(
      () => createModel("openai/gpt-4o"),
      (e: unknown) =>
        e instanceof ModelConfigError && /set the OPENAI_API_KEY environment variable/.test(e.message) &&
        e.message.startsWith("openai/gpt-4o"),
    );
    assert.throws(() => createModel("openai/gpt-4o", { apiKeyEnv: "MY_GATEWAY_KEY" }), /MY_GATEWAY_KEY/);
    assert.equal(createModel("openai/gpt-4o", { apiKey: "k" }).name, "openai/gpt-4o");
    assert.equal(createModel("ollama/llama3.1").name, "ollama/llama3.1", "local presets need no key");
  } finally {
    if (saved !== undefined) Deno.env.set("OPENAI_API_KEY", saved);
  }
});

Deno.test("registry: bindModel uses forRun when present, else returns the model", () => {
  const plain: Model = { name: "x/y", generate: () => Promise.reject(new Error("unused")) };
  assert.equal(bindModel(plain, { taskId: "t", humanMinutes: 1, seed: 0 }), plain);
  const sim = createModel("simulated/30");
  const b = bindModel(sim, { taskId: "t", humanMinutes: 1, seed: 0 });
  assert.notEqual(b, sim);
  assert.equal(b.name, sim.name);
});

Deno.test("registry: simulator options in the name round-trip, and bad ones are named", () => {
  const m = createModel("simulated/60?slope=1.2&shift.chat=0.8&taskNoiseSd=0");
  assert.equal(m.name, "simulated/60?slope=1.2&taskNoiseSd=0&shift.chat=0.8");
  assert.equal(createModel(m.name).name, m.name, "the logged name rebuilds the same simulator");
  assert.equal(createModel("simulated/60?shift.chat=0.5").name, "simulated/60", "defaults are not repeated");
  assert.equal(createModel("simulated", { slope: 2 }).name, "simulated/30?slope=2");
  assert.throws(
    () => createModel("simulated/30?speed=3"),
    (e: unknown) => e instanceof ModelConfigError && /unknown option "speed"/.test(e.message),
  );
  assert.throws(() => createModel("simulated/30?slope=fast"), /needs a number/);
  assert.throws(() => createModel("simulated/30?slope=-1"), /option slope/);
});
