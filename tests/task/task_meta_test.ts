/**
 * Optional metadata and METR task names: the task-times table (`--task-meta`) parser, the name rule and safe
 * ids, metadata of METR-format tasks from their manifests, the loader with unknown metadata, and analyses that
 * leave tasks without minutes out with one note.
 */
import assertNode from "node:assert/strict";
import { from } from "arquero";
import { assert, assertEquals } from "../util/assert.ts";
import {
  formatTaskMetaIssue,
  parseTaskMeta,
  readTaskMeta,
  TaskMetaError,
  type TaskMetaTable,
} from "../../lib/task/task_meta.ts";
import { safeTaskId, safeTaskName, TaskName } from "../../lib/task/schema.ts";
import { metrTaskMetadata, parseManifest, readManifest } from "../../lib/task/metr_manifest.ts";
import { TaskLoadError, TaskLoadWarning } from "../../lib/task/errors.ts";
import { defineMetrTaskFamily, defineTaskFamily } from "../../lib/task/define.ts";
import { loadSuite, validateFamily } from "../../lib/task/loader.ts";
import { taskSummaryRow } from "../../lib/task/summary.ts";
import { bootstrapHorizons } from "../../lib/stats/bootstrap_horizons.ts";
import { agentHorizons } from "../../lib/stats/agent_horizons.ts";
import { runColumns } from "../../lib/stats/run_columns.ts";
import { protocolReport } from "../../lib/protocol/report.ts";
import { bucketScores } from "../../lib/measure/score.ts";
import { applyTaskMetaToRuns, minutesNote, withKnownMinutes } from "../../lib/frame/minutes.ts";
import { CellStartEvent } from "../../lib/run/events.ts";
import { parseMetrRuns, toRunsJsonl } from "../../lib/frame/metr.ts";
import type { Threshold } from "../../lib/protocol/thresholds.ts";
import { logisticP, simRuns, simTasks } from "../protocol/_sim.ts";
import { fromFileUrl } from "../../lib/util/path.ts";

const NAMES = fromFileUrl(new URL("../fixtures/suite_names/", import.meta.url));

function metaError(f: () => unknown): TaskMetaError {
  try {
    f();
  } catch (e) {
    if (e instanceof TaskMetaError) return e;
    throw e;
  }
  throw new Error("expected a TaskMetaError");
}

// ------------------------------------------------------------------------------------------------
// The table parser

Deno.test("task-meta: CSV rows, empty cells absent, source defaults to estimate", () => {
  const table = parseTaskMeta(
    [
      "task,human_minutes,human_source,domain,quality,summary",
      "apt_build/fixed-date,25,baseline,software_engineering,,",
      'apt_build/Password,7.5,,,qa_ready,"Submit the password, as JSON."',
      "",
    ].join("\n"),
    "times.csv",
  );
  assertEquals(table.file, "times.csv");
  assertEquals([...table.entries.keys()], ["apt_build/fixed-date", "apt_build/Password"]);
  assertEquals(table.entries.get("apt_build/fixed-date"), {
    task: "apt_build/fixed-date",
    humanMinutes: 25,
    humanSource: "baseline",
    domain: "software_engineering",
    at: "times.csv:2",
  });
  assertEquals(table.entries.get("apt_build/Password"), {
    task: "apt_build/Password",
    humanMinutes: 7.5,
    humanSource: "estimate",
    quality: "qa_ready",
    summary: "Submit the password, as JSON.",
    at: "times.csv:3",
  });
});

Deno.test("task-meta: JSON as an array of rows or an object keyed by task id; format by extension or content", () => {
  const rows = parseTaskMeta(
    JSON.stringify([{ task: "esolang/hello", human_minutes: 6, human_source: "qa" }]),
    "times.json",
  );
  assertEquals(rows.entries.get("esolang/hello")?.humanMinutes, 6);
  assertEquals(rows.entries.get("esolang/hello")?.at, "times.json row 1");
  const keyed = parseTaskMeta(JSON.stringify({ "esolang/hello": { human_minutes: 9 } }), "times.txt.json");
  assertEquals(keyed.entries.get("esolang/hello")?.humanSource, "estimate");
  // No extension: JSON recognised by its first character, CSV otherwise.
  assertEquals(parseTaskMeta('[{"task":"a/b","human_minutes":1}]', "table").entries.size, 1);
  assertEquals(parseTaskMeta("task,human_minutes\na/b,1\n", "table").entries.size, 1);
});

Deno.test("task-meta: a bad row rejects the table, naming file, line and field", () => {
  const e = metaError(() =>
    parseTaskMeta(
      [
        "task,human_minutes,human_source",
        "ok_family/fine,10,estimate",
        "ok_family/neg,-3,estimate",
        "ok_family/src,10,guess",
        "no_slash,10,",
        "ok_family/fine,12,",
        "ok_family/empty,,",
      ].join("\n"),
      "times.csv",
    )
  );
  const lines = e.issues.map(formatTaskMetaIssue);
  assert(lines.some((l) => /^times\.csv:3 \(human_minutes\): .*>0/.test(l)), lines.join("\n"));
  assert(lines.some((l) => /^times\.csv:4 \(human_source\): /.test(l)), lines.join("\n"));
  assert(lines.some((l) => /^times\.csv:5 \(task\): .*not a full task id/.test(l)), lines.join("\n"));
  assert(
    lines.some((l) => /^times\.csv:6 \(task\): .*given twice \(also at times\.csv:2\)/.test(l)),
    lines.join("\n"),
  );
  assert(lines.some((l) => /^times\.csv:7 \(human_minutes\): required/.test(l)), lines.join("\n"));
  assert(e.message.includes("times.csv"));

  const unknownColumn = metaError(() => parseTaskMeta("task,human_minutes,humn_source\na/b,1,qa\n", "t.csv"));
  assertEquals(unknownColumn.issues.map(formatTaskMetaIssue), [
    "t.csv:1 (humn_source): unknown column (expected task, human_minutes, human_source, domain, quality, summary, detail)",
  ]);
  const missing = metaError(() => parseTaskMeta("task,domain\na/b,research\n", "t.csv"));
  assertEquals(missing.issues.map(formatTaskMetaIssue), ["t.csv:1 (human_minutes): missing column"]);

  const json = metaError(() =>
    parseTaskMeta(
      JSON.stringify([{ task: "a/b", human_minutes: 1 }, { task: "a/c", human_minutes: "x" }]),
      "t.json",
    )
  );
  assertEquals(json.issues.length, 1);
  assert(/^t\.json row 2 \(human_minutes\): /.test(formatTaskMetaIssue(json.issues[0])));
  const extra = metaError(() =>
    parseTaskMeta(JSON.stringify({ "a/b": { human_minutes: 1, mins: 2 } }), "t.json")
  );
  assert(/^t\.json entry "a\/b" \(mins\): unknown field/.test(formatTaskMetaIssue(extra.issues[0])));
  assert(/not valid JSON/.test(metaError(() => parseTaskMeta("[{", "t.json")).message));
});

Deno.test("task-meta: readTaskMeta reads a file and names it in errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-task-meta-" });
  try {
    await Deno.writeTextFile(`${dir}/t.csv`, "task,human_minutes\nfam/x,4\n");
    assertEquals((await readTaskMeta(`${dir}/t.csv`)).entries.get("fam/x")?.humanMinutes, 4);
    const missing = await readTaskMeta(`${dir}/nope.csv`).then(() => null, (e) => e);
    assert(missing instanceof TaskMetaError);
    assert(missing.message.includes(`${dir}/nope.csv`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ------------------------------------------------------------------------------------------------
// Task names and safe ids

Deno.test("task names: METR's names are accepted; slashes, whitespace and control characters are not", () => {
  for (
    const name of ["fixed-date", "Password", "astropy__astropy-12907", "v1.2", "a+b", "0", "x".repeat(128)]
  ) {
    assert(TaskName.safeParse(name).success, name);
  }
  for (
    const name of [
      "a/b",
      " x",
      "x ",
      "a b",
      "bell\u0007",
      "tab\t",
      "",
      "-x",
      ".hidden",
      "..",
      "x".repeat(129),
    ]
  ) {
    assert(!TaskName.safeParse(name).success, JSON.stringify(name));
  }
});

Deno.test("safe ids: [a-z0-9_-] tokens, unchanged when already safe, distinct for Password and password", () => {
  assertEquals(safeTaskName("fixed-date"), "fixed-date");
  assertEquals(safeTaskName("astropy__astropy-12907"), "astropy__astropy-12907");
  const upper = safeTaskName("Password"), lower = safeTaskName("password");
  assertEquals(lower, "password");
  assert(/^password-[0-9a-f]{8}$/.test(upper), upper);
  assert(upper !== lower);
  const names = [
    "Password",
    "password",
    "PASSWORD",
    "pass.word",
    "pass_word",
    "pass+word",
    "v1.2",
    "x".repeat(128),
  ];
  const tokens = names.map(safeTaskName);
  assertEquals(new Set(tokens).size, names.length, tokens.join(" "));
  for (const t of tokens) assert(/^[a-z0-9][a-z0-9_-]{0,63}$/.test(t), t);
  assertEquals(safeTaskId("apt_build/fixed-date"), "apt_build--fixed-date");
  assert(safeTaskId("apt_build/Password") !== safeTaskId("apt_build/password"));
  assert(/^apt_build--password-[0-9a-f]{8}$/.test(safeTaskId("apt_build/Password")));
  // Anything at all (a workbench argument) becomes a safe token.
  for (const id of ["../../etc/passwd", "a b/c d", "x/\u0000"]) {
    assert(/^[a-z0-9][a-z0-9_-]*$/.test(safeTaskId(id)), id);
  }
});

Deno.test("loader: a family with bad task names loads its other tasks; each bad name is an error naming the rule", async () => {
  const suite = await loadSuite(NAMES);
  assertEquals(
    suite.tasks.map((t) => t.id),
    [
      "names/fixed-date",
      "names/Password",
      "names/password",
      "names/astropy__astropy-12907",
      "names/v1.2+cpu",
    ],
  );
  assertEquals(suite.tasks.map((t) => t.safeId), suite.tasks.map((t) => safeTaskId(t.id)));
  assertEquals(new Set(suite.tasks.map((t) => t.safeId)).size, 5);
  const bad = suite.errors.map((e) => [e.family, e.task, e.field]);
  assertEquals(bad, [["names", "a/b", "name"], ["names", " x", "name"], ["names", "bell\u0007", "name"]]);
  for (const e of suite.errors) {
    assert(e.reason.includes("no '/', whitespace or control characters"), e.message);
  }
  // The message never carries the raw control character.
  assert(suite.errors[2].message.startsWith('names/"bell\\u0007" (name)'), suite.errors[2].message);
});

// ------------------------------------------------------------------------------------------------
// Metadata of METR-format tasks

const manifest = (yaml: string) => parseManifest(yaml, "fam");

Deno.test("metr metadata: no manifest means every field unknown", () => {
  const { metadata, warnings } = metrTaskMetadata("fam", "fixed-date", undefined);
  assertEquals(metadata, { humanSource: "unknown", domain: "unknown", quality: "unknown" });
  assertEquals(warnings, []);
});

Deno.test("metr metadata: evalkit's fields win over METR's; task_description and expertise map cleanly", () => {
  const m = manifest(`
meta:
  expertise: Software Engineering
tasks:
  full:
    meta:
      human_minutes: 30
      human_source: baseline
      domain: research
      quality: qa_ready
      summary: Evalkit's own summary sentence.
      task_description: METR's description, not used here.
  metr_only:
    meta:
      task_description: Guess the number between 1 and 100, answer with just the number.
  minutes_only:
    meta:
      human_minutes: 12
      expertise: [cyber, security]
`);
  assertEquals(metrTaskMetadata("fam", "full", m).metadata, {
    humanMinutes: 30,
    humanSource: "baseline",
    domain: "research",
    quality: "qa_ready",
    summary: "Evalkit's own summary sentence.",
  });
  assertEquals(metrTaskMetadata("fam", "metr_only", m).metadata, {
    humanSource: "unknown",
    domain: "software_engineering", // the family's expertise
    quality: "unknown",
    summary: "Guess the number between 1 and 100, answer with just the number.",
  });
  assertEquals(metrTaskMetadata("fam", "minutes_only", m).metadata, {
    humanMinutes: 12,
    humanSource: "estimate", // minutes without a source are an estimate
    domain: "cybersecurity", // the task's own expertise, both words naming one domain
    quality: "unknown",
  });
});

Deno.test("metr metadata: METR fields that do not map are warnings; evalkit fields that are bad are errors", () => {
  const m = manifest(`
tasks:
  odd:
    meta:
      expertise: [biology]
      task_description: short
      human_source: qa
  bad_minutes:
    meta:
      human_minutes: -3
  bad_domain:
    meta:
      domain: biology
`);
  const odd = metrTaskMetadata("fam", "odd", m);
  assertEquals(odd.metadata, { humanSource: "unknown", domain: "unknown", quality: "unknown" });
  const fields = odd.warnings.map((w) => w.field);
  assertEquals(fields.sort(), [
    "manifest.yaml tasks.odd.meta.expertise",
    "manifest.yaml tasks.odd.meta.human_source",
    "manifest.yaml tasks.odd.meta.task_description",
  ]);
  assert(odd.warnings.every((w) => w instanceof TaskLoadWarning && w.message.startsWith("fam/odd (")));
  for (const [task, field] of [["bad_minutes", "human_minutes"], ["bad_domain", "domain"]]) {
    let error: unknown;
    try {
      metrTaskMetadata("fam", task, m);
    } catch (e) {
      error = e;
    }
    assert(error instanceof TaskLoadError, task);
    assertEquals([error.family, error.task, error.field], [
      "fam",
      task,
      `manifest.yaml tasks.${task}.meta.${field}`,
    ]);
  }
});

Deno.test("metr metadata: the task-times table overrides the manifest", () => {
  const m = manifest(`
tasks:
  main:
    meta: { human_minutes: 30, human_source: baseline, domain: research }
`);
  const table = parseTaskMeta("task,human_minutes,domain\nfam/main,45,data_analysis\n", "t.csv");
  assertEquals(metrTaskMetadata("fam", "main", m, table).metadata, {
    humanMinutes: 45,
    humanSource: "estimate",
    domain: "data_analysis",
    quality: "unknown",
  });
});

Deno.test("readManifest: undefined without manifest.yaml; bad YAML or schema names the file and field", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-manifest-" });
  try {
    assertEquals(await readManifest(dir, "fam"), undefined);
    await Deno.writeTextFile(`${dir}/manifest.yaml`, "tasks: [unclosed");
    const yaml = await readManifest(dir, "fam").then(() => null, (e) => e);
    assert(yaml instanceof TaskLoadError && yaml.field === "manifest.yaml", String(yaml));
    await Deno.writeTextFile(`${dir}/manifest.yaml`, "tasks:\n  main:\n    resources: { cpus: -1 }\n");
    const schema = await readManifest(dir, "fam").then(() => null, (e) => e);
    assert(schema instanceof TaskLoadError, String(schema));
    assertEquals(schema.field, "manifest.yaml tasks.main.resources.cpus");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ------------------------------------------------------------------------------------------------
// The loader with unknown metadata

const body = { instructions: "Submit ok." };
const full = {
  ...body,
  humanMinutes: 20,
  humanSource: "estimate" as const,
  domain: "research" as const,
  quality: "implementation" as const,
  summary: "A fixture task, fully described.",
  detail: "All six metadata fields are given, as a TypeScript family must give them.",
};

Deno.test("loader: a METR-format family may leave metadata unknown (no bucket); a TypeScript one may not", () => {
  const metr = validateFamily(
    "nometa",
    "/nonexistent/nometa",
    "metr-python",
    defineMetrTaskFamily({
      name: "nometa",
      version: "1.0.0",
      standardVersion: "0.3.0",
      tasks: { "fixed-date": body, "Password": { ...body, humanMinutes: 5, humanSource: "qa" } },
      loadErrors: [
        new TaskLoadError("nometa", "broken", "get_instructions()", "must return a non-empty string"),
      ],
      loadWarnings: [
        new TaskLoadWarning("nometa", "Password", "manifest.yaml meta.expertise", "maps to none"),
      ],
    }),
  );
  assertEquals(metr.family?.tasks.map((t) => [t.id, t.bucket?.id, t.manifest.humanSource]), [
    ["nometa/fixed-date", undefined, "unknown"],
    ["nometa/Password", "several_minutes", "qa"],
  ]);
  assertEquals(metr.errors.map((e) => e.task), ["broken"]);
  assertEquals(metr.warnings.map((w) => w.task), ["Password"]);
  assertEquals(taskSummaryRow(metr.family!.tasks[0]), {
    id: "nometa/fixed-date",
    family: "nometa",
    name: "fixed-date",
    humanMinutes: null,
    humanSource: "unknown",
    bucket: "unknown",
    domain: "unknown",
    quality: "unknown",
    summary: null,
    format: "metr-python",
    permissions: [],
    successThreshold: 0.5,
  });
  // The same tasks in a TypeScript family: each missing field is an error, and minutes without a source too.
  const ts = validateFamily(
    "strict",
    "/nonexistent/strict",
    "typescript",
    defineTaskFamily({
      name: "strict",
      version: "1.0.0",
      standardVersion: "1.0.0",
      tasks: { ok: full, bare: body as typeof full },
    }),
  );
  assertEquals(ts.family?.tasks.map((t) => t.id), ["strict/ok"]);
  assertEquals(
    new Set(ts.errors.map((e) => e.field)),
    new Set(
      ["humanMinutes", "humanSource", "domain", "quality", "summary", "detail"].map((f) => `tasks.bare.${f}`),
    ),
  );
  // Inconsistent minutes/source in a METR definition is an error naming the field.
  const odd = validateFamily(
    "odd",
    "/x/odd",
    "metr-python",
    defineMetrTaskFamily({
      name: "odd",
      version: "1.0.0",
      standardVersion: "0.3.0",
      tasks: { main: { ...body, humanSource: "baseline" } },
    }),
  );
  assertEquals(odd.errors.map((e) => e.field), ["tasks.main.humanSource"]);
});

Deno.test("loader: the task-times table fills and overrides metadata of any family format, and buckets follow", () => {
  const table = parseTaskMeta(
    "task,human_minutes,human_source,domain\nnometa/fixed-date,100,baseline,software_engineering\nstrict/ok,2,,\n",
    "t.csv",
  );
  const metr = validateFamily(
    "nometa",
    "/x/nometa",
    "metr-python",
    defineMetrTaskFamily({
      name: "nometa",
      version: "1.0.0",
      standardVersion: "0.3.0",
      tasks: { "fixed-date": body },
    }),
    undefined,
    table,
  );
  const t = metr.family!.tasks[0];
  assertEquals([t.manifest.humanMinutes, t.manifest.humanSource, t.manifest.domain, t.bucket?.id], [
    100,
    "baseline",
    "software_engineering",
    "few_hours",
  ]);
  const ts = validateFamily(
    "strict",
    "/x/strict",
    "typescript",
    defineTaskFamily({ name: "strict", version: "1.0.0", standardVersion: "1.0.0", tasks: { ok: full } }),
    undefined,
    table,
  );
  const o = ts.family!.tasks[0];
  assertEquals([o.manifest.humanMinutes, o.manifest.humanSource, o.manifest.domain, o.bucket?.id], [
    2,
    "estimate",
    "research",
    "few_minutes",
  ]);
});

Deno.test("loadSuite: --task-meta rows naming no task are warnings; a bad table throws", async () => {
  const table = parseTaskMeta("task,human_minutes\nnames/Password,8\nnames/ghost,3\n", "t.csv");
  const suite = await loadSuite(NAMES, { taskMeta: table });
  assertEquals(suite.tasks.find((t) => t.name === "Password")?.manifest.humanMinutes, 8);
  assertEquals(suite.tasks.find((t) => t.name === "password")?.manifest.humanMinutes, 6);
  assertEquals(suite.warnings.map((w) => w.message), [
    't.csv (line 3): "names/ghost" is no task of the suite (or one that failed to load); row not used',
  ]);
  const dir = await Deno.makeTempDir({ prefix: "evalkit-task-meta-" });
  try {
    await Deno.writeTextFile(`${dir}/bad.csv`, "task,human_minutes\nnames/Password,zero\n");
    const e = await loadSuite(NAMES, { taskMeta: `${dir}/bad.csv` }).then(() => null, (e) => e);
    assert(e instanceof TaskMetaError, String(e));
    assertEquals(e.issues.map(formatTaskMetaIssue).map((l) => l.slice(dir.length)), [
      '/bad.csv:2 (human_minutes): expected a positive number of minutes, got "zero"',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ------------------------------------------------------------------------------------------------
// Analyses leave tasks without minutes out, with one note

const thresholds: Threshold[] = [
  { id: "p50-1h", metric: "p50_horizon", comparator: ">=", value: 1, unit: "hours", meaning: "m" },
  { id: "lvl-3", metric: "level", comparator: ">=", value: 3, unit: "level", meaning: "m" },
];

/** Runs of three agents on 24 tasks; the tasks of family fam0 lose their minutes in `full`. */
function runsWithUnknownMinutes() {
  const tasks = simTasks(8, 3, 1, 900, 71);
  const h50: Record<string, number> = { basic: 10, chat: 20, tools: 60 };
  const known = simRuns(
    tasks,
    ["basic", "chat", "tools"],
    (v, t) => logisticP(t.human_minutes, h50[v]),
    3,
    72,
  );
  const rows = known.objects() as Record<string, unknown>[];
  const full = from(rows.map((r) => (r.task_family === "fam0" ? { ...r, human_minutes: null } : r)));
  const subset = from(rows.filter((r) => r.task_family !== "fam0"));
  return { full, subset, missing: ["fam0/t0", "fam0/t1", "fam0/t2"], missingRuns: 3 * 3 * 3 };
}

Deno.test("horizons: tasks without minutes are left out, named in one note; the result equals the subset's", () => {
  const { full, subset, missing, missingRuns } = runsWithUnknownMinutes();
  const cols = runColumns(full);
  assertEquals(cols.excluded, { tasks: missing, runs: missingRuns });
  assertEquals(runColumns(subset).excluded, undefined);
  const note = minutesNote(cols.excluded!);
  assertEquals(note, `left out 3 tasks without human minutes (27 runs): ${missing.join(", ")}`);
  const opts = { replicates: 40, seed: 5 };
  const a = bootstrapHorizons(full, opts), b = bootstrapHorizons(subset, opts);
  assertEquals(a.notes, [note]);
  assertEquals(a.excluded, cols.excluded);
  assertEquals(b.notes, []);
  assertNode.deepStrictEqual(a.point, b.point);
  assertNode.deepStrictEqual(a.summary, b.summary);
  assertNode.deepStrictEqual(agentHorizons(full), agentHorizons(subset));
  // Stale METR weight columns (computed with the left-out tasks) are recomputed, not trusted.
  const weighted = parseMetrRuns(toRunsJsonl(full)); // fills weights over all rows, nulls included
  assertEquals(weighted.columns.excluded?.tasks, missing);
  assertNode.deepStrictEqual(agentHorizons(weighted.table), agentHorizons(subset));
});

Deno.test("protocol: tasks without minutes are left out of the whole report, with one note naming them", () => {
  const { full, subset, missing } = runsWithUnknownMinutes();
  const opts = { thresholds, replicates: 30, seed: 4, baseline: "basic" };
  const a = protocolReport(full, opts), b = protocolReport(subset, opts);
  const note = a.notes.filter((n) => n.startsWith("left out"));
  assertEquals(note.length, 1);
  for (const id of missing) assert(note[0].includes(id), note[0]);
  assertEquals(a.excluded?.tasks, missing);
  assertEquals(a.notes.filter((n) => !n.startsWith("left out")), b.notes);
  const { notes: _a, excluded: _e, ...restA } = a;
  const { notes: _b, ...restB } = b;
  assertNode.deepStrictEqual(JSON.parse(JSON.stringify(restA)), JSON.parse(JSON.stringify(restB)));
  // Called on its own, a bucket score never puts a task without minutes in a bucket.
  assertNode.deepStrictEqual(bucketScores(full), bucketScores(subset));
});

Deno.test("runs: events and tables carry null minutes; withKnownMinutes drops them; --task-meta fills them", () => {
  assert(CellStartEvent.shape.human_minutes.safeParse(null).success);
  const { full, subset, missing } = runsWithUnknownMinutes();
  const known = withKnownMinutes(full);
  assertEquals(known.table.numRows(), subset.numRows());
  assertEquals(known.excluded?.tasks, missing);
  // Round trip through runs.jsonl keeps the column (null), so the file reads back.
  const back = parseMetrRuns(toRunsJsonl(full));
  assertEquals(back.errors, []);
  assertEquals(back.rows.filter((r) => r.human_minutes === null).length, 27);
  const table: TaskMetaTable = parseTaskMeta(
    `task,human_minutes,human_source\n${missing.map((t) => `${t},30,baseline`).join("\n")}\n`,
    "t.csv",
  );
  const filled = applyTaskMetaToRuns(full, table);
  assertEquals([filled.runs, filled.tasks], [27, 3]);
  assertEquals(withKnownMinutes(filled.table).excluded, undefined);
  assertEquals(runColumns(filled.table).excluded, undefined);
});
