/**
 * Errors of the protocol and elicitation analyses. Each names what was wrong precisely: the file and
 * field path of a bad threshold or bucket file, the missing column of a table, or why the data are too
 * few for an estimate (instead of returning NaN).
 *
 * @module
 */
import type { z } from "../deps/zod.ts";

/** A data file (thresholds, buckets, tags) that failed validation. */
export class InputFileError extends Error {
  /** An error for `file`; the message reads `<file> at <path>: <reason>`. */
  constructor(
    /** The file that was read (or `<inline>`). */
    readonly file: string,
    /** Dotted path of the offending field, e.g. `thresholds.2.comparator`; empty for the whole file. */
    readonly path: string,
    /** What was wrong. */
    readonly reason: string,
  ) {
    super(`${file}${path ? ` at ${path}` : ""}: ${reason}`);
    this.name = "InputFileError";
  }

  /** One error per zod issue, joined into a single error naming the first issue's path. */
  static fromZod(file: string, error: z.ZodError, prefix = ""): InputFileError {
    const issues = error.issues.map((i) => {
      const path = [prefix, ...i.path.map(String)].filter((p) => p !== "").join(".");
      return { path, message: i.message };
    });
    const first = issues[0] ?? { path: prefix, message: "invalid" };
    const more = issues.length > 1
      ? `; also ${issues.slice(1).map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`
      : "";
    return new InputFileError(file, first.path, first.message + more);
  }
}

/** A table that lacks a column an analysis needs. */
export class MissingColumnError extends Error {
  /** An error naming the missing column, the analysis, and the columns present. */
  constructor(
    /** The missing column. */
    readonly column: string,
    /** Which analysis needed it. */
    readonly analysis: string,
    /** The columns the table has. */
    readonly present: readonly string[],
  ) {
    super(`${analysis}: the runs table has no column "${column}" (columns: ${present.join(", ") || "none"})`);
    this.name = "MissingColumnError";
  }
}

/** Too few runs, tasks, variants or outcomes for an estimate to mean anything. */
export class InsufficientDataError extends Error {
  /** An error whose message reads `<analysis>: too little data: <reason>`. */
  constructor(
    /** Which analysis. */
    readonly analysis: string,
    /** What was missing, in words, with the numbers. */
    readonly reason: string,
  ) {
    super(`${analysis}: too little data: ${reason}`);
    this.name = "InsufficientDataError";
  }
}
