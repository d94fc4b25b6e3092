/**
 * Notebook parameters. A notebook's cell tagged `parameters` (papermill's convention) holds its defaults
 * as one JSON object; the next cell calls {@link notebookParams} with them: every parameter comes from
 * `deno task report --param`/`--params`, else an `EVALKIT_*` environment variable, else the parameters
 * cell, else a documented default, and the result is validated with zod, so a bad value stops the notebook in its
 * first cell with a message naming the variable.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Environment variables read by {@link notebookParams}. */
export const PARAM_ENV = {
  data: "EVALKIT_DATA",
  releaseDates: "EVALKIT_RELEASE_DATES",
  seed: "EVALKIT_SEED",
  runsLog: "EVALKIT_RUNS_LOG",
  variants: "EVALKIT_VARIANTS",
  bootstrap: "EVALKIT_BOOTSTRAP",
  epochs: "EVALKIT_EPOCHS",
  thresholds: "EVALKIT_THRESHOLDS",
  model: "EVALKIT_MODEL",
  baseModel: "EVALKIT_BASE_MODEL",
  tasks: "EVALKIT_TASKS",
  gridDir: "EVALKIT_GRID_DIR",
  runGrid: "EVALKIT_RUN_GRID",
} as const;

/** A parameter name: a key of a notebook's parameters cell, of `--param key=value` and of `--params`. */
export type ParamName = keyof typeof PARAM_ENV;

/** Parameters holding file or directory paths (relative values resolve against the notebook's folder). */
export const PATH_PARAMS: readonly ParamName[] = ["data", "releaseDates", "runsLog", "thresholds", "gridDir"];

/**
 * Parameter values as a notebook's parameters cell, `deno task report --params file.json` or `--param`
 * give them: any subset of the parameter names; lists may be arrays or comma-separated strings; `null` or
 * `""` means "use the default".
 */
export const ParameterValues = z.strictObject(
  Object.fromEntries(
    (Object.keys(PARAM_ENV) as ParamName[]).map((k) => [
      k,
      z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]).optional(),
    ]),
  ) as Record<
    ParamName,
    z.ZodOptional<z.ZodUnion<[z.ZodString, z.ZodNumber, z.ZodBoolean, z.ZodArray<z.ZodString>, z.ZodNull]>>
  >,
);
/** Parameter values (see {@link ParameterValues}). */
export type ParameterValues = z.infer<typeof ParameterValues>;

/**
 * Parameter values as `EVALKIT_*` variables: relative paths resolved against `dir` (the notebook's folder),
 * lists joined with commas, booleans as `1`/`0`; null and empty values left out.
 */
export function parametersToEnv(values: ParameterValues, dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(values) as [ParamName, ParameterValues[ParamName]][]) {
    if (value === null || value === undefined) continue;
    let text = Array.isArray(value)
      ? value.join(",")
      : typeof value === "boolean"
      ? (value ? "1" : "0")
      : String(value);
    if (text.trim() === "") continue;
    if (PATH_PARAMS.includes(key) && !isAbsolute(text)) text = resolve(dir, text);
    env[PARAM_ENV[key]] = text;
  }
  return env;
}

/**
 * The values of a notebook's parameters cell (the code cell tagged `parameters`): its source must hold
 * one JSON object literal (`const parameters = { "runsLog": "../runs/main/main.jsonl" };`). Null when the
 * notebook has no such cell.
 * @throws Error when the cell's object is not JSON or names an unknown parameter.
 */
export function parametersCellValues(
  cells: readonly { cell_type: string; metadata?: Record<string, unknown>; source: string | string[] }[],
  source = "notebook",
): ParameterValues | null {
  const cell = cells.find((c) =>
    c.cell_type === "code" && Array.isArray(c.metadata?.tags) &&
    (c.metadata.tags as unknown[]).includes("parameters")
  );
  if (!cell) return null;
  const text = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
  const start = text.indexOf("{"), end = text.lastIndexOf("}");
  if (start < 0 || end < start) throw new Error(`${source}: the parameters cell holds no object literal`);
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch (e) {
    throw new Error(`${source}: the parameters cell's object is not JSON (${(e as Error).message})`);
  }
  const parsed = ParameterValues.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: parameters cell: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

/** Where a notebook's parameter defaults come from: its parameters cell and the folder it resolves against. */
export interface CellDefaults {
  /** The parameters cell's values. */
  values: ParameterValues;
  /** The notebook's folder (the kernel's working directory); default `Deno.cwd()`. */
  dir?: string;
}

/** File name of METR's public run data, as published in January 2025. */
export const METR_RUNS_FILE = "all_runs_2025-01.jsonl";
/** File name of METR's model release dates matching {@link METR_RUNS_FILE}. */
export const METR_RELEASE_DATES_FILE = "release_dates_2025-01.yaml";

/** The four scaffolds of METR's elicitation-impact study, as this toolkit names them. */
export const DEFAULT_VARIANTS = ["basic", "chat", "allTools", "bestOfN"] as const;

/** Default model of the notebooks' own grid: the simulated model with a 30-minute 50% horizon. */
export const DEFAULT_MODEL = "simulated/30";

/**
 * Default tasks of the notebooks' own grid: small, quick families of the bundled suite spanning the
 * first three buckets (a larger grid belongs in `deno task eval`, read back with `EVALKIT_RUNS_LOG`).
 */
export const DEFAULT_GRID_TASKS = [
  "mystery_function/*",
  "password_recovery/*",
  "hash_inversion/small_domain",
  "hash_inversion/mixing64",
] as const;

/**
 * The default weaker model for the model-step comparison: `simulated/<m/4>` (two doublings of horizon less)
 * for `simulated/<m>` (`simulated` alone has a 30-minute horizon); null for other models.
 */
export function deriveBaseModel(model: string): string | null {
  const m = /^simulated(?:\/(\d+(?:\.\d+)?))?$/.exec(model);
  if (!m) return null;
  const minutes = m[1] === undefined ? 30 : Number(m[1]);
  return `simulated/${Math.max(1, Math.round(minutes / 4))}`;
}

/** Validated notebook parameters. */
export const NotebookParams = z.object({
  /** METR runs.jsonl (absolute path). */
  data: z.string().min(1),
  /** METR release-dates YAML (absolute path). */
  releaseDates: z.string().min(1),
  /** Seed for every random draw in the notebook. */
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  /** A run log (a JSONL file or a directory of them) from `deno task eval`, or null to run a small grid. */
  runsLog: z.string().min(1).nullable(),
  /** Scaffold variants to compare. */
  variants: z.array(z.string().min(1)).min(1),
  /** Bootstrap replicates for intervals. */
  bootstrap: z.number().int().min(50).max(100_000),
  /** Epochs (repeats) per task × variant cell when the notebook runs its own grid. */
  epochs: z.number().int().min(1).max(100),
  /** Thresholds file for the protocol notebook (absolute path). */
  thresholds: z.string().min(1),
  /** Model of the notebooks' own grid (a real endpoint, e.g. `openai/gpt-4o`, when configured). */
  model: z.string().regex(/^[a-z0-9-]+(\/.+)?$/, "expected provider/model, e.g. simulated/30"),
  /**
   * The earlier/weaker model of the model-step comparison. Default: for `simulated/<m>`, `simulated/<m/4>`
   * (two doublings of horizon less); for other models none (the comparison is skipped unless set).
   */
  baseModel: z.string().regex(/^[a-z0-9-]+(\/.+)?$/, "expected provider/model, e.g. simulated/8").nullable(),
  /** Task ids or globs of the notebooks' own grid. */
  tasks: z.array(z.string().min(1)).min(1),
  /** Cache directory of the notebooks' own grid logs (absolute path). */
  gridDir: z.string().min(1),
  /** Run the notebook's own small grid (any run log is then ignored). */
  runGrid: z.boolean(),
});
/** Validated notebook parameters. */
export type NotebookParams = z.infer<typeof NotebookParams>;

/** Default values of the non-path parameters. */
export const PARAM_DEFAULTS = { seed: 20240307, bootstrap: 500, epochs: 2 } as const;

/** A parameter that failed validation. */
export class NotebookParamError extends Error {
  /** An error naming the parameter (its `EVALKIT_*` variable or key) and what is wrong with its value. */
  constructor(readonly variable: string, readonly detail: string) {
    super(`notebook parameter ${variable}: ${detail}`);
    this.name = "NotebookParamError";
  }
}

/**
 * The project root: the nearest directory above `start` whose deno.json names this toolkit.
 * Defaults to the directory of this module, so it works whatever the notebook's working directory is.
 */
export function projectRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start);
  for (;;) {
    try {
      const config = JSON.parse(Deno.readTextFileSync(join(dir, "deno.json")));
      if (config?.name === "@evalkit/evalkit") return dir;
    } catch { /* not here */ }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no evalkit deno.json found above ${start}`);
    dir = parent;
  }
}

/** Where METR's data is looked for by default: `../shared/data/metr/` beside the project root. */
export function defaultMetrDir(root: string = projectRoot()): string {
  return resolve(root, "..", "shared", "data", "metr");
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function dirExists(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function int(env: Record<string, string | undefined>, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === "") return fallback;
  if (!/^\s*\d+\s*$/.test(raw)) {
    throw new NotebookParamError(variable, `expected a whole number, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function path(env: Record<string, string | undefined>, variable: string, root: string): string | null {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === "") return null;
  return isAbsolute(raw) ? raw : resolve(root, raw);
}

/**
 * Read and validate the notebook parameters.
 *
 * - `EVALKIT_DATA` — METR runs.jsonl; default `<root>/../shared/data/metr/all_runs_2025-01.jsonl`.
 *   Relative paths resolve against the project root. Get the file from METR's public repository.
 * - `EVALKIT_RELEASE_DATES` — release-dates YAML; default the file beside the runs file.
 * - `EVALKIT_SEED` — default 20240307. `EVALKIT_BOOTSTRAP` — replicates, default 500 (METR's default for horizon fits).
 * - `EVALKIT_RUNS_LOG` — run log from `deno task eval`; default none (the notebook runs its own grid).
 *   The scaffold notebooks' parameters cells default it to `../runs/main/main.jsonl` (`./evalkit main`'s log).
 * - `EVALKIT_RUN_GRID` — `1`/`true`: ignore any run log and run the notebook's own small grid.
 * - `EVALKIT_VARIANTS` — comma-separated scaffold variants; default `basic,chat,allTools,bestOfN`.
 * - `EVALKIT_EPOCHS` — repeats per cell for a notebook's own grid, default 2.
 * - `EVALKIT_MODEL` — model of the notebooks' own grid, default `simulated/30` (offline).
 * - `EVALKIT_BASE_MODEL` — weaker model for the model-step comparison; default `simulated/<m/4>` for
 *   `simulated/<m>`, else none.
 * - `EVALKIT_GRID_DIR` — cache directory of that grid's logs, default `<root>/out/notebook-runs`.
 * - `EVALKIT_TASKS` — comma-separated task ids/globs of that grid, default {@link DEFAULT_GRID_TASKS}.
 * - `EVALKIT_THRESHOLDS` — thresholds file (JSON/YAML); default `<root>/data/thresholds.example.json`.
 *
 * With `defaults` (a notebook's parameters cell), a variable that is set wins over the cell's value, and
 * relative paths in the cell resolve against `defaults.dir` (the notebook's folder); relative paths in
 * variables resolve against the project root. `deno task report --param` sets the variables, so the
 * order is: command line > environment > parameters cell > built-in default.
 *
 * @throws NotebookParamError naming the variable when a value is malformed or a file is missing.
 */
export function notebookParams(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  root: string = projectRoot(),
  defaults?: CellDefaults,
): NotebookParams {
  if (defaults) {
    // Precedence: an EVALKIT_* variable that is set (by the shell, or by `deno task report --param`,
    // which sets them for the kernel) wins over the parameters cell's default.
    const cellEnv = parametersToEnv(defaults.values, defaults.dir ?? Deno.cwd());
    const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
    env = { ...cellEnv, ...set };
  }
  const runGrid = /^\s*(1|true|yes)\s*$/i.test(env[PARAM_ENV.runGrid] ?? "");
  const data = path(env, PARAM_ENV.data, root) ?? join(defaultMetrDir(root), METR_RUNS_FILE);
  if (!fileExists(data)) {
    throw new NotebookParamError(
      PARAM_ENV.data,
      `METR runs file not found at ${data}; download all_runs.jsonl from METR's public repository and set ` +
        `${PARAM_ENV.data} to its path`,
    );
  }
  const releaseDates = path(env, PARAM_ENV.releaseDates, root) ??
    join(dirname(data), METR_RELEASE_DATES_FILE);
  if (!fileExists(releaseDates)) {
    throw new NotebookParamError(PARAM_ENV.releaseDates, `release-dates file not found at ${releaseDates}`);
  }
  const runsLog = runGrid ? null : path(env, PARAM_ENV.runsLog, root);
  if (runsLog !== null && !fileExists(runsLog) && !dirExists(runsLog)) {
    throw new NotebookParamError(
      PARAM_ENV.runsLog,
      `run log not found at ${runsLog} (write one with ./evalkit main or deno task eval, point runsLog at ` +
        `yours, or set runGrid=true / ${PARAM_ENV.runGrid}=1 to run the notebook's own small grid)`,
    );
  }
  const thresholds = path(env, PARAM_ENV.thresholds, root) ?? join(root, "data", "thresholds.example.json");
  if (!fileExists(thresholds)) {
    throw new NotebookParamError(PARAM_ENV.thresholds, `thresholds file not found at ${thresholds}`);
  }
  const list = (raw: string | undefined, fallback: readonly string[]) =>
    raw && raw.trim() !== "" ? raw.split(",").map((v) => v.trim()).filter((v) => v !== "") : [...fallback];
  const variants = list(env[PARAM_ENV.variants], DEFAULT_VARIANTS);
  const model = env[PARAM_ENV.model]?.trim() || DEFAULT_MODEL;
  const candidate = {
    model,
    gridDir: path(env, PARAM_ENV.gridDir, root) ?? join(root, "out", "notebook-runs"),
    baseModel: env[PARAM_ENV.baseModel]?.trim() || deriveBaseModel(model),
    tasks: list(env[PARAM_ENV.tasks], DEFAULT_GRID_TASKS),
    data,
    releaseDates,
    runsLog,
    runGrid,
    variants,
    thresholds,
    seed: int(env, PARAM_ENV.seed, PARAM_DEFAULTS.seed),
    bootstrap: int(env, PARAM_ENV.bootstrap, PARAM_DEFAULTS.bootstrap),
    epochs: int(env, PARAM_ENV.epochs, PARAM_DEFAULTS.epochs),
  };
  const parsed = NotebookParams.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0]) as keyof typeof PARAM_ENV;
    throw new NotebookParamError(
      PARAM_ENV[key] ?? key,
      `${issue.message} (got ${JSON.stringify(candidate[key])})`,
    );
  }
  return parsed.data;
}

/**
 * The parameters of a notebook from its parameters cell's `values`: what a notebook's second code cell
 * calls. `deno task report --param`/`--params` and `EVALKIT_*` variables override the cell; relative
 * paths in the cell resolve against the kernel's working directory (the notebook's folder).
 */
export function paramsFromCell(values: ParameterValues): NotebookParams {
  return notebookParams(Deno.env.toObject(), projectRoot(), {
    values: ParameterValues.parse(values),
    dir: Deno.cwd(),
  });
}
