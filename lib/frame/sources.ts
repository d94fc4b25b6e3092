/**
 * Where the runs of an analysis came from, described from the data itself (never from a default parameter):
 * the offline simulator, real models (named), METR's public runs file, or a mix. Captions, figure source
 * lines, the report's data banner and manifest, and the CLIs' summaries all use
 * {@link describeDataSources}, so a label never names a model that is not in the data, and simulated runs
 * (and their synthetic costs) are always marked as such.
 *
 * @module
 */
import type * as aq from "../deps/arquero.ts";

/** True for the toolkit's offline simulator (`simulated` or `simulated/<minutes>`). */
export function isSimulatedModel(model: string | null | undefined): boolean {
  return typeof model === "string" && /^simulated(\/|$)/.test(model.trim());
}

/** A data file an analysis read, fingerprinted. */
export interface SourceFile {
  /** What the file is. */
  role: "runs-log" | "metr-runs" | "other";
  /** Path of the file as given (or its URL). */
  path: string;
  /** Hex sha256 of the file's bytes, when known. */
  sha256?: string;
}

/** What {@link describeDataSources} reports. */
export interface DataSources {
  /**
   * `simulated`: every run is from the simulator; `real`: every run names a real model; `mixed`: both;
   * `metr`: only METR's published runs; `none`: no runs at all.
   */
  kind: "simulated" | "real" | "mixed" | "metr" | "none";
  /** Distinct model names in the runs (sorted; runs without a model name are left out). */
  models: string[];
  /** The simulator's model names among {@link DataSources.models}. */
  simulatedModels: string[];
  /** The real model names among {@link DataSources.models}. */
  realModels: string[];
  /** Number of runs described. */
  runs: number;
  /** The files given, in order. */
  files: SourceFile[];
}

/** Runs to describe: a run table (with a `model` column) or any rows with a `model` field. */
export type RunsLike = aq.ColumnTable | readonly { model?: string | null }[];

function modelColumn(runs: RunsLike): (string | null)[] {
  if (Array.isArray(runs)) return (runs as { model?: string | null }[]).map((r) => r.model ?? null);
  const table = runs as aq.ColumnTable;
  if (table.numRows() === 0 || !table.columnNames().includes("model")) {
    return new Array(table.numRows()).fill(null);
  }
  return (table.array("model") as unknown[]).map((m) => (typeof m === "string" && m !== "" ? m : null));
}

/**
 * Describe the sources of some runs (pure: no file is read).
 *
 * @param runs run rows from a log (`deno task eval`, a replay, the notebooks' grid); empty when the
 *   analysis uses METR's file only.
 * @param options.files the files read, with their hashes (a METR runs file makes an analysis without log
 *   runs of kind `metr`).
 */
export function describeDataSources(
  runs: RunsLike = [],
  options: { files?: readonly SourceFile[] } = {},
): DataSources {
  const column = modelColumn(runs);
  const models = [...new Set(column.filter((m): m is string => m !== null))].sort();
  const simulatedModels = models.filter(isSimulatedModel);
  const realModels = models.filter((m) => !isSimulatedModel(m));
  const files = [...(options.files ?? [])];
  let kind: DataSources["kind"];
  if (column.length === 0) kind = files.some((f) => f.role === "metr-runs") ? "metr" : "none";
  else if (simulatedModels.length === 0) kind = "real";
  else if (realModels.length === 0 && column.every((m) => m !== null)) kind = "simulated";
  else kind = "mixed";
  return { kind, models, simulatedModels, realModels, runs: column.length, files };
}

/**
 * The models of some runs as a caption fragment: `openai/gpt-4o`, or `simulated/30 (offline simulator,
 * not a real model)`; `METR's published runs` for METR's file; `"no runs"` when empty.
 */
export function modelsLabel(
  sources: Pick<DataSources, "models" | "simulatedModels"> & { kind?: DataSources["kind"] },
): string {
  if (sources.models.length === 0) return sources.kind === "metr" ? "METR's published runs" : "no runs";
  const sim = sources.simulatedModels.length;
  const names = sources.models.join(", ");
  if (sim === 0) return names;
  if (sim === sources.models.length) {
    return `${names} (offline simulator, not a real model)`;
  }
  return `${names} (${sources.simulatedModels.join(", ")}: offline simulator, not a real model)`;
}

/**
 * One line per source for a banner or a CLI summary: the runs (simulated / real models named) and each
 * file with its sha256. Real-model data never mentions the simulator.
 */
export function dataSourceLines(sources: DataSources): string[] {
  const lines: string[] = [];
  const short = (h?: string) => (h ? ` (sha256 ${h})` : "");
  if (sources.runs > 0) {
    if (sources.kind === "simulated") {
      lines.push(
        `${sources.runs} simulated runs (${sources.models.join(", ")}): the offline simulator, not a real ` +
          `model; its costs are synthetic`,
      );
    } else if (sources.kind === "real") {
      lines.push(`${sources.runs} runs of real models: ${sources.realModels.join(", ")}`);
    } else {
      lines.push(
        `${sources.runs} runs, mixed: real models ${sources.realModels.join(", ") || "(unnamed)"}; ` +
          `simulated ${sources.simulatedModels.join(", ")} (offline simulator, synthetic costs)`,
      );
    }
  }
  for (const f of sources.files) {
    const what = f.role === "metr-runs"
      ? "METR's published runs file"
      : f.role === "runs-log"
      ? "run log"
      : "file";
    lines.push(`${what} ${f.path}${short(f.sha256)}`);
  }
  return lines;
}

/** The name of a cost column for these sources: `cost_usd_simulated` when any run is simulated. */
export function costColumnName(sources: Pick<DataSources, "simulatedModels">, base = "cost_usd"): string {
  return sources.simulatedModels.length > 0 ? `${base}_simulated` : base;
}

/**
 * Mark simulated rows of a CLI summary table: each row whose `model` is the simulator gets
 * `data: "simulated"`, and its `cost_usd` column is renamed `cost_usd_simulated` when every row is
 * simulated (the simulator's costs are synthetic; `renameCost: false` keeps the name, for machine-readable
 * output). Rows of real models are left as they are, and when no row is simulated nothing is added at all.
 */
export function labelSimulatedRows(
  rows: readonly Record<string, unknown>[],
  sources: Pick<DataSources, "simulatedModels" | "realModels">,
  costColumn = "cost_usd",
  options: { renameCost?: boolean } = {},
): Record<string, unknown>[] {
  if (sources.simulatedModels.length === 0) return rows.map((r) => ({ ...r }));
  const allSimulated = sources.realModels.length === 0 && options.renameCost !== false;
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      out[k === costColumn && allSimulated ? `${costColumn}_simulated` : k] = v;
    }
    out.data = isSimulatedModel(r.model as string | null) ? "simulated" : "real";
    return out;
  });
}

/**
 * The caveat shown under results whenever simulated runs are present (whatever the path: a run log, the
 * notebooks' grid, a mix), and the empty string otherwise.
 */
export function illustrativeNote(sources: Pick<DataSources, "simulatedModels" | "realModels">): string {
  if (sources.simulatedModels.length === 0) return "";
  const which = sources.realModels.length > 0
    ? `The runs of ${sources.simulatedModels.join(", ")} come from the offline simulator`
    : "These numbers come from the offline simulator";
  return ` ${which} (${sources.simulatedModels.join(", ")}), whose skill shifts are illustrative settings: ` +
    "they show the analysis, not a property of any real model.";
}

/**
 * The line a CLI prints (on stderr, beside its machine-readable output) when simulated runs are present,
 * or null when none are: the runs, and that their costs are synthetic.
 */
export function simulatedDataWarning(runs: RunsLike): string | null {
  const sources = describeDataSources(runs);
  if (sources.simulatedModels.length === 0) return null;
  const n = modelColumn(runs).filter(isSimulatedModel).length;
  return `data: ${n} of ${sources.runs} runs are simulated (${sources.simulatedModels.join(", ")}: the ` +
    `offline simulator, not a real model; their cost_usd/dollar_equivalent are synthetic)`;
}
