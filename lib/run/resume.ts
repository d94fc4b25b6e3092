/**
 * Resume planning: which cells of a grid still need running, given the events already in its log.
 *
 * @module
 */
import type { CellEndEvent, CellStatus } from "./events.ts";
import { readLogFile } from "./log_reader.ts";
import type { LogIssue } from "./log_reader.ts";

/** What the log says about each cell. */
export interface CellHistory {
  /** Number of `cell_start` events (attempts). */
  attempts: number;
  /** Status of the last `cell_end`, or null when no attempt finished. */
  lastStatus: CellStatus | null;
  /** True when the latest attempt started and never ended (a crash or kill). */
  open: boolean;
}

/** Summarise a log file by cell (missing file = empty history). */
export async function readCellHistory(
  path: string,
): Promise<{ history: Map<string, CellHistory>; issues: LogIssue[] }> {
  const history = new Map<string, CellHistory>();
  const get = (cell: string) => {
    let h = history.get(cell);
    if (!h) history.set(cell, h = { attempts: 0, lastStatus: null, open: false });
    return h;
  };
  try {
    await Deno.stat(path);
  } catch {
    return { history, issues: [] };
  }
  const { issues } = await readLogFile(path, {
    types: ["cell_start", "cell_end"],
    onEvent: (e) => {
      if (e.type === "cell_start") {
        const h = get(e.cell);
        h.attempts++;
        h.open = true;
      } else if (e.type === "cell_end") {
        const h = get(e.cell);
        h.lastStatus = (e as CellEndEvent).status;
        h.open = false;
      }
    },
  });
  return { history, issues };
}

/** Why a cell is (not) run. */
export type CellPlan = "new" | "interrupted" | "retry-error" | "skip-done" | "skip-error";

/**
 * Decide one cell: never started → new; started without an end → interrupted (rerun); ended ok/limit →
 * skip; ended with error → rerun only with `retryErrors`.
 */
export function planCell(h: CellHistory | undefined, retryErrors: boolean): CellPlan {
  if (!h || h.attempts === 0) return "new";
  if (h.open || h.lastStatus === null) return "interrupted";
  if (h.lastStatus === "error") return retryErrors ? "retry-error" : "skip-error";
  return "skip-done";
}
