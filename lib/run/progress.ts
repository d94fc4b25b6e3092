/**
 * Progress reporting: a one-line bar redrawn in place on a terminal, plain lines otherwise (CI logs, pipes).
 * Written to stderr so stdout stays free for results.
 *
 * @module
 */
import type { CellStatus } from "./events.ts";
import type { GridCell } from "./grid.ts";

/** Receives progress of an eval. */
export interface ProgressReporter {
  /**
   * Called once before any cell runs: the eval id, its log, the grid's size, cells to run and cells skipped
   * (already done in the log).
   */
  start(info: { evalId: string; logPath: string; total: number; toRun: number; skipped: number }): void;
  /**
   * Called after each cell ends, with its status, score (null when unscored), wall seconds and a detail
   * (limit or error) or null.
   */
  cellDone(
    cell: GridCell,
    result: { status: CellStatus; score: number | null; durationS: number; detail: string | null },
  ): void;
  /**
   * Called once at the end: cells run, counts per status, wall seconds, and whether the eval was cancelled.
   */
  finish(
    summary: { ran: number; counts: Record<CellStatus, number>; durationS: number; cancelled: boolean },
  ): void;
}

/** A reporter that prints nothing. */
export const silentProgress: ProgressReporter = { start() {}, cellDone() {}, finish() {} };

const encoder = new TextEncoder();
function write(text: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(text));
  } catch {
    // stderr closed (a pipe whose reader went away): progress is optional, the eval goes on.
  }
}

/** Plain progress lines, one per finished cell. */
export function lineProgress(out: (line: string) => void = (l) => write(l + "\n")): ProgressReporter {
  let done = 0, toRun = 0;
  return {
    start(i) {
      toRun = i.toRun;
      out(
        `eval ${i.evalId}: ${i.total} cells, ${i.skipped} already done, ${i.toRun} to run; log ${i.logPath}`,
      );
    },
    cellDone(cell, r) {
      done++;
      const score = r.score === null ? "-" : r.score.toFixed(2);
      const extra = r.detail ? ` (${r.detail})` : "";
      out(
        `[${done}/${toRun}] ${cell.task.id} · ${cell.variant.name} · ${cell.model} · epoch ${cell.epoch} → ` +
          `${r.status}${extra} score ${score} ${r.durationS.toFixed(1)}s`,
      );
    },
    finish(s) {
      out(
        `${s.cancelled ? "cancelled" : "done"}: ${s.ran} cells in ${s.durationS.toFixed(1)} s ` +
          `(ok ${s.counts.ok}, limit ${s.counts.limit}, error ${s.counts.error})`,
      );
    },
  };
}

/** A bar redrawn in place (for terminals). */
export function barProgress(width = 30): ProgressReporter {
  let done = 0, toRun = 0, started = 0;
  const counts: Record<CellStatus, number> = { ok: 0, limit: 0, error: 0 };
  const draw = () => {
    const frac = toRun === 0 ? 1 : done / toRun;
    const filled = Math.round(frac * width);
    const rate = done / Math.max(1e-3, (performance.now() - started) / 1000);
    write(
      `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${toRun} ` +
        `ok ${counts.ok} limit ${counts.limit} error ${counts.error} · ${rate.toFixed(1)} runs/s\x1b[K`,
    );
  };
  return {
    start(i) {
      toRun = i.toRun;
      started = performance.now();
      write(`eval ${i.evalId}: ${i.total} cells, ${i.skipped} already done; log ${i.logPath}\n`);
      draw();
    },
    cellDone(_cell, r) {
      done++;
      counts[r.status]++;
      draw();
    },
    finish(s) {
      draw();
      write(`\n${s.cancelled ? "cancelled" : "done"} in ${s.durationS.toFixed(1)} s\n`);
    },
  };
}

/** The bar on a terminal, plain lines otherwise. */
export function autoProgress(): ProgressReporter {
  return Deno.stderr.isTerminal() ? barProgress() : lineProgress();
}
