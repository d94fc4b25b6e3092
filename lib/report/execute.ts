/**
 * Execute a notebook headless with the Deno kernel (a cell-by-cell jupyter_client loop,
 * `execute_notebook.py`), and check the result: any error output
 * fails with an error naming the notebook, the cell (index and id) and the exception; a notebook missing
 * one of the figures it promises (metadata `evalkit.expects`) fails too.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Cell, type CellOutput, joinText, type Notebook, parseNotebook } from "../notebook/ipynb.ts";
import { FIGURE_MIME, TABLE_MIME } from "../notebook/display.ts";
import { DEBIAN_PYTHON } from "./setup.ts";

/** One error output found in an executed notebook. */
export interface CellError {
  notebook: string;
  cellIndex: number;
  cellId: string;
  ename: string;
  evalue: string;
  /** First line of the cell's source, to find it quickly. */
  firstLine: string;
}

/** An executed notebook that contains error outputs or lacks promised figures. */
export class NotebookError extends Error {
  /**
   * An error naming the notebook and every problem (one per line); `errors` holds the error outputs found.
   */
  constructor(readonly notebook: string, readonly problems: string[], readonly errors: CellError[] = []) {
    super(`notebook ${notebook} failed:\n  ${problems.join("\n  ")}`);
    this.name = "NotebookError";
  }
}

/** Strip ANSI colour codes (the Deno kernel colours its tracebacks). */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** Every error output of a notebook, in cell order. */
export function findCellErrors(notebook: Notebook, name: string): CellError[] {
  const errors: CellError[] = [];
  notebook.cells.forEach((cell: Cell, cellIndex: number) => {
    if (cell.cell_type !== "code") return;
    for (const output of cell.outputs) {
      if (output.output_type !== "error") continue;
      errors.push({
        notebook: name,
        cellIndex,
        cellId: cell.id,
        ename: stripAnsi(output.ename),
        evalue: stripAnsi(output.evalue).split("\n").slice(0, 6).join(" ").slice(0, 500),
        firstLine: joinText(cell.source).split("\n")[0].slice(0, 100),
      });
    }
  });
  return errors;
}

/** All displayed MIME bundles of a notebook, with the cell they came from. */
export function displayedBundles(
  notebook: Notebook,
): { cellIndex: number; data: Record<string, unknown>; output: CellOutput }[] {
  const out: { cellIndex: number; data: Record<string, unknown>; output: CellOutput }[] = [];
  notebook.cells.forEach((cell, cellIndex) => {
    if (cell.cell_type !== "code") return;
    for (const output of cell.outputs) {
      if (output.output_type === "display_data" || output.output_type === "execute_result") {
        out.push({ cellIndex, data: output.data, output });
      }
    }
  });
  return out;
}

/** Counts of what an executed notebook displays. */
export interface DisplaySummary {
  /** Names of figures shown through `showFigure` (in order). */
  figureNames: string[];
  /** Number of SVG outputs (named or not). */
  svgCount: number;
  /** Number of HTML outputs containing a `<table`. */
  htmlTableCount: number;
}

/** Count the figures and HTML tables an executed notebook displays. */
export function summarizeDisplays(notebook: Notebook): DisplaySummary {
  const summary: DisplaySummary = { figureNames: [], svgCount: 0, htmlTableCount: 0 };
  for (const { data } of displayedBundles(notebook)) {
    const svg = data["image/svg+xml"];
    if (svg !== undefined && joinText(svg as string | string[]).includes("<svg")) summary.svgCount++;
    const fig = data[FIGURE_MIME] as { name?: unknown } | undefined;
    if (fig && typeof fig.name === "string") summary.figureNames.push(fig.name);
    const html = data["text/html"];
    if (html !== undefined && joinText(html as string | string[]).includes("<table")) {
      summary.htmlTableCount++;
    } else if (data[TABLE_MIME] !== undefined) summary.htmlTableCount++;
  }
  return summary;
}

/**
 * Problems with an executed notebook: error outputs, and figures or tables it promised but did not show.
 * Empty when the notebook is fine.
 */
export function checkExecutedNotebook(
  notebook: Notebook,
  name: string,
): { problems: string[]; errors: CellError[] } {
  const errors = findCellErrors(notebook, name);
  const problems = errors.map((e) =>
    `cell ${e.cellIndex} (id ${e.cellId}, starting "${e.firstLine}"): ${e.ename}: ${e.evalue}`
  );
  const expects = notebook.metadata.evalkit?.expects;
  if (expects) {
    const shown = summarizeDisplays(notebook);
    const missing = expects.figures.filter((f) => !shown.figureNames.includes(f));
    if (missing.length > 0) problems.push(`missing figures: ${missing.join(", ")}`);
    if (shown.htmlTableCount < expects.minTables) {
      problems.push(`shows ${shown.htmlTableCount} HTML tables, expected at least ${expects.minTables}`);
    }
  }
  return { problems, errors };
}

/** Options for {@link executeNotebook}. */
export interface ExecuteOptions {
  /** Where the executed notebook is written (a file path). */
  outputPath: string;
  /** Extra environment for the kernel (EVALKIT_* parameters). */
  env?: Record<string, string>;
  /** Per-cell timeout in seconds; default 300. */
  cellTimeoutSeconds?: number;
  /** Python with jupyter_client and nbformat; default Debian's `/usr/bin/python3`. */
  python?: string;
}

/** Result of {@link executeNotebook}. */
export interface ExecutedNotebook {
  name: string;
  inputPath: string;
  outputPath: string;
  notebook: Notebook;
  seconds: number;
}

/** The executor script shipped beside this module. */
export const EXECUTOR_SCRIPT: string = fileURLToPath(new URL("./execute_notebook.py", import.meta.url));

/**
 * Execute one notebook headless with the Deno kernel (error outputs are kept so they can be reported by
 * cell) and validate the result.
 * @throws NotebookError naming the notebook and cell on any error output or missing figure.
 */
export async function executeNotebook(inputPath: string, options: ExecuteOptions): Promise<ExecutedNotebook> {
  const input = resolve(inputPath);
  const name = basename(input).replace(/\.ipynb$/, "");
  const outputPath = resolve(options.outputPath);
  await Deno.mkdir(dirname(outputPath), { recursive: true });
  const args = [EXECUTOR_SCRIPT, input, outputPath, "--timeout", String(options.cellTimeoutSeconds ?? 300)];
  const started = performance.now();
  const result = await new Deno.Command(options.python ?? DEBIAN_PYTHON, {
    args,
    cwd: dirname(input),
    env: { ...options.env, PYDEVD_DISABLE_FILE_VALIDATION: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0) {
    const stderr = new TextDecoder().decode(result.stderr).split("\n")
      .filter((l) => !/Debugger|frozen|PYDEVD|unstable|^\s*$/.test(l));
    throw new NotebookError(name, [`execution exited with ${result.code}: ${stderr.slice(-8).join(" | ")}`]);
  }
  const notebook = parseNotebook(await Deno.readTextFile(outputPath), outputPath);
  const { problems, errors } = checkExecutedNotebook(notebook, name);
  if (problems.length > 0) throw new NotebookError(name, problems, errors);
  return { name, inputPath: input, outputPath, notebook, seconds };
}

/** The notebook files in a directory (sorted by name). */
export async function listNotebooks(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ipynb") && !e.name.startsWith("_")) names.push(join(dir, e.name));
  }
  return names.sort();
}
