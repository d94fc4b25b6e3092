/**
 * The Jupyter notebook format (nbformat 4.5) as zod schemas, and a builder that turns a notebook written
 * as a TypeScript "percent" script (cells separated by `// %%` lines, markdown cells as `// %% [markdown]`
 * followed by `//`-comment lines, the papermill-style parameters cell as `// %% [parameters]`) into a `.ipynb` with stable cell ids and the Deno kernelspec.
 *
 * Writing notebooks as scripts keeps them reviewable and type-checkable; the committed `.ipynb` files are
 * generated from them by `scripts/build_notebooks.ts`.
 *
 * @module
 */
import { z } from "../deps/zod.ts";

/** Notebook text: a string or a list of lines (each keeping its newline). */
export const MultilineText = z.union([z.string(), z.array(z.string())]);
/** Notebook text: a string or a list of lines. */
export type MultilineText = z.infer<typeof MultilineText>;

/** Join a notebook multiline string. */
export function joinText(text: MultilineText): string {
  return typeof text === "string" ? text : text.join("");
}

/** A MIME bundle inside an output. */
export const OutputData = z.record(z.string(), z.union([MultilineText, z.record(z.string(), z.unknown())]));

/** One output of a code cell. */
export const CellOutput = z.discriminatedUnion("output_type", [
  z.object({ output_type: z.literal("stream"), name: z.enum(["stdout", "stderr"]), text: MultilineText }),
  z.object({
    output_type: z.literal("display_data"),
    data: OutputData,
    metadata: z.record(z.string(), z.unknown()).default({}),
  }),
  z.object({
    output_type: z.literal("execute_result"),
    data: OutputData,
    metadata: z.record(z.string(), z.unknown()).default({}),
    execution_count: z.number().int().nullable(),
  }),
  z.object({
    output_type: z.literal("error"),
    ename: z.string(),
    evalue: z.string(),
    traceback: z.array(z.string()),
  }),
]);
/** One output of a code cell. */
export type CellOutput = z.infer<typeof CellOutput>;

const CELL_ID = z.string().regex(/^[a-zA-Z0-9-_]{1,64}$/, "cell id must be 1-64 of [a-zA-Z0-9-_]");

/** A notebook cell. */
export const Cell = z.discriminatedUnion("cell_type", [
  z.object({
    cell_type: z.literal("markdown"),
    id: CELL_ID,
    metadata: z.record(z.string(), z.unknown()).default({}),
    source: MultilineText,
  }),
  z.object({
    cell_type: z.literal("code"),
    id: CELL_ID,
    metadata: z.record(z.string(), z.unknown()).default({}),
    source: MultilineText,
    execution_count: z.number().int().nullable(),
    outputs: z.array(CellOutput),
  }),
  z.object({
    cell_type: z.literal("raw"),
    id: CELL_ID,
    metadata: z.record(z.string(), z.unknown()).default({}),
    source: MultilineText,
  }),
]);
/** A notebook cell. */
export type Cell = z.infer<typeof Cell>;

/** What a notebook promises to show: the report and the tests check executed notebooks against it. */
export const NotebookExpectations = z.object({
  /** Names of the figures (see `showFigure`) the notebook must display. */
  figures: z.array(z.string()),
  /** Minimum number of HTML tables the notebook must display. */
  minTables: z.number().int().nonnegative(),
});
/** What a notebook promises to show. */
export type NotebookExpectations = z.infer<typeof NotebookExpectations>;

/** A notebook (nbformat 4.5). */
export const Notebook = z.object({
  nbformat: z.literal(4),
  nbformat_minor: z.number().int().min(5),
  metadata: z.looseObject({
    kernelspec: z.looseObject({ name: z.string(), display_name: z.string() }).optional(),
    evalkit: z.looseObject({ title: z.string(), expects: NotebookExpectations }).optional(),
  }),
  cells: z.array(Cell),
});
/** A notebook (nbformat 4.5). */
export type Notebook = z.infer<typeof Notebook>;

/** Parse notebook JSON text, with errors naming `source`. */
export function parseNotebook(text: string, source: string): Notebook {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).message})`);
  }
  const parsed = Notebook.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${source}: not an nbformat 4.5 notebook at ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** A cell of a percent script before it becomes a notebook cell. */
export interface ScriptCell {
  /**
   * Whether the cell is code (`// %%`) or markdown (`// %% [markdown]`, its `//` comment prefixes removed).
   */
  kind: "code" | "markdown";
  /** The cell's text. */
  source: string;
  /** Cell tags (`// %% [parameters]` gives `["parameters"]`, papermill's convention). */
  tags?: string[];
}

/**
 * Split a percent script into cells. Lines before the first `// %%` marker (a module header) are dropped.
 * In markdown cells the leading `// ` (or `//`) of each line is removed.
 */
export function parsePercentScript(text: string): ScriptCell[] {
  const cells: ScriptCell[] = [];
  let current: { kind: "code" | "markdown"; lines: string[]; tags?: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    const lines = [...current.lines];
    while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
    while (lines.length > 0 && lines[0].trim() === "") lines.shift();
    if (lines.length > 0) {
      cells.push({
        kind: current.kind,
        source: lines.join("\n"),
        ...(current.tags ? { tags: current.tags } : {}),
      });
    }
  };
  for (const [i, line] of text.split("\n").entries()) {
    const marker = /^\/\/ %%(.*)$/.exec(line);
    if (marker) {
      flush();
      const rest = marker[1].trim();
      if (rest !== "" && rest !== "[markdown]" && rest !== "[parameters]") {
        throw new Error(
          `line ${i + 1}: unknown cell marker "// %%${marker[1]}" ` +
            `(use "// %%", "// %% [markdown]" or "// %% [parameters]")`,
        );
      }
      current = rest === "[parameters]"
        ? { kind: "code", lines: [], tags: ["parameters"] }
        : { kind: rest === "[markdown]" ? "markdown" : "code", lines: [] };
      continue;
    }
    if (!current) continue;
    if (current.kind === "markdown") {
      if (line.trim() !== "" && !line.startsWith("//")) {
        throw new Error(`line ${i + 1}: markdown cell lines must start with "//"`);
      }
      current.lines.push(line.replace(/^\/\/ ?/, ""));
    } else current.lines.push(line);
  }
  flush();
  return cells;
}

/** Split text into nbformat's list-of-lines form. */
export function toLines(text: string): string[] {
  const lines = text.split("\n");
  return lines.map((l, i) => (i < lines.length - 1 ? l + "\n" : l)).filter((l) => l !== "");
}

/** Options for {@link buildNotebook}. */
export interface BuildNotebookOptions {
  /** Notebook slug; cell ids are `<slug>-<nn>`. */
  slug: string;
  /** The notebook's title, stored in the notebook's `evalkit` metadata. */
  title: string;
  /** What the notebook must display (figures by name, a minimum number of tables), checked after it runs. */
  expects: NotebookExpectations;
}

/** Build an unexecuted notebook from script cells, with the Deno kernelspec and stable cell ids. */
export function buildNotebook(cells: ScriptCell[], options: BuildNotebookOptions): Notebook {
  const idBase = options.slug.replace(/[^a-zA-Z0-9-_]/g, "-").slice(0, 56);
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/x.typescript" },
      evalkit: { title: options.title, expects: NotebookExpectations.parse(options.expects) },
    },
    cells: cells.map((c, i): Cell => {
      const id = `${idBase}-${String(i).padStart(2, "0")}`;
      return c.kind === "markdown"
        ? { cell_type: "markdown", id, metadata: {}, source: toLines(c.source) }
        : {
          cell_type: "code",
          id,
          metadata: c.tags ? { tags: [...c.tags] } : {},
          source: toLines(c.source),
          execution_count: null,
          outputs: [],
        };
    }),
  };
}

/** Serialise a notebook the way Jupyter does (1-space indent, trailing newline). */
export function serializeNotebook(notebook: Notebook): string {
  return JSON.stringify(notebook, null, 1) + "\n";
}
