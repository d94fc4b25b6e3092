/**
 * Options of the public analysis functions are checked, not trusted: each function declares its options as
 * a strict zod object, and {@link parseOptions} turns a typo (`{ sed: 3 }`), a wrong type or an option of a
 * different function into an {@link OptionsError} that names the function, the option and what was wrong —
 * with the nearest known option name when one is close. Nothing unknown is silently ignored.
 *
 * @module
 */
import { z } from "../deps/zod.ts";

/** Options a function could not accept: names the function and every problem. */
export class OptionsError extends TypeError {
  /** An error naming the function `fn` and every problem (unknown options with a near name, bad values). */
  constructor(readonly fn: string, readonly problems: readonly string[]) {
    super(`${fn}: ${problems.join("; ")}`);
    this.name = "OptionsError";
  }
}

/** Edit distance with adjacent transpositions (small strings: option names). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => new Array<number>(b.length + 1).fill(i));
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** The known option closest to `key` when it is plausibly a typo of it, else null. */
export function nearestOption(key: string, known: readonly string[]): string | null {
  let best: string | null = null, bestDistance = Infinity;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : distance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : null;
}

function keysOf(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape).sort() : [];
}

function describe(issue: z.core.$ZodIssue, known: readonly string[]): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const path = [...issue.path, key].join(".");
      const near = issue.path.length === 0 ? nearestOption(key, known) : null;
      return near
        ? `unknown option "${path}" (did you mean "${near}"?)`
        : `unknown option "${path}" (known: ${issue.path.length === 0 ? known.join(", ") : "see its type"})`;
    });
  }
  const where = issue.path.length ? `option "${issue.path.join(".")}"` : "options";
  return [`${where}: ${issue.message}`];
}

/**
 * Validate `options` against a function's strict schema; return the parsed options (defaults applied).
 * `undefined` is read as `{}`.
 * @throws OptionsError naming `fn`, each unknown option (with the nearest known name) and each bad value.
 */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, fn: string): z.output<S> {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const known = keysOf(schema);
  throw new OptionsError(fn, parsed.error.issues.flatMap((issue) => describe(issue, known)));
}

/** A `ReadonlyMap` value in an options schema (entries are not re-validated). */
export function mapOption<K, V>(): z.ZodType<ReadonlyMap<K, V>, ReadonlyMap<K, V>> {
  return z.custom<ReadonlyMap<K, V>>((value) => value instanceof Map, { message: "expected a Map" });
}
