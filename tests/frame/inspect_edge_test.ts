/**
 * The Inspect importer on generated edge cases: error/cancelled/journal-only/summaries-only logs, samples
 * without scores, unknown and old format versions, corrupt and truncated files, many epochs, limits, dict
 * scores, metadata minutes, options — rows kept where readable and one note per file saying what was not.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readInspectRuns, readInspectTranscript } from "../../lib/frame/inspect/mod.ts";
import { ZipFile } from "../../lib/frame/inspect/zip.ts";
import { evalLogBytes, header, sample, writeEvalLog, writeJsonLog } from "../fixtures/inspect/make.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Row = Record<string, unknown>;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "inspect_edge_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function importOne(path: string, options = {}) {
  const r = await readInspectRuns(path, options);
  return { ...r, rows: r.table.objects() as Row[] };
}

Deno.test("status error and cancelled: samples written are kept, one note says why", opts, async () => {
  await withDir(async (dir) => {
    const a = join(dir, "a.eval"), b = join(dir, "b.eval");
    await writeEvalLog(a, {
      header: header({ evalId: "E1", status: "error", error: "RuntimeError: sandbox died\nmore" }),
      samples: [sample({ id: 1, scores: { includes: "C" } }), sample({ id: 2, error: "sandbox died" })],
    });
    await writeEvalLog(b, {
      header: header({ evalId: "E2", status: "cancelled" }),
      samples: [sample({ id: 1, scores: { includes: "I" } })],
    });
    const r = await importOne(dir);
    assert.equal(r.files, 2);
    assert.equal(r.samples, 3);
    const e1 = r.rows.filter((x) => x.eval_id === "E1");
    assert.equal(e1.length, 2);
    assert.equal(e1[1].error, "sandbox died");
    assert.equal(e1[1].score, null);
    assert.equal(e1[0].log_status, "error");
    assert.equal(r.notes.length, 2);
    assert.match(
      r.notes[0],
      /a\.eval: log status error \(RuntimeError: sandbox died\): the samples written are kept/,
    );
    assert.match(r.notes[0], /1 sample kept with no scores \(2#1\)/);
    assert.match(r.notes[1], /b\.eval: log status cancelled/);
  });
});

Deno.test(
  "journal-only log (no header.json): header from _journal/start.json, samples kept",
  opts,
  async () => {
    await withDir(async (dir) => {
      const f = join(dir, "running.eval");
      await writeEvalLog(f, {
        header: header({ evalId: "J" }),
        samples: [sample({ id: 1, scores: { includes: "C" } }), sample({ id: 2, scores: { includes: "P" } })],
        journalOnly: true,
      });
      const r = await importOne(f);
      assert.deepEqual(r.rows.map((x) => x.score), [1, 0.5]);
      assert.equal(r.rows[0].log_status, "started");
      assert.equal(r.notes.length, 1);
      assert.match(r.notes[0], /no header\.json \(journal only\)/);
      assert.match(r.notes[0], /still being written/);
    });
  },
);

Deno.test("summaries-only log: rows from summaries.json, noted (no transcripts)", opts, async () => {
  await withDir(async (dir) => {
    const f = join(dir, "s.eval");
    await writeEvalLog(f, {
      header: header({ evalId: "S" }),
      samples: [sample({ id: 1, scores: { includes: "C" } }), sample({ id: 2, scores: { includes: "I" } })],
      summariesOnly: true,
    });
    const r = await importOne(f);
    assert.deepEqual(r.rows.map((x) => x.score), [1, 0]);
    assert.equal(r.rows[0].total_tokens, 120);
    assert.equal(r.rows[0].actions, null);
    assert.match(r.notes[0], /rows from the sample summaries \(no transcripts\)/);
  });
});

Deno.test(
  "unknown format version: read anyway with a note; format version 1 JSON with `score`",
  opts,
  async () => {
    await withDir(async (dir) => {
      await writeEvalLog(join(dir, "v9.eval"), {
        header: header({ evalId: "V9", version: 9 }),
        samples: [sample({ id: 1, scores: { includes: true } })],
      });
      const v1 = sample({ id: "q-1" });
      (v1 as Row).score = { value: "C" };
      await writeJsonLog(join(dir, "v1.json"), {
        header: header({ evalId: "V1", version: 1 }),
        samples: [v1],
      });
      const r = await importOne(dir);
      const v9 = r.rows.find((x) => x.eval_id === "V9")!;
      assert.equal(v9.score, 1);
      assert.match(
        r.notes.find((n) => n.includes("v9.eval"))!,
        /unknown format version 9; read as version 3/,
      );
      const one = r.rows.find((x) => x.eval_id === "V1")!;
      assert.equal(one.score, 1);
      assert.equal(one.task_id, "agentic/q-1");
      assert.equal(r.notes.some((n) => n.includes("v1.json")), false);
    });
  },
);

Deno.test(
  "corrupt and truncated files never throw: readable parts kept, one note per file",
  opts,
  async () => {
    await withDir(async (dir) => {
      // A zip cut off before its central directory: entries before the cut are read by their local headers.
      const bytes = evalLogBytes({
        header: header({ evalId: "T" }),
        samples: [1, 2, 3].map((id) => sample({ id, scores: { includes: "C" } })),
        journalOnly: true,
      });
      await Deno.writeFile(join(dir, "cut.eval"), bytes.subarray(0, bytes.length - 40));
      // Zip magic then garbage.
      await Deno.writeFile(join(dir, "garbage.eval"), new Uint8Array([0x50, 0x4b, 3, 4, 9, 9, 9, 9, 9, 9]));
      // JSON cut off in its third sample (the first two are kept), and JSON cut off in its header.
      const full = JSON.stringify({
        ...header({ evalId: "JT" }),
        samples: [1, 2, 3].map((id) => sample({ id, scores: { includes: "C" } })),
      });
      await Deno.writeTextFile(join(dir, "cut.json"), full.slice(0, full.lastIndexOf('"id":3') + 20));
      await Deno.writeTextFile(join(dir, "cut_head.json"), full.slice(0, 120));
      const r = await importOne(dir);
      assert.equal(r.files, 4);
      assert.deepEqual(r.rows.filter((x) => x.eval_id === "JT").map((x) => x.sample_id), ["1", "2"]);
      const cut = r.rows.filter((x) => x.eval_id === "T");
      assert.ok(cut.length >= 2, `kept ${cut.length} of 3 samples of the cut zip`);
      assert.match(r.notes.find((n) => n.includes("cut.eval"))!, /no zip central directory|cut off/);
      assert.match(r.notes.find((n) => n.includes("garbage.eval"))!, /garbage\.eval: skipped: /);
      assert.match(
        r.notes.find((n) => n.includes("cut.json"))!,
        /cut\.json: not valid JSON \(truncated\?\): the samples before the cut are kept/,
      );
      assert.match(
        r.notes.find((n) => n.includes("cut_head.json"))!,
        /cut_head\.json: skipped: not valid JSON \(truncated\?\): cut off before its header was complete/,
      );
    });
  },
);

Deno.test(
  "a corrupt sample entry is skipped; the transcript of another sample reads only its own entry",
  opts,
  async () => {
    await withDir(async (dir) => {
      const f = join(dir, "c.eval");
      await writeEvalLog(f, {
        header: header({ evalId: "C" }),
        samples: [
          sample({ id: "a", scores: { includes: "C" }, toolCalls: 2 }),
          sample({ id: "b", scores: { includes: "C" } }),
        ],
      });
      const zip = await ZipFile.open(f);
      const b = zip.get("samples/b_epoch_1.json")!;
      zip.close();
      const bytes = await Deno.readFile(f);
      const dataStart = b.localOffset + 30 + b.name.length;
      bytes.fill(0xff, dataStart, dataStart + b.compressedSize);
      await Deno.writeFile(f, bytes);
      const r = await importOne(f);
      assert.deepEqual(r.rows.map((x) => x.sample_id), ["a"]);
      assert.match(r.notes[0], /1 entry skipped: samples\/b_epoch_1\.json: unreadable/);
      const events = await readInspectTranscript(f, "C/a/1");
      assert.equal(events.filter((e) => e.type === "action").length, 2);
      await assert.rejects(() => readInspectTranscript(f, "C/b/1"));
    });
  },
);

Deno.test("many epochs: one row per sample × epoch with unique run ids", opts, async () => {
  await withDir(async (dir) => {
    const samples = [];
    for (let epoch = 1; epoch <= 12; epoch++) {
      for (const id of [1, 2]) {
        samples.push(sample({ id, epoch, scores: { includes: epoch % 3 === 0 ? "C" : "I" } }));
      }
    }
    await writeEvalLog(join(dir, "e.eval"), { header: header({ evalId: "EP" }), samples });
    const r = await importOne(dir);
    assert.equal(r.samples, 24);
    assert.equal(new Set(r.rows.map((x) => x.run_id)).size, 24);
    assert.equal(r.rows.filter((x) => x.score === 1).length, 8);
    assert.ok(r.rows.some((x) => x.run_id === "EP/2/12"));
  });
});

Deno.test(
  "limits map onto the toolkit's kinds; an unmapped one is kept in error and noted",
  opts,
  async () => {
    await withDir(async (dir) => {
      const f = join(dir, "l.eval");
      const kinds = ["token", "message", "time", "working", "cost", "context"];
      await writeEvalLog(f, {
        header: header({ evalId: "L", solver: "react", solverArgs: { attempts: 3 } }),
        samples: kinds.map((limit, i) => sample({ id: i, limit, scores: { includes: "I" }, toolCalls: 3 })),
      });
      const r = await importOne(f);
      assert.deepEqual(r.rows.map((x) => x.limit), ["tokens", "actions", "time", "time", "cost", null]);
      assert.equal(r.rows[5].error, "context limit");
      assert.equal(r.rows[0].actions, 3);
      assert.equal(r.rows[0].alias, "openai/gpt-4o · react(attempts=3)");
      assert.equal(r.rows[0].time_limit, null);
      assert.match(r.notes[0], /1 sample kept with limit "context" has no toolkit limit kind/);
      const events = await readInspectTranscript(f, "L/0/1");
      const end = events.at(-1)!;
      assert.deepEqual([end.type, end.status, end.limit, end.actions], ["cell_end", "limit", "tokens", 3]);
    });
  },
);

Deno.test(
  "an agentic transcript: messages, model calls, actions, outputs (an error), attachments, score, end",
  opts,
  async () => {
    await withDir(async (dir) => {
      const f = join(dir, "t.json");
      await writeJsonLog(f, {
        header: header({ evalId: "TR" }),
        samples: [sample({ id: 7, scores: { includes: "C" }, toolCalls: 2 })],
      });
      const events = await readInspectTranscript(f, "TR/7/1");
      assert.deepEqual(events.map((e) => e.type), [
        "message",
        "message",
        "model_call",
        "action",
        "observation",
        "model_call",
        "action",
        "observation",
        "model_call",
        "score",
        "cell_end",
      ]);
      assert.equal(events[0].role, "system");
      assert.equal(events[2].content, "step 0");
      assert.deepEqual(events[3].args, { cmd: "echo 0" });
      assert.equal(events[4].output, "0\n");
      assert.equal(events[7].is_error, true);
      assert.equal(events[7].output, "timeout: Command timed out");
      assert.equal(events[8].content, "The answer is 42."); // attachment://abc resolved
      assert.equal(events[9].score, 1);
      assert.equal(events[9].submission, "42");
      assert.equal(events[10].input_tokens, 100);
      assert.equal(events[10].duration_s, 12.5);
    });
  },
);

Deno.test(
  "options: scorer choice, dict scores by key, minutes from metadata and a task-times table",
  opts,
  async () => {
    await withDir(async (dir) => {
      const f = join(dir, "o.eval");
      await writeEvalLog(f, {
        header: header({ evalId: "O", scorers: ["first", "second"] }),
        samples: [
          sample({ id: 1, minutes: 30, scores: { first: { acc: 0.25, f1: 0.5 }, second: "C" } }),
          sample({ id: 2, scores: { first: { acc: 1, f1: 0 }, second: "no" } }),
        ],
      });
      let r = await importOne(f);
      assert.deepEqual(r.rows.map((x) => x.score), [null, null]);
      assert.match(
        r.notes[0],
        /2 samples kept with dict-valued score \(keys acc, f1\): name one with scoreKey/,
      );
      // The conventional metadata key is read when no key is named; its absence is not a problem then.
      assert.deepEqual(r.rows.map((x) => x.human_minutes), [30, null]);
      assert.doesNotMatch(r.notes[0], /metadata/);
      r = await importOne(f, { scoreKey: "f1", minutesKey: "human_minutes" });
      assert.deepEqual(r.rows.map((x) => x.score), [0.5, 0]);
      assert.deepEqual(r.rows.map((x) => x.human_minutes), [30, null]);
      assert.match(r.notes[0], /1 sample kept with no metadata human_minutes \(2#1\)/);
      r = await importOne(f, { scorer: "second" });
      assert.deepEqual(r.rows.map((x) => x.score), [1, 0]);
      assert.deepEqual(r.rows.map((x) => x.score_binarized), [1, 0]);
      const times = join(dir, "times.json");
      await Deno.writeTextFile(
        times,
        JSON.stringify({ "agentic/2": { human_minutes: 8, human_source: "baseline" } }),
      );
      r = await importOne(f, { scorer: "second", minutesKey: "human_minutes", taskMeta: times });
      assert.deepEqual(r.rows.map((x) => x.human_minutes), [30, 8]);
      assert.deepEqual(r.rows.map((x) => x.human_source), ["estimate", "baseline"]);
      await assert.rejects(
        () => readInspectRuns(f, { scorer: "x", bogus: 1 } as never),
        /unknown option "bogus"/,
      );
    });
  },
);

Deno.test(
  "a path that does not exist throws naming it; a folder without logs gives an empty table",
  opts,
  async () => {
    await withDir(async (dir) => {
      await assert.rejects(() => readInspectRuns(join(dir, "nope")), /nope: no such file or directory/);
      await Deno.writeTextFile(join(dir, "x.json"), "{}");
      const r = await importOne(dir);
      assert.equal(r.files, 0);
      assert.equal(r.table.numRows(), 0);
    });
  },
);

Deno.test(
  "a large .json log streams across read chunks (escapes, multi-byte text) like its .eval twin",
  opts,
  async () => {
    await withDir(async (dir) => {
      const samples = [];
      for (let i = 0; i < 2000; i++) {
        const s = sample({ id: `s${i}`, scores: { includes: i % 4 === 0 ? "C" : "I" }, toolCalls: 2 });
        (s.messages as Row[])[1].content = `é✓ "quoted" \\ back\nslash {not [a} bracket] ${
          "✓".repeat(i % 50)
        }`;
        samples.push(s);
      }
      const log = { header: header({ evalId: "BIG" }), samples };
      await writeJsonLog(join(dir, "big.json"), log);
      await writeEvalLog(join(dir, "big.eval"), { ...log, header: header({ evalId: "BIG2" }) });
      assert.ok((await Deno.stat(join(dir, "big.json"))).size > 2 * (1 << 20));
      const json = await importOne(join(dir, "big.json"));
      const zip = await importOne(join(dir, "big.eval"));
      assert.deepEqual(json.notes, []);
      assert.equal(json.samples, 2000);
      const strip = (rows: Row[]) => rows.map(({ run_id: _r, eval_id: _e, log_file: _f, ...rest }) => rest);
      assert.deepEqual(strip(json.rows), strip(zip.rows));
      const events = await readInspectTranscript(join(dir, "big.json"), "BIG/s1999/1");
      assert.equal(
        events[1].content,
        `é✓ "quoted" \\ back\nslash {not [a} bracket] ${"✓".repeat(1999 % 50)}`,
      );
    });
  },
);
