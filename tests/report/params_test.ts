import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DEFAULT_VARIANTS,
  METR_RUNS_FILE,
  NotebookParamError,
  notebookParams,
  projectRoot,
} from "../../lib/notebook/params.ts";
import { parseReleaseDates } from "../../lib/notebook/release_dates.ts";

const root = projectRoot();

Deno.test("the project root is found from the module, whatever the working directory", () => {
  const config = JSON.parse(Deno.readTextFileSync(join(root, "deno.json")));
  assert.equal(config.name, "@evalkit/evalkit");
  assert.equal(projectRoot(join(root, "lib", "notebook")), root);
});

Deno.test("defaults: METR's file beside the project, the four scaffolds, a fixed seed", () => {
  const p = notebookParams({}, root);
  assert.equal(p.data, join(root, "..", "shared", "data", "metr", METR_RUNS_FILE));
  assert.ok(p.releaseDates.endsWith("release_dates_2025-01.yaml"));
  assert.deepEqual(p.variants, [...DEFAULT_VARIANTS]);
  assert.equal(p.runsLog, null);
  assert.equal(p.model, "simulated/30");
  assert.equal(p.baseModel, "simulated/8");
  assert.ok(Number.isInteger(p.seed));
  assert.ok(p.thresholds.endsWith(join("data", "thresholds.example.json")));
});

Deno.test("environment overrides, with relative paths resolved against the project root", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const runs = join(dir, "runs.jsonl");
    await Deno.writeTextFile(runs, "");
    await Deno.writeTextFile(join(dir, "release_dates_2025-01.yaml"), "date: {}\n");
    const p = notebookParams({
      EVALKIT_DATA: runs,
      EVALKIT_SEED: "7",
      EVALKIT_VARIANTS: " chat , basic ",
      EVALKIT_BOOTSTRAP: "200",
      EVALKIT_MODEL: "openai/gpt-4o",
      EVALKIT_THRESHOLDS: "data/thresholds.example.json",
    }, root);
    assert.equal(p.data, runs);
    assert.equal(p.releaseDates, join(dir, "release_dates_2025-01.yaml"));
    assert.equal(p.seed, 7);
    assert.deepEqual(p.variants, ["chat", "basic"]);
    assert.equal(p.bootstrap, 200);
    assert.equal(p.model, "openai/gpt-4o");
    assert.equal(p.baseModel, null, "no derived base model for a real endpoint");
    assert.equal(p.thresholds, join(root, "data", "thresholds.example.json"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad values name the variable and say what was wrong", () => {
  const err = (env: Record<string, string>) => {
    try {
      notebookParams(env, root);
    } catch (e) {
      assert.ok(e instanceof NotebookParamError);
      return e as NotebookParamError;
    }
    assert.fail("expected a NotebookParamError");
  };
  const seed = err({ EVALKIT_SEED: "abc" });
  assert.equal(seed.variable, "EVALKIT_SEED");
  assert.match(seed.message, /whole number, got "abc"/);
  const data = err({ EVALKIT_DATA: "/nonexistent/runs.jsonl" });
  assert.equal(data.variable, "EVALKIT_DATA");
  assert.match(data.message, /not found at \/nonexistent\/runs\.jsonl.*METR's public repository/);
  assert.equal(err({ EVALKIT_BOOTSTRAP: "3" }).variable, "EVALKIT_BOOTSTRAP");
  assert.equal(err({ EVALKIT_RUNS_LOG: "/nonexistent.jsonl" }).variable, "EVALKIT_RUNS_LOG");
  assert.equal(err({ EVALKIT_MODEL: "Not A Model" }).variable, "EVALKIT_MODEL");
});

Deno.test("release dates parse from YAML strings or dates, with errors naming the alias", () => {
  const m = parseReleaseDates("date:\n  GPT-4o: 2024-05-13\n  x: '2023-01-02'\n", "r.yaml");
  assert.equal(m.get("GPT-4o"), "2024-05-13");
  assert.equal(m.get("x"), "2023-01-02");
  assert.throws(() => parseReleaseDates("date:\n  bad: soon\n", "r.yaml"), /r\.yaml: date\.bad/);
});

Deno.test("the model step's weaker model is derived from simulated models only", async () => {
  const { deriveBaseModel } = await import("../../lib/notebook/params.ts");
  assert.equal(deriveBaseModel("simulated/30"), "simulated/8");
  assert.equal(deriveBaseModel("simulated"), "simulated/8");
  assert.equal(deriveBaseModel("simulated/2"), "simulated/1");
  assert.equal(deriveBaseModel("openai/gpt-4o"), null);
});
