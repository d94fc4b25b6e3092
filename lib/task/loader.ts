/**
 * Finds and validates every task family under a directory (default `tasks/`).
 *
 * A family is a directory holding either `family.ts` (the TypeScript standard, default export made
 * by `defineTaskFamily`) or `<dir>.py` (an unmodified METR Task Standard family, run through the
 * Python bridge). Validation is per family and then per task: a bad field or task name in one task is
 * reported with the family, task and field, and the family's other tasks still load; a family that fails to
 * import is reported and the other families still load.
 *
 * TypeScript families must give all six metadata fields; METR-format families may leave any unknown. A
 * task-times table (`--task-meta`, lib/task/task_meta.ts) overrides both.
 *
 * @module
 */
import { fromFileUrl, join, resolve, toFileUrl } from "../util/path.ts";
import { type Bucket, bucketOf, type BucketScheme, DEFAULT_BUCKETS } from "./buckets.ts";
import { isTaskFamily, type TaskFamily } from "./define.ts";
import { TaskLoadError, TaskLoadWarning } from "./errors.ts";
import {
  FamilyHeader,
  type LoadedTaskManifest,
  MetrTaskManifest,
  safeTaskId,
  TASK_NAME_RULE,
  TaskManifest,
  TaskName,
} from "./schema.ts";
import { applyTaskMetaEntry, readTaskMeta, type TaskMetaTable } from "./task_meta.ts";
import type { z } from "../deps/zod.ts";
import type { PythonBridgeOptions } from "./python_bridge.ts";

export type { LoadedFamily, LoadedTask, Suite } from "./loaded.ts";
import type { LoadedFamily, LoadedTask, Suite } from "./loaded.ts";

/** Options of {@link loadSuite}. */
export interface LoadSuiteOptions {
  /** Bucket scheme used to derive each task's bucket. */
  buckets?: BucketScheme;
  /**
   * A task-times table (or the path of one, read with {@link readTaskMeta}): its values override the
   * families' own, for every family format. A bad table makes {@link loadSuite} throw a `TaskMetaError`.
   */
  taskMeta?: TaskMetaTable | string;
  /**
   * How METR-format families are built and described (the driver that builds their images when nothing is
   * cached, build progress, the description cache); see {@link PythonBridgeOptions}.
   */
  python?: PythonBridgeOptions;
}

/** The project's bundled `tasks/` directory. */
export const DEFAULT_TASKS_DIR: string = fromFileUrl(new URL("../../tasks/", import.meta.url));

/** Load every family under `dir`. Never throws for a bad family: problems land in `errors`. */
export async function loadSuite(
  dir: string = DEFAULT_TASKS_DIR,
  options: LoadSuiteOptions = {},
): Promise<Suite> {
  const root = resolve(dir);
  const entries: string[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (entry.isDirectory && !entry.name.startsWith(".") && !entry.name.startsWith("_")) {
        entries.push(entry.name);
      }
    }
  } catch (error) {
    throw new Error(`cannot read tasks directory ${root}: ${(error as Error).message}`);
  }
  entries.sort();
  const taskMeta = typeof options.taskMeta === "string"
    ? await readTaskMeta(options.taskMeta)
    : options.taskMeta;
  const families: LoadedFamily[] = [];
  const errors: TaskLoadError[] = [];
  const warnings: TaskLoadWarning[] = [];
  for (const name of entries) {
    const result = await loadFamilyDir(join(root, name), { ...options, taskMeta });
    if (result.family) families.push(result.family);
    errors.push(...result.errors);
    warnings.push(...result.warnings);
  }
  const tasks = families.flatMap((f) => f.tasks);
  if (taskMeta) {
    const loaded = new Set(tasks.map((t) => t.id));
    for (const entry of taskMeta.entries.values()) {
      if (!loaded.has(entry.task)) {
        warnings.push(
          new TaskLoadWarning(
            taskMeta.file,
            undefined,
            entry.at.slice(taskMeta.file.length).replace(/^:/, "line ").trim() || undefined,
            `"${entry.task}" is no task of the suite (or one that failed to load); row not used`,
          ),
        );
      }
    }
  }
  return { dir: root, families, tasks, errors, warnings };
}

/** Load one family directory. */
export async function loadFamilyDir(
  dir: string,
  options: LoadSuiteOptions = {},
): Promise<{ family?: LoadedFamily; errors: TaskLoadError[]; warnings: TaskLoadWarning[] }> {
  const dirName = dir.replace(/\/+$/, "").split("/").pop() ?? dir;
  const tsFile = join(dir, "family.ts");
  const pyFile = join(dir, `${dirName}.py`);
  let definition: TaskFamily;
  let format: LoadedFamily["format"];
  try {
    if (await exists(tsFile)) {
      format = "typescript";
      definition = await importTypeScriptFamily(dirName, tsFile);
    } else if (await exists(pyFile)) {
      format = "metr-python";
      const bridge = await import("./python_bridge.ts");
      definition = await bridge.loadPythonFamily(dir, options.python);
    } else {
      return {
        errors: [new TaskLoadError(dirName, undefined, undefined, `no family.ts or ${dirName}.py in ${dir}`)],
        warnings: [],
      };
    }
  } catch (error) {
    if (error instanceof TaskLoadError) return { errors: [error], warnings: [] };
    return { errors: [new TaskLoadError(dirName, undefined, undefined, describe(error))], warnings: [] };
  }
  const taskMeta = typeof options.taskMeta === "string"
    ? await readTaskMeta(options.taskMeta)
    : options.taskMeta;
  return validateFamily(dirName, dir, format, definition, options.buckets ?? DEFAULT_BUCKETS, taskMeta);
}

async function importTypeScriptFamily(dirName: string, file: string): Promise<TaskFamily> {
  let module: Record<string, unknown>;
  try {
    module = await import(toFileUrl(file).href);
  } catch (error) {
    throw new TaskLoadError(dirName, undefined, "family.ts", `failed to import: ${describe(error)}`);
  }
  if (!isTaskFamily(module.default)) {
    throw new TaskLoadError(
      dirName,
      undefined,
      "family.ts",
      "default export must be made by defineTaskFamily(...)",
    );
  }
  return module.default;
}

/**
 * Validate a family definition: header first, then each task on its own (its name under {@link TaskName},
 * its manifest under {@link TaskManifest} for TypeScript families or {@link MetrTaskManifest} for METR-format
 * ones), the task-times table laid over each, and the bucket derived from the minutes (none without minutes).
 * Errors and warnings a METR definition carries (`loadErrors`, `loadWarnings`) are passed on.
 */
export function validateFamily(
  dirName: string,
  dir: string,
  format: LoadedFamily["format"],
  definition: TaskFamily,
  buckets: BucketScheme = DEFAULT_BUCKETS,
  taskMeta?: TaskMetaTable,
): { family?: LoadedFamily; errors: TaskLoadError[]; warnings: TaskLoadWarning[] } {
  const errors: TaskLoadError[] = [];
  const carried = definition as {
    loadErrors?: readonly TaskLoadError[];
    loadWarnings?: readonly TaskLoadWarning[];
  };
  const warnings: TaskLoadWarning[] = [...(carried.loadWarnings ?? [])];
  const header = FamilyHeader.safeParse(definition);
  if (!header.success) {
    return { errors: zodErrors(header.error, dirName, undefined, ""), warnings };
  }
  if (header.data.name !== dirName) {
    return {
      warnings,
      errors: [
        new TaskLoadError(
          dirName,
          undefined,
          "name",
          `family name "${header.data.name}" must equal its directory name`,
        ),
      ],
    };
  }
  for (
    const hook of ["setup", "score", "intermediateScore", "solution", "wrongAttempt", "teardown"] as const
  ) {
    const value = (definition as unknown as Record<string, unknown>)[hook];
    if (value !== undefined && typeof value !== "function") {
      errors.push(
        new TaskLoadError(dirName, undefined, hook, `${hook} must be a function, got ${typeof value}`),
      );
    }
  }
  const cheats = (definition as unknown as Record<string, unknown>).cheats;
  if (cheats !== undefined) {
    if (typeof cheats !== "object" || cheats === null || Array.isArray(cheats)) {
      errors.push(
        new TaskLoadError(dirName, undefined, "cheats", "cheats must be an object of named functions"),
      );
    } else {
      for (const [name, fn] of Object.entries(cheats)) {
        if (!/^[a-z0-9][a-z0-9_]*$/.test(name)) {
          errors.push(
            new TaskLoadError(
              dirName,
              undefined,
              `cheats.${name}`,
              "cheat name must match [a-z0-9][a-z0-9_]*",
            ),
          );
        } else if (typeof fn !== "function") {
          errors.push(
            new TaskLoadError(
              dirName,
              undefined,
              `cheats.${name}`,
              `a cheat must be a function, got ${typeof fn}`,
            ),
          );
        }
      }
    }
  }
  if (errors.length) return { errors, warnings };
  errors.push(...(carried.loadErrors ?? []));
  const tasks: LoadedTask[] = [];
  const family: LoadedFamily = {
    name: header.data.name,
    dir: resolve(dir),
    format,
    header: header.data,
    definition,
    tasks,
  };
  const rawTasks = definition.tasks;
  if (typeof rawTasks !== "object" || rawTasks === null || Object.keys(rawTasks).length === 0) {
    if (errors.length) return { errors, warnings }; // every task was refused by the bridge: those errors say why
    return {
      errors: [new TaskLoadError(dirName, undefined, "tasks", "a family needs at least one task")],
      warnings,
    };
  }
  const schema = format === "typescript" ? TaskManifest : MetrTaskManifest;
  for (const [taskName, raw] of Object.entries(rawTasks)) {
    if (!TaskName.safeParse(taskName).success) {
      errors.push(new TaskLoadError(dirName, taskName, "name", TASK_NAME_RULE));
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      errors.push(...zodErrors(parsed.error, dirName, taskName, `tasks.${taskName}.`));
      continue;
    }
    const id = `${family.name}/${taskName}`;
    const manifest: LoadedTaskManifest = applyTaskMetaEntry(parsed.data, taskMeta?.entries.get(id));
    let bucket: Bucket | undefined;
    if (manifest.humanMinutes !== undefined) {
      try {
        bucket = bucketOf(manifest.humanMinutes, buckets);
      } catch (error) {
        errors.push(new TaskLoadError(dirName, taskName, `tasks.${taskName}.humanMinutes`, describe(error)));
        continue;
      }
    }
    tasks.push({ id, safeId: safeTaskId(id), name: taskName, family, manifest, bucket });
  }
  return { family: tasks.length ? family : undefined, errors, warnings };
}

function zodErrors(
  error: z.ZodError,
  family: string,
  task: string | undefined,
  prefix: string,
): TaskLoadError[] {
  return error.issues.map((issue) => {
    const field = `${prefix}${issue.path.map(String).join(".")}`.replace(/\.$/, "");
    return new TaskLoadError(family, task, field || undefined, issue.message);
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0];
  return String(error);
}

/** Select tasks by glob patterns over task ids (`family/*`, `*hash*`, exact ids); comma-separated allowed. */
export function selectTasks(tasks: LoadedTask[], patterns: string | string[] | undefined): LoadedTask[] {
  if (patterns === undefined) return tasks;
  const list = (Array.isArray(patterns) ? patterns : [patterns]).flatMap((p) => p.split(",")).map((p) =>
    p.trim()
  )
    .filter(Boolean);
  if (list.length === 0) return tasks;
  const regexes = list.map(globToRegExp);
  return tasks.filter((t) => regexes.some((r) => r.test(t.id) || r.test(t.family.name)));
}

/** Convert a glob (`*`, `?`) to an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}
