/**
 * Small helpers shared by the command-line tools, so that a mistyped argument ends in a one-line error
 * naming the option instead of a stack trace.
 * @module
 */

import { formatTaskMetaIssue, readTaskMeta, TaskMetaError, type TaskMetaTable } from "../task/task_meta.ts";
import type { InspectImportOptions } from "../frame/inspect/schema.ts";

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Reads `--task-meta <file>`.
 * @returns the table (undefined when the option was not given), or the lines of an error naming the file,
 *   line and field of every bad row (each line to be printed on its own).
 */
export async function readTaskMetaOption(
  path: string | undefined,
): Promise<{ table?: TaskMetaTable; errors?: string[] }> {
  if (path === undefined) return {};
  try {
    return { table: await readTaskMeta(path) };
  } catch (e) {
    if (e instanceof TaskMetaError) {
      return { errors: e.issues.map((i) => `--task-meta ${formatTaskMetaIssue(i)}`) };
    }
    return { errors: [`--task-meta ${path}: ${(e as Error).message}`] };
  }
}

/**
 * Joins `--name -1` into `--name=-1` for the given string options, so that a negative number reaches the
 * option's own validation ("--epochs must be …, got -1") instead of node's parseArgs rejecting it as an
 * "ambiguous" argument. Arguments after `--` are left alone.
 */
export function joinNegativeValues(args: string[], stringOptions: Iterable<string>): string[] {
  const names = new Set([...stringOptions].map((n) => `--${n}`));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (names.has(a) && i + 1 < args.length && NEGATIVE_NUMBER.test(args[i + 1])) {
      out.push(`${a}=${args[i + 1]}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/**
 * Checks that `path`, given to `--name` as an output directory, is a directory or does not exist yet.
 * @returns an error message, or null when the path is usable.
 */
export async function outputDirProblem(name: string, path: string): Promise<string | null> {
  try {
    const info = await Deno.stat(path);
    return info.isDirectory ? null : `--${name} ${path}: exists and is not a directory`;
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? null : `--${name} ${path}: ${(e as Error).message}`;
  }
}

/**
 * Whether `path` is a local file whose first line is an evalkit event (`{"type": …}`), i.e. a log from
 * `deno task eval` rather than a runs table. False for URLs, directories and unreadable paths.
 */
export async function isEventLogFile(path: string): Promise<boolean> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return false;
  let file: Deno.FsFile | undefined;
  try {
    if (!(await Deno.stat(path)).isFile) return false;
    file = await Deno.open(path);
    const buf = new Uint8Array(4096);
    const n = (await file.read(buf)) ?? 0;
    const first = new TextDecoder().decode(buf.subarray(0, n)).split("\n")[0].trim();
    return /^\{\s*"type"\s*:/.test(first);
  } catch {
    return false;
  } finally {
    file?.close();
  }
}

/**
 * Ends a command early with an exit code. Thrown by a command's helpers (its `fail(message)`, a failed
 * start of a sandbox driver, …) and turned into the return value of the command's `main` by
 * {@link withExitCode}, so that a command called as a function never exits the calling process.
 */
export class CliExit extends Error {
  /**
   * @param code the exit code (2 usage error, 1 failure, …)
   * @param message printed on stderr as it is (prefix included) when not empty
   */
  constructor(readonly code: number, message = "") {
    super(message);
    this.name = "CliExit";
  }
}

/**
 * Runs a command's body and returns its exit code; a {@link CliExit} thrown inside prints its message on
 * stderr and becomes the code. Other errors propagate.
 */
export async function withExitCode(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (!(e instanceof CliExit)) throw e;
    if (e.message) console.error(e.message);
    return e.code;
  }
}

/**
 * The options of every command that reads Inspect logs, as the command line spells them: which scorer's
 * score is the run's score, which key of a dict-valued score, and which sample-metadata key holds human
 * minutes (docs/inspect.md).
 */
export const INSPECT_IMPORT_FLAGS = ["scorer", "score-key", "minutes-key"] as const;

/** The Inspect importer's options from `--scorer`, `--score-key` and `--minutes-key` (those given). */
export function inspectImportOptions(
  values: Readonly<Record<string, unknown>>,
): Pick<InspectImportOptions, "scorer" | "scoreKey" | "minutesKey"> {
  const text = (name: string) => typeof values[name] === "string" ? values[name] as string : undefined;
  const options: Pick<InspectImportOptions, "scorer" | "scoreKey" | "minutesKey"> = {};
  if (text("scorer")) options.scorer = text("scorer");
  if (text("score-key")) options.scoreKey = text("score-key");
  if (text("minutes-key")) options.minutesKey = text("minutes-key");
  return options;
}

/**
 * The error for Inspect-only options given with input that is not Inspect logs (`--scorer` would otherwise
 * be ignored in silence), or null.
 * @param input how the input was given, e.g. `--runs runs.jsonl`
 * @param kind what the input is instead, e.g. `a METR runs file`
 */
export function inspectOnlyProblem(
  values: Readonly<Record<string, unknown>>,
  input: string,
  kind: string,
): string | null {
  const given = INSPECT_IMPORT_FLAGS.filter((name) => values[name] !== undefined);
  if (given.length === 0) return null;
  return `${given.map((name) => `--${name}`).join(", ")} ${given.length === 1 ? "applies" : "apply"} to ` +
    `Inspect logs only; ${input} is ${kind}`;
}

/**
 * The error for a `--scorer` from which no imported run got a score (a mistyped name, or dict-valued
 * scores without `--score-key`; the importer's notes say which), or null. Without it every run would be
 * kept unscored and the analysis would print NaN.
 */
export function unscoredProblem(
  values: Readonly<Record<string, unknown>>,
  scores: Iterable<unknown>,
): string | null {
  if (typeof values.scorer !== "string") return null;
  for (const score of scores) if (typeof score === "number" && Number.isFinite(score)) return null;
  return `--scorer ${values.scorer}: no sample has a score from it (see the notes above)`;
}
