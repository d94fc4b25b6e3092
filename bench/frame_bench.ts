/**
 * Benchmark: load a synthetic 100,000-run event log into an arquero runs table.
 *
 *   deno run -A bench/frame_bench.ts [--runs 100000] [--keep]
 *
 * The log is realistic in shape: per run one cell_start, three model_call, two action, two observation,
 * one score and one cell_end line (10 lines, ~3.4 KB), written with the runner's own serialiser.
 * `deno task bench` runs a 10,000-run version through Deno.bench.
 * @module
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { eventLine } from "../lib/run/log_writer.ts";
import type { LogEvent } from "../lib/run/events.ts";
import { runs } from "../lib/frame/tables.ts";

/** Write a synthetic log of `n` runs (4 variants, 50 tasks in 10 families) and return its path. */
export async function writeSyntheticLog(dir: string, n: number): Promise<string> {
  const path = `${dir}/eval-synthetic.jsonl`;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  const variants = ["basic", "chat", "allTools", "bestOfN"];
  let buf: string[] = [];
  const flush = async () => {
    const bytes = enc.encode(buf.join(""));
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
    buf = [];
  };
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    const cell = i.toString(16).padStart(16, "0");
    const run_id = crypto.randomUUID();
    const task = i % 50, variant = variants[i % 4];
    const base = { t: t0 + i, cell, run_id };
    const events: LogEvent[] = [{
      type: "cell_start",
      ...base,
      eval_id: "eval-synthetic",
      task_id: `family${task % 10}/task${task}`,
      task_family: `family${task % 10}`,
      human_minutes: 2 ** (task % 9),
      human_source: "estimate",
      variant,
      variant_hash: "ab".repeat(32),
      scaffold: variant,
      args: { temperature: 0, maxTurns: 100 },
      model: "simulated/30",
      epoch: Math.floor(i / 200),
      seed: i,
      attempt: 1,
    }];
    for (let k = 0; k < 3; k++) {
      events.push({
        type: "model_call",
        ...base,
        model: "simulated/30",
        purpose: "action",
        n: 1,
        input_tokens: 500 + k,
        output_tokens: 80,
        cost_usd: 0.0012,
        duration_ms: 3,
        retries: 0,
        content: "I will look at the files first and then act on what I find there.",
        tool_calls: [{ name: "bash", arguments: { command: "ls -la /home/agent && cat instructions.txt" } }],
      });
      if (k < 2) {
        events.push({
          type: "action",
          ...base,
          index: k,
          tool: "bash",
          args: { command: "ls -la /home/agent" },
        });
        events.push({
          type: "observation",
          ...base,
          index: k,
          tool: "bash",
          output:
            "total 12\ndrwxr-xr-x 2 agent agent 4096 .\n-rw-r--r-- 1 agent agent 120 instructions.txt\n[exit code 0]",
          is_error: false,
          duration_ms: 12,
        });
      }
    }
    const score = i % 3 === 0 ? 1 : 0;
    events.push({ type: "score", ...base, score, submission: "42", submitted: true, duration_ms: 5 });
    events.push({
      type: "cell_end",
      ...base,
      status: "ok",
      limit: null,
      error: null,
      error_source: null,
      score,
      input_tokens: 1503,
      output_tokens: 240,
      cost_usd: 0.0036,
      actions: 2,
      model_calls: 3,
      duration_s: 0.31,
      agent_s: 0.2,
      started_at: t0 + i,
      completed_at: t0 + i + 310,
    });
    for (const e of events) buf.push(eventLine(e));
    if (buf.length > 20_000) await flush();
  }
  await flush();
  file.close();
  return path;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { runs: { type: "string", default: "100000" }, keep: { type: "boolean", default: false } },
  });
  const n = Number(values.runs);
  const dir = await Deno.makeTempDir({ prefix: "evalkit-frame-bench-" });
  const path = await writeSyntheticLog(dir, n);
  const size = (await Deno.stat(path)).size;
  console.log(`log: ${n} runs, ${(size / 2 ** 20).toFixed(1)} MiB`);
  const times: number[] = [], cpu: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const { table, issues } = await runs(dir);
    const used = process.cpuUsage(c);
    times.push((performance.now() - t) / 1000);
    cpu.push((used.user + used.system) / 1e6);
    if (table.numRows() !== n || issues.length) throw new Error(`expected ${n} rows, got ${table.numRows()}`);
  }
  const fmt = (xs: number[]) => xs.map((t) => t.toFixed(2)).join(", ");
  console.log(`runs(): wall ${fmt(times)} s; CPU ${fmt(cpu)} s (3 loads, ${n} rows each)`);
  console.log(
    `cores: ${navigator.hardwareConcurrency}, load average: ${
      Deno.loadavg().map((x) => x.toFixed(1)).join(" ")
    }`,
  );
  if (!values.keep) await Deno.remove(dir, { recursive: true });
}

if (!import.meta.main) {
  const benchDir = await Deno.makeTempDir({ prefix: "evalkit-frame-bench-" });
  const benchReady = writeSyntheticLog(benchDir, 10_000);
  Deno.bench({ name: "runs(): load a 10,000-run log into arquero", n: 5, warmup: 1 }, async () => {
    await benchReady;
    const { table } = await runs(benchDir);
    if (table.numRows() !== 10_000) throw new Error("wrong row count");
  });
}
