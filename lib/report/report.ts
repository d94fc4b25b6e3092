/**
 * `buildReport`: execute the notebooks headless, then write one self-contained HTML report
 * (`index.html`), every named figure as SVG and PNG (`figures/`), the executed notebooks (`notebooks/`)
 * and the manifest (`manifest.json`).
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import {
  type NotebookParams,
  notebookParams,
  PARAM_ENV,
  parametersCellValues,
  type ParameterValues,
  type ParamName,
  projectRoot,
} from "../notebook/params.ts";
import { parseNotebook } from "../notebook/ipynb.ts";
import { dataSourceLines, type DataSources, describeDataSources } from "../frame/sources.ts";
import { runs } from "../frame/tables.ts";
import { type ExecutedNotebook, executeNotebook, listNotebooks, NotebookError } from "./execute.ts";
import {
  type DataFileEntry,
  dataFileEntry,
  gitState,
  type ReportManifest,
  toolkitVersion,
} from "./manifest.ts";
import { renderReportPage, selfContainedProblems } from "./page.ts";
import { writeFigure } from "../plot/render.ts";
import { findRsvgConvert } from "../plot/pdf.ts";
import { type SourceLine, sourceLine } from "../plot/compose.ts";
import { notebookSection, type ReportSection } from "./sections.ts";
import { ensureJupyter } from "./setup.ts";

/** Options for {@link buildReport}. */
export interface ReportOptions {
  /** Project root; default found from this module's location. */
  root?: string;
  /** Directory holding the notebooks; default `<root>/notebooks`. */
  notebooksDir?: string;
  /** Notebook names (without `.ipynb`) to include, in this order; default all in the directory. */
  notebooks?: string[];
  /** Output directory; default `<root>/out/report`. */
  outDir?: string;
  /** Seed passed to every notebook as `EVALKIT_SEED`; default the notebooks' default. */
  seed?: number;
  /**
   * Other `EVALKIT_*` parameters for the notebooks (e.g. `EVALKIT_DATA`); they override the process's
   * environment and the notebooks' parameters cells.
   */
  env?: Record<string, string>;
  /** Also write PNGs (2×); default true. */
  png?: boolean;
  /** Also write PDFs (needs Debian's `rsvg-convert`; skipped with a log line when missing); default true. */
  pdf?: boolean;
  /** Notebooks executed at the same time; default 1. */
  jobs?: number;
  /** Page title. */
  title?: string;
  /** Progress messages; default silent. */
  log?: (message: string) => void;
}

/** One written figure. */
export interface WrittenFigure {
  name: string;
  notebook: string;
  svgPath: string;
  pngPath: string | null;
  /** Null when PDFs were not asked for or `rsvg-convert` is missing (the log says which). */
  pdfPath: string | null;
}

/** What {@link buildReport} wrote. */
export interface ReportResult {
  /** Path of the self-contained HTML report, `<outDir>/index.html`. */
  indexPath: string;
  /** Path of the manifest, `<outDir>/manifest.json`. */
  manifestPath: string;
  /** Every named figure written under `<outDir>/figures/`, in notebook order. */
  figures: WrittenFigure[];
  /** The notebooks executed (also written under `<outDir>/notebooks/`), in report order. */
  executed: ExecutedNotebook[];
  /**
   * What `manifest.json` holds: versions, git state, seed and parameters, data sources and files, notebooks.
   */
  manifest: ReportManifest;
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await fn(items[i]) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Reading order of the report: the study first, then the curves, the protocol and the scaffold details.
 * Notebooks not listed follow in name order.
 */
export const REPORT_ORDER: readonly string[] = [
  "elicitation-impact",
  "difficulty-curves",
  "protocol-thresholds",
  "compare-scaffolds",
];

function orderKey(file: string): [number, string] {
  const name = file.split("/").pop()!.replace(/\.ipynb$/, "");
  const i = REPORT_ORDER.indexOf(name);
  return [i < 0 ? REPORT_ORDER.length : i, name];
}

/** Resolve notebook names to files (default: all, in {@link REPORT_ORDER}), with a clear error for unknown names. */
export async function selectNotebooks(dir: string, names?: string[]): Promise<string[]> {
  const all = await listNotebooks(dir);
  if (!names || names.length === 0) {
    return all.sort((a, b) => {
      const [ia, na] = orderKey(a), [ib, nb] = orderKey(b);
      return ia - ib || na.localeCompare(nb);
    });
  }
  return names.map((n) => {
    const file = join(dir, `${n.replace(/\.ipynb$/, "")}.ipynb`);
    try {
      if (Deno.statSync(file).isFile) return file;
    } catch { /* reported below */ }
    const known = all.map((p) => p.split("/").pop()!.replace(/\.ipynb$/, "")).join(", ");
    throw new Error(`unknown notebook "${n}" (notebooks in ${dir}: ${known || "none"})`);
  });
}

/**
 * Execute the notebooks and write the report.
 * @throws NotebookError (or an AggregateError of them) naming each failing notebook and cell;
 *   SetupError when Jupyter or the Deno kernel is missing.
 */
export async function buildReport(options: ReportOptions = {}): Promise<ReportResult> {
  const log = options.log ?? (() => {});
  const root = resolve(options.root ?? projectRoot());
  const outDir = resolve(options.outDir ?? join(root, "out", "report"));
  const files = await selectNotebooks(
    resolve(options.notebooksDir ?? join(root, "notebooks")),
    options.notebooks,
  );
  if (files.length === 0) throw new Error("no notebooks to execute");

  const env: Record<string, string> = { ...options.env };
  if (options.seed !== undefined) env[PARAM_ENV.seed] = String(options.seed);
  // Validate parameters once, up front, with the same rules the notebooks apply (their parameters cells
  // as defaults; for the manifest, the first notebook naming a parameter gives its default).
  const cellValues: ParameterValues = {};
  for (const file of files) {
    const values = parametersCellValues(parseNotebook(await Deno.readTextFile(file), file).cells, file) ?? {};
    for (const [k, v] of Object.entries(values) as [ParamName, ParameterValues[ParamName]][]) {
      if (cellValues[k] === undefined) cellValues[k] = v;
    }
  }
  const params = notebookParams({ ...Deno.env.toObject(), ...env }, root, {
    values: cellValues,
    dir: dirname(files[0]),
  });
  env[PARAM_ENV.seed] = String(params.seed);

  await ensureJupyter();
  await Deno.mkdir(join(outDir, "figures"), { recursive: true });
  await Deno.mkdir(join(outDir, "notebooks"), { recursive: true });

  const started = performance.now();
  const settled = await mapLimit(files, options.jobs ?? 1, async (file) => {
    const name = file.split("/").pop()!.replace(/\.ipynb$/, "");
    log(`executing ${name} …`);
    const done = await executeNotebook(file, {
      outputPath: join(outDir, "notebooks", `${name}.ipynb`),
      env,
    });
    log(`executed ${name} in ${done.seconds.toFixed(1)} s`);
    return done;
  });
  const totalSeconds = (performance.now() - started) / 1000;
  const failures = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as Error] : []));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new AggregateError(failures, failures.map((f) => f.message).join("\n"));
  }
  const executed = settled.map((s) => (s as PromiseFulfilledResult<ExecutedNotebook>).value);

  const sections: ReportSection[] = executed.map((e) => notebookSection(e.notebook, e.name));
  const seen = new Map<string, string>();
  for (const s of sections) {
    for (const f of s.figures) {
      const other = seen.get(f.name);
      if (other) throw new NotebookError(s.notebook, [`figure name "${f.name}" is also used by ${other}`]);
      seen.set(f.name, s.notebook);
    }
  }

  const logFiles = await runLogFiles(params.runsLog);
  const dataPaths = [params.data, params.releaseDates, params.thresholds, ...logFiles];
  const dataFiles = await Promise.all(dataPaths.map(dataFileEntry));
  const sources = await reportDataSources(params, dataFiles, logFiles);
  const figures = await writeReportFigures(sections, join(outDir, "figures"), {
    png: options.png !== false,
    pdf: options.pdf !== false,
    source: figureSourceLine(sources),
    log,
  });
  // Grid parameters are listed only when the notebooks ran their own grid: with a run log they were
  // unused, and a default model name would mislabel the data.
  const gridParams: Record<string, string> = params.runsLog ? {} : {
    [PARAM_ENV.epochs]: String(params.epochs),
    [PARAM_ENV.model]: params.model,
    [PARAM_ENV.baseModel]: params.baseModel ?? "(none)",
    [PARAM_ENV.tasks]: params.tasks.join(","),
    [PARAM_ENV.gridDir]: params.gridDir,
  };
  const manifest: ReportManifest = {
    toolkit: await toolkitVersion(root),
    git: await gitState(root),
    deno: Deno.version.deno,
    createdAt: new Date().toISOString(),
    seed: params.seed,
    params: {
      [PARAM_ENV.seed]: String(params.seed),
      [PARAM_ENV.bootstrap]: String(params.bootstrap),
      [PARAM_ENV.variants]: params.variants.join(","),
      [PARAM_ENV.runsLog]: params.runsLog ?? "(none: notebooks run their own grid)",
      ...gridParams,
    },
    dataSources: {
      kind: sources.kind,
      models: sources.models,
      ...(sources.simulatedModels.length > 0 ? { simulatedModels: sources.simulatedModels } : {}),
      realModels: sources.realModels,
      runs: sources.runs,
      lines: dataSourceLines(sources),
    },
    dataFiles,
    notebooks: executed.map((e, i) => ({
      name: e.name,
      seconds: e.seconds,
      figures: sections[i].figures.length,
      tables: sections[i].tables,
    })),
    totalSeconds,
  };
  const html = renderReportPage({ title: options.title ?? "evalkit report", sections, manifest });
  const problems = selfContainedProblems(html);
  if (problems.length > 0) throw new Error(`report is not self-contained: ${problems.join("; ")}`);
  const indexPath = join(outDir, "index.html");
  await Deno.writeTextFile(indexPath, html);
  const manifestPath = join(outDir, "manifest.json");
  await Deno.writeTextFile(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  log(`wrote ${indexPath} (${figures.length} figures)`);
  return { indexPath, manifestPath, figures, executed, manifest };
}

/**
 * The report's data sources, from the data: the run log's runs (or, without one, the runs of the
 * notebooks' grid models in the grid cache) and METR's file, with hashes.
 */
async function reportDataSources(
  params: NotebookParams,
  dataFiles: DataFileEntry[],
  logFiles: string[],
): Promise<DataSources> {
  let rows: { model: string | null }[] = [];
  if (params.runsLog) {
    rows = (await runs(params.runsLog)).table.select("model").objects() as { model: string | null }[];
  } else {
    const gridModels = new Set([params.model, params.baseModel].filter((m): m is string => m !== null));
    const cached = await runs(params.gridDir).then((r) => r.table, () => null);
    rows = cached && cached.numRows() > 0
      ? (cached.select("model").objects() as { model: string | null }[]).filter((r) =>
        r.model !== null && gridModels.has(r.model)
      )
      : [...gridModels].map((model) => ({ model }));
  }
  const hash = new Map(dataFiles.map((f) => [f.path, f.sha256]));
  return describeDataSources(rows, {
    files: [
      { role: "metr-runs", path: params.data, sha256: hash.get(params.data) },
      ...logFiles.map((path) => ({ role: "runs-log" as const, path, sha256: hash.get(path) })),
    ],
  });
}

/**
 * The source line under every exported figure: the data files (METR's file by name and hash prefix, run
 * logs by name), the models in the data (simulated ones marked) and the date.
 */
export function figureSourceLine(sources: DataSources): SourceLine {
  const files = sources.files.map((f) => {
    const name = f.path.split("/").pop() ?? f.path;
    return f.role === "metr-runs" && f.sha256 ? `${name} (sha256 ${f.sha256.slice(0, 12)})` : name;
  });
  const simulated = new Set(sources.simulatedModels);
  const models = sources.models.map((m) => (simulated.has(m) ? `${m} (simulated)` : m));
  const shown = models.length > 6 ? [...models.slice(0, 6), `${models.length - 6} more`] : models;
  return {
    ...(files.length ? { data: files.join(", ") } : {}),
    ...(shown.length ? { models: shown } : {}),
    date: new Date().toISOString().slice(0, 10),
  };
}

/** Write each named figure as SVG (+ PNG, + PDF) with the source line, through {@link writeFigure}. */
async function writeReportFigures(
  sections: readonly ReportSection[],
  dir: string,
  options: { png: boolean; pdf: boolean; source: SourceLine; log: (message: string) => void },
): Promise<WrittenFigure[]> {
  let pdf = options.pdf;
  if (pdf) {
    try {
      findRsvgConvert();
    } catch (e) {
      pdf = false;
      options.log(`PDF figures skipped: ${(e as Error).message}`);
    }
  }
  const formats = [
    "svg",
    ...(options.png ? ["png"] : []),
    ...(pdf ? ["pdf"] : []),
  ] as ("svg" | "png" | "pdf")[];
  options.log(`figures: ${formats.join(", ")}; ${sourceLine(options.source)}`);
  const written: WrittenFigure[] = [];
  for (const f of sections.flatMap((s) => s.figures)) {
    const base = join(dir, f.name);
    await writeFigure(base, { svg: f.svg, html: f.html ?? f.svg }, {
      formats,
      source: options.source,
      ...(f.caption && !f.captionInSvg ? { caption: f.caption } : {}),
    });
    written.push({
      name: f.name,
      notebook: f.notebook,
      svgPath: `${base}.svg`,
      pngPath: options.png ? `${base}.png` : null,
      pdfPath: pdf ? `${base}.pdf` : null,
    });
  }
  return written;
}

/** The files of a run log: the file itself, or the `.jsonl` files of a log directory (sorted). */
async function runLogFiles(path: string | null): Promise<string[]> {
  if (path === null) return [];
  if ((await Deno.stat(path)).isFile) return [path];
  const files: string[] = [];
  for await (const e of Deno.readDir(path)) {
    if (e.isFile && e.name.endsWith(".jsonl")) files.push(join(path, e.name));
  }
  return files.sort();
}
