/**
 * Inspect import speed: a generated `.eval` log of N samples (default 10,000; each an agentic transcript of
 * a system and a user message, 3 tool calls with outputs and a final answer, a score, model usage) written
 * to a temporary directory, then `readInspectRuns` on it, 5 times; prints the median and the transcript read
 * of one sample; then the same for the samples written as a `.json` log. Target (issue 13): 10,000 samples
 * in ≤ 2 s.
 *
 * Usage: deno run -A bench/inspect_import.ts [--n 10000] [--repeat 5]
 */
import { join } from "node:path";
import { readInspectRuns, readInspectTranscript } from "../lib/frame/inspect/mod.ts";
import { header, sample, writeEvalLog, writeJsonLog } from "../tests/fixtures/inspect/make.ts";

function argument(name: string, fallback: number): number {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 && Deno.args[index + 1] ? Number(Deno.args[index + 1]) : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const n = argument("n", 10_000), repeat = argument("repeat", 5);
const dir = await Deno.makeTempDir({ prefix: "inspect_bench_" });
try {
  const file = join(dir, "bench.eval");
  const samples = [];
  for (let i = 0; i < n; i++) {
    samples.push(sample({
      id: i,
      epoch: 1,
      scores: { includes: i % 3 === 0 ? "C" : "I" },
      minutes: 1 + (i % 120),
      toolCalls: 3,
    }));
  }
  await writeEvalLog(file, { header: header({ evalId: "bench" }), samples });
  const jsonFile = join(dir, "bench.json");
  await writeJsonLog(jsonFile, { header: header({ evalId: "bench" }), samples });
  samples.length = 0;
  const size = (await Deno.stat(file)).size;
  const times: number[] = [];
  let rows = 0;
  for (let k = 0; k < repeat; k++) {
    const t0 = performance.now();
    const r = await readInspectRuns(file, { minutesKey: "human_minutes" });
    times.push(performance.now() - t0);
    rows = r.table.numRows();
    if (r.notes.length) throw new Error(`unexpected notes: ${r.notes.join("; ")}`);
  }
  const t0 = performance.now();
  const events = await readInspectTranscript(file, `bench/${Math.floor(n / 2)}/1`);
  const transcriptMs = performance.now() - t0;
  console.log(
    `inspect import: ${rows} samples from a ${(size / 1e6).toFixed(1)} MB .eval: median ${
      (median(times) / 1000).toFixed(2)
    } s of ${repeat} (${
      times.map((t) => (t / 1000).toFixed(2)).join(", ")
    }); one transcript (${events.length} events) ${transcriptMs.toFixed(0)} ms`,
  );
  const jsonTimes: number[] = [];
  for (let k = 0; k < repeat; k++) {
    const t1 = performance.now();
    await readInspectRuns(jsonFile, { minutesKey: "human_minutes" });
    jsonTimes.push(performance.now() - t1);
  }
  console.log(
    `inspect import: the same samples as a ${
      ((await Deno.stat(jsonFile)).size / 1e6).toFixed(1)
    } MB .json: median ${(median(jsonTimes) / 1000).toFixed(2)} s of ${repeat}`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
