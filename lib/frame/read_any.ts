/**
 * Read runs from either kind of file a study starts from: METR's published runs.jsonl, or a run log of
 * `deno task eval` (a JSONL event log or a directory of them), with a description of the data.
 *
 * @module
 */
import type * as aq from "../deps/arquero.ts";
import { readMetrRuns } from "./metr.ts";
import { runs } from "./tables.ts";
import { type DataSources, describeDataSources } from "./sources.ts";
import { sha256Hex } from "../util/hash.ts";
import { hasInspectLogs, readInspectRuns } from "./inspect/mod.ts";

/** What {@link readAnyRuns} read. */
export interface AnyRuns {
  /** One row per run (an `alias` column names the agent). */
  table: aq.ColumnTable;
  /** `metr` for METR's runs file, `log` for a run log, `inspect` for Inspect logs (a file or a folder). */
  kind: "metr" | "log" | "inspect";
  /** Where the runs came from (models, simulated or real, the file's sha256). */
  sources: DataSources;
  /** Lines that could not be read (Inspect: files or samples with a note). */
  skipped: number;
  /** Inspect logs only: one line per file with something skipped or unusual, and why. */
  notes?: string[];
}

/**
 * Read `path` as Inspect logs (a `.eval`/`.json` Inspect log, or a directory holding any, told by content),
 * METR's runs file or a run log (a directory, or a file whose first line is an event with a `type`).
 * @throws Error when the path does not exist or holds no runs.
 */
export async function readAnyRuns(path: string): Promise<AnyRuns> {
  const info = await Deno.stat(path).catch(() => {
    throw new Error(`${path}: no such file or directory`);
  });
  if (await hasInspectLogs(path)) {
    const inspect = await readInspectRuns(path);
    if (inspect.table.numRows() === 0) {
      throw new Error(
        `${path}: no readable samples in the Inspect logs${
          inspect.notes.length ? `: ${inspect.notes.join("; ")}` : ""
        }`,
      );
    }
    return {
      table: inspect.table,
      kind: "inspect",
      skipped: inspect.notes.length,
      notes: inspect.notes,
      sources: describeDataSources(inspect.table, { files: [{ role: "other", path }] }),
    };
  }
  let isLog = info.isDirectory;
  let bytes: Uint8Array | null = null;
  if (!isLog) {
    bytes = await Deno.readFile(path);
    const first = new TextDecoder().decode(bytes.subarray(0, 4096)).split("\n")[0].trim();
    isLog = /^\{\s*"type"\s*:/.test(first);
  }
  const sha256 = bytes ? await sha256Hex(bytes) : undefined;
  if (isLog) {
    const { table, issues } = await runs(path);
    if (table.numRows() === 0) throw new Error(`${path}: no finished runs in this log`);
    return {
      table,
      kind: "log",
      skipped: issues.length,
      sources: describeDataSources(table, { files: [{ role: "runs-log", path, sha256 }] }),
    };
  }
  const metr = await readMetrRuns(path);
  if (metr.table.numRows() === 0) throw new Error(`${path}: no valid runs`);
  return {
    table: metr.table,
    kind: "metr",
    skipped: metr.errors.length,
    sources: describeDataSources([], { files: [{ role: "metr-runs", path, sha256 }] }),
  };
}
