/**
 * `deno task eval --until-settled <question>`: run the grid in rounds, each round the cells the adaptive
 * rule of lib/plan/adaptive.ts picks, through the normal runner (same log, same resume semantics), until the
 * question is settled at the look's level (lib/plan/stopping.ts), the rounds or the budget run out, or no
 * cell is left. Each round's decision and its reasons go to the log as a `note` event (cell
 * `until-settled`, `data.kind` `round` or `final`) written before the round's cells run: a resumed command
 * reads the notes, finishes the last round's cells (the runner reruns the interrupted ones and skips the
 * finished ones) and goes on; the allocation is a deterministic function of the log and the seed.
 *
 * Question spec: `gap:<a>,<b>[,delta=0.1][,interval=0.8]`, `horizon:<agent>,above=<minutes>` (or
 * `below=`)`[,interval=0.8]`, `verdict:<agent>,value=<V>[,unit=hours][,comparator=>=][,confidence=0.9]` —
 * the names and values of `deno task plan`'s flags; agents are variant names.
 *
 * @module
 */
import { runs } from "../frame/tables.ts";
import { runColumns } from "../stats/run_columns.ts";
import { type EvalOptions, type EvalSummary, runEval } from "../run/runner.ts";
import { evalIdOf } from "../run/grid.ts";
import { LogWriter } from "../run/log_writer.ts";
import { acquireLogLock } from "../run/log_lock.ts";
import type { NoteEvent } from "../run/events.ts";
import {
  type CheckedQuestion,
  checkQuestion,
  describeQuestion,
  questionVariants,
} from "../plan/questions.ts";
import { allocate, currentCurves, decideLook, type LookDecision, type Pick } from "../plan/adaptive.ts";
import type { Spending } from "../plan/stopping.ts";

/** The note's `cell`: marks the adaptive rounds' notes in a log. */
export const SETTLE_NOTE_CELL = "until-settled";

/** Options of {@link runUntilSettled}. */
export interface SettleOptions {
  question: CheckedQuestion;
  /** Maximum rounds (= looks of the stopping rule). */
  maxRounds: number;
  /** Cells per round. */
  roundSize: number;
  /** Runs allowed in all (the log's finished cells of the question's variants count). */
  budgetRuns: number;
  spending: Spending;
  /** Bootstrap replicates of each look. */
  replicates: number;
}

/** One cell of a round: the task, the variant, the epoch. */
export interface RoundCell {
  task: string;
  variant: string;
  epoch: number;
}

/** What the last look said, for the summary. */
export interface SettleReport {
  question: string;
  rounds: number;
  /** `settled`, `max-rounds`, `budget` (or no cell left), or `running` (stopped by a signal). */
  outcome: "settled" | "max-rounds" | "budget" | "running";
  look: LookSummary | null;
  runs: number;
}

/** A look's decision as recorded in the notes. */
export interface LookSummary {
  look: number;
  looks: number;
  alpha: number;
  nominalAlpha: number;
  /** Interval width at the look's level (gap/horizon), or the verdict's confidence. */
  level: number;
  side: "above" | "below" | null;
  estimate: number;
  lower: number;
  upper: number;
  settled: boolean;
}

/** The summary line of an `--until-settled` run (null for a plain run's summary). */
export function settleLine(summary: EvalSummary | (EvalSummary & { settle: SettleReport })): string | null {
  if (!("settle" in summary)) return null;
  const s = summary.settle;
  const look = s.look
    ? `; last look ${s.look.look}/${s.look.looks}: estimate ${s.look.estimate.toPrecision(3)} [${
      s.look.lower.toPrecision(3)
    }, ${s.look.upper.toPrecision(3)}] at per-side level ${s.look.alpha.toPrecision(2)} → ${
      s.look.side ?? "undecided"
    }`
    : "";
  return `until settled: ${s.question}: ${s.outcome} after ${s.rounds} round(s), ${s.runs} runs${look}`;
}

/**
 * Parse a question spec (see the module note).
 * @throws Error naming the problem
 */
export function parseQuestionSpec(spec: string): CheckedQuestion {
  const m = spec.match(/^(gap|horizon|verdict):(.+)$/);
  if (!m) throw new Error(`--until-settled: expected gap:…, horizon:… or verdict:…, got "${spec}"`);
  const positional: string[] = [];
  const keys: Record<string, string> = {};
  for (const part of m[2].split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.match(/^(delta|interval|above|below|value|unit|comparator|confidence)=(.*)$/);
    if (eq) keys[eq[1]] = eq[2];
    else positional.push(part);
  }
  const num = (k: string) => {
    if (keys[k] === undefined) return undefined;
    const n = Number(keys[k]);
    if (!Number.isFinite(n)) throw new Error(`--until-settled: ${k}=${keys[k]} is not a number`);
    return n;
  };
  const kind = m[1];
  const allowed: Record<string, string[]> = {
    gap: ["delta", "interval"],
    horizon: ["above", "below", "interval"],
    verdict: ["value", "unit", "comparator", "confidence"],
  };
  for (const k of Object.keys(keys)) {
    if (!allowed[kind].includes(k)) throw new Error(`--until-settled: ${kind} takes no ${k}=`);
  }
  const want = kind === "gap" ? 2 : 1;
  if (positional.length !== want) {
    throw new Error(
      `--until-settled: ${kind} needs ${want === 2 ? "two variants (gap:a,b)" : "one variant"}, got ${
        positional.length ? positional.join(", ") : "none"
      }`,
    );
  }
  let q: unknown;
  if (kind === "gap") {
    q = {
      question: "gap",
      a: positional[0],
      b: positional[1],
      delta: num("delta"),
      interval: num("interval"),
    };
  } else if (kind === "horizon") {
    if ((keys.above === undefined) === (keys.below === undefined)) {
      throw new Error("--until-settled: horizon needs exactly one of above=<minutes>, below=<minutes>");
    }
    const above = keys.above !== undefined;
    q = {
      question: "horizon",
      agent: positional[0],
      threshold: num(above ? "above" : "below"),
      direction: above ? "above" : "below",
      interval: num("interval"),
    };
  } else {
    q = {
      question: "verdict",
      agent: positional[0],
      value: num("value"),
      unit: keys.unit,
      comparator: keys.comparator,
      confidence: num("confidence"),
    };
  }
  const clean = Object.fromEntries(
    Object.entries(q as Record<string, unknown>).filter(([, v]) => v !== undefined),
  );
  try {
    return checkQuestion(clean, "--until-settled");
  } catch (e) {
    throw new Error((e as Error).message.split("\n")[0]);
  }
}

/** The adaptive notes of a log, in order. */
export async function readSettleNotes(logPath: string): Promise<NoteEvent[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(logPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const out: NoteEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith('{"type":"note"') || !line.includes(SETTLE_NOTE_CELL)) continue;
    try {
      const ev = JSON.parse(line) as NoteEvent;
      if (ev.cell === SETTLE_NOTE_CELL && ev.data) out.push(ev);
    } catch {
      // a torn last line: the runner's reader reports it
    }
  }
  return out;
}

async function writeNote(logPath: string, message: string, data: Record<string, unknown>, runId: string) {
  const release = await acquireLogLock(logPath);
  try {
    const w = LogWriter.open(logPath);
    try {
      w.write({ type: "note", t: Date.now(), cell: SETTLE_NOTE_CELL, run_id: runId, message, data });
    } finally {
      w.close();
    }
  } finally {
    release();
  }
}

function summarise(q: CheckedQuestion, d: LookDecision): LookSummary {
  return {
    look: d.look,
    looks: d.looks,
    alpha: d.alpha,
    nominalAlpha: d.nominalAlpha,
    level: q.question === "verdict" ? 1 - d.alpha : 1 - 2 * d.alpha,
    side: d.answer.side,
    estimate: d.answer.estimate,
    lower: d.answer.lower,
    upper: d.answer.upper,
    settled: d.settled,
  };
}

function describeLook(q: CheckedQuestion, l: LookSummary): string {
  const unit = q.question === "gap" ? "" : " min";
  const f = (x: number) =>
    !Number.isFinite(x)
      ? (Number.isNaN(x) ? "—" : String(x))
      : q.question === "gap"
      ? (x * 100).toFixed(1) + " pts"
      : x.toPrecision(3) + unit;
  const what = q.question === "verdict"
    ? `P ≥ ${l.level.toFixed(4)}`
    : `${(l.level * 100).toFixed(2)}% interval`;
  return `look ${l.look}/${l.looks} (${what}): estimate ${f(l.estimate)} [${f(l.lower)}, ${f(l.upper)}] → ${
    l.side ?? "undecided"
  }`;
}

/**
 * Run the grid of `options` in adaptive rounds (see the module note). Returns the last round's runner
 * summary (or a summary of nothing run) with the adaptive report.
 */
export async function runUntilSettled(
  options: EvalOptions,
  settle: SettleOptions,
): Promise<EvalSummary & { settle: SettleReport }> {
  const t0 = performance.now();
  const q = settle.question;
  const variants = questionVariants(q);
  if (options.models.length !== 1) throw new Error("--until-settled takes exactly one --model");
  const model = options.models[0];
  for (const v of variants) {
    if (!options.variants.some((x) => x.name === v)) {
      throw new Error(`--until-settled: variant "${v}" is not among --variants`);
    }
  }
  const untimed = options.tasks.filter((t) => t.manifest.humanMinutes === undefined);
  if (untimed.length) {
    throw new Error(`--until-settled needs each task's human minutes (${untimed[0].id} has none)`);
  }
  const maxEpochs = options.epochs ?? 1;
  const seed = options.seed ?? 0;
  const evalId = options.evalId ?? await evalIdOf({
    tasks: options.tasks.map((t) => t.id),
    variantHashes: options.variants.map((v) => v.hash),
    models: options.models,
    epochs: maxEpochs,
    seed,
    sandbox: options.driver.name,
  });
  const logPath = `${options.logDir.replace(/\/+$/, "")}/${evalId}.jsonl`;
  await Deno.mkdir(options.logDir, { recursive: true });
  const candidates = options.tasks.map((t) => ({ id: t.id, minutes: t.manifest.humanMinutes! }));
  const looks = settle.maxRounds;
  let last: EvalSummary | null = null;
  let ranTotal = 0;
  const counts = { ok: 0, limit: 0, error: 0 };

  // State from the log: finished cells of the question's variants, and the notes.
  const state = async () => {
    let table = null;
    try {
      await Deno.stat(logPath);
      table = (await runs(logPath)).table;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const rows = table
      ? (table.objects() as Array<Record<string, unknown>>).filter((r) =>
        r.model === model && variants.includes(r.variant as string)
      )
      : [];
    const done = new Set(rows.map((r) => `${r.task_id}|${r.variant}|${r.epoch}`));
    const epochs = (task: string, variant: string) => {
      let n = 0;
      for (let e = 0; e < maxEpochs; e++) if (done.has(`${task}|${variant}|${e}`)) n++;
      return n;
    };
    const scored = rows.filter((r) => typeof r.score === "number" && r.human_minutes !== null);
    const cols = scored.length ? runColumns(scored, { agentColumn: "variant" }) : null;
    return { done, epochs, cols, runs: rows.length, notes: await readSettleNotes(logPath) };
  };

  const runCells = async (cells: RoundCell[]) => {
    const want = new Set(cells.map((c) => `${c.task}|${c.variant}|${c.epoch}`));
    const s = await runEval({
      ...options,
      evalId,
      only: (c) => c.model === model && want.has(`${c.task.id}|${c.variant.name}|${c.epoch}`),
    });
    if (s.logPath !== logPath) throw new Error(`internal: log ${s.logPath} is not ${logPath}`);
    last = s;
    ranTotal += s.ran;
    for (const k of ["ok", "limit", "error"] as const) counts[k] += s.counts[k];
    return s;
  };

  const finish = (outcome: SettleReport["outcome"], rounds: number, look: LookSummary | null, n: number) => ({
    ...(last ?? {
      evalId,
      logPath,
      total: 0,
      skipped: 0,
      plans: { new: 0, interrupted: 0, "retry-error": 0, "skip-done": 0, "skip-error": 0 },
      cancelled: false,
      logIssues: [],
    }),
    ran: ranTotal,
    counts,
    durationS: (performance.now() - t0) / 1000,
    settle: { question: describeQuestion(q), rounds, outcome, look, runs: n },
  });

  let st = await state();
  const final = st.notes.find((n) => n.data!.kind === "final");
  const roundNotes = st.notes.filter((n) => n.data!.kind === "round");
  let round = roundNotes.length ? Number(roundNotes[roundNotes.length - 1].data!.round) : 0;
  if (final) {
    const d = final.data!;
    return finish(d.outcome as SettleReport["outcome"], Number(d.rounds), d.look as LookSummary, st.runs);
  }
  if (round > 0) {
    // Resume: finish the last recorded round (the runner skips its finished cells).
    const cells = roundNotes[roundNotes.length - 1].data!.cells as RoundCell[];
    if (cells.some((c) => !st.done.has(`${c.task}|${c.variant}|${c.epoch}`))) {
      const s = await runCells(cells);
      if (s.cancelled) return finish("running", round, null, (await state()).runs);
      st = await state();
    }
  }
  let look: LookSummary | null = null;
  while (true) {
    if (round > 0 && st.cols) {
      const d = decideLook(q, st.cols, round, {
        looks,
        spending: settle.spending,
        replicates: settle.replicates,
        seed: seed * 1000 + round,
      });
      look = summarise(q, d);
      if (d.settled) {
        await writeNote(logPath, `settled: ${describeLook(q, look)}`, {
          kind: "final",
          outcome: "settled",
          rounds: round,
          look,
          runs: st.runs,
        }, `final`);
        return finish("settled", round, look, st.runs);
      }
    }
    if (round >= looks) {
      await writeNote(
        logPath,
        `stopped after ${round} round(s), not settled: ${look ? describeLook(q, look) : ""}`,
        {
          kind: "final",
          outcome: "max-rounds",
          rounds: round,
          look,
          runs: st.runs,
        },
        `final`,
      );
      return finish("max-rounds", round, look, st.runs);
    }
    const picks: Pick[] = allocate(q, candidates, st.epochs, currentCurves(q, st.cols), {
      roundSize: settle.roundSize,
      maxEpochs,
      budgetLeft: settle.budgetRuns - st.runs,
      seed,
    });
    if (picks.length === 0) {
      await writeNote(logPath, `stopped after ${round} round(s): budget spent or no cell left, not settled`, {
        kind: "final",
        outcome: "budget",
        rounds: round,
        look,
        runs: st.runs,
      }, `final`);
      return finish("budget", round, look, st.runs);
    }
    const cells: RoundCell[] = picks.flatMap((p) =>
      p.variants.map((v) => {
        let e = 0;
        while (st.done.has(`${p.task}|${v}|${e}`)) e++;
        return { task: p.task, variant: v, epoch: e };
      })
    );
    round++;
    await writeNote(
      logPath,
      `round ${round}: ${look ? describeLook(q, look) + "; " : ""}${cells.length} cell(s): ` +
        picks.map((p) => `${p.task} (${p.reason})`).join("; "),
      {
        kind: "round",
        round,
        look,
        cells,
        reasons: picks.map((p) => ({ task: p.task, reason: p.reason, priority: p.priority })),
      },
      `round-${round}`,
    );
    const s = await runCells(cells);
    if (s.cancelled) return finish("running", round, look, (await state()).runs);
    st = await state();
  }
}
