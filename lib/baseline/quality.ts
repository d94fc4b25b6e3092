/**
 * Task quality levels from evidence, as METR describes them: a task is at its declared level (usually
 * `working_implementation`) until QA passes in both sandboxes (`qa_passed`), then `baselined` once a person
 * completed it in the toolkit (a successful baseline run). Each level comes with the date and the evidence.
 *
 * QA evidence is a ledger, `runs/quality.jsonl` (or `$EVALKIT_QUALITY_FILE`): `deno task qa --record-quality`
 * appends one line per task and sandbox, pass or fail, and the latest line per (task, sandbox) counts, so a
 * later failure takes a task back down. Baseline evidence is read from the baseline runs themselves.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import type { HumanAttempt } from "./summary.ts";

/** One QA outcome of a task in one sandbox. */
export const QaEvidence = z.object({
  task: z.string(),
  sandbox: z.enum(["local", "docker"]),
  /** ISO date and time of the QA run. */
  date: z.string(),
  passed: z.boolean(),
  /** True when the base checks (empty, reference, wrong attempt, privacy) and the cheat battery all ran. */
  complete: z.boolean(),
  evidence: z.string(),
});
/** One QA outcome of a task in one sandbox. */
export type QaEvidence = z.infer<typeof QaEvidence>;

/** A task's level from evidence. */
export interface EvidenceLevel {
  /** `baselined`, `qa_passed`, or the declared quality. */
  level: string;
  /** Date of the evidence (YYYY-MM-DD), null for the declared level. */
  date: string | null;
  /** What shows it: baseline run ids, or the QA runs of both sandboxes. */
  evidence: string | null;
}

/** Appends QA outcomes to the ledger (one JSON line each). */
export async function appendQaEvidence(file: string, entries: readonly QaEvidence[]): Promise<void> {
  if (entries.length === 0) return;
  const text = entries.map((e) => JSON.stringify(QaEvidence.parse(e)) + "\n").join("");
  await Deno.writeTextFile(file, text, { append: true, create: true });
}

/** Reads the ledger (missing file: empty); bad lines are skipped. */
export async function readQaEvidence(file: string): Promise<QaEvidence[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const out: QaEvidence[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(QaEvidence.parse(JSON.parse(line)));
    } catch { /* a cut line */ }
  }
  return out;
}

/**
 * The evidence level of each task: `baselined` when it has a successful baseline, else `qa_passed` when the
 * latest complete QA in both sandboxes passed, else its declared quality.
 */
export function evidenceLevels(
  declared: ReadonlyMap<string, string>,
  qa: readonly QaEvidence[],
  attempts: readonly HumanAttempt[],
): Map<string, EvidenceLevel> {
  const latest = new Map<string, QaEvidence>();
  for (const e of qa) {
    const key = `${e.task}\u0000${e.sandbox}`;
    const prev = latest.get(key);
    if (!prev || prev.date <= e.date) latest.set(key, e);
  }
  const out = new Map<string, EvidenceLevel>();
  for (const [task, quality] of declared) {
    const wins = attempts.filter((a) => a.task_id === task && a.success);
    if (wins.length > 0) {
      out.set(task, {
        level: "baselined",
        date: new Date(Math.min(...wins.map((a) => a.completed_at))).toISOString().slice(0, 10),
        evidence: `${wins.length} successful baseline${wins.length === 1 ? "" : "s"}: ${
          wins.map((a) => a.run_id).join(", ")
        }`,
      });
      continue;
    }
    const local = latest.get(`${task}\u0000local`), docker = latest.get(`${task}\u0000docker`);
    if (local?.passed && local.complete && docker?.passed && docker.complete) {
      const date = (local.date > docker.date ? local.date : docker.date).slice(0, 10);
      out.set(task, {
        level: "qa_passed",
        date,
        evidence: `QA passed in local (${local.date}) and docker (${docker.date})`,
      });
      continue;
    }
    out.set(task, { level: quality, date: null, evidence: null });
  }
  return out;
}
