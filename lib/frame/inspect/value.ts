/**
 * Inspect score values → numbers, by Inspect's own `value_to_float` rules: numbers and booleans as they are;
 * `C` (correct) = 1, `P` (partial) = 0.5, `I` (incorrect) and `N` (no answer) = 0; the strings `yes`/`true`
 * = 1 and `no`/`false` = 0 (any case); a numeric string (digits and dots) as its number. Where Inspect logs a
 * warning and uses 0, this returns null with the reason, so the importer can say so. Dict values are read
 * by key, as Inspect's metrics do. Pure functions.
 *
 * @module
 */
import type { InspectSample } from "./schema.ts";

/** A converted value, or why there is none. */
export type FloatResult = { value: number } | { value: null; reason: string };

/** One value (not a dict) by Inspect's `value_to_float` rules. */
export function valueToFloat(value: unknown): FloatResult {
  if (typeof value === "number") {
    return Number.isFinite(value) ? { value } : { value: null, reason: `non-finite value ${value}` };
  }
  if (typeof value === "boolean") return { value: value ? 1 : 0 };
  if (typeof value === "string") {
    if (value === "C") return { value: 1 };
    if (value === "P") return { value: 0.5 };
    if (value === "I" || value === "N") return { value: 0 };
    const lower = value.toLowerCase();
    if (lower === "yes" || lower === "true") return { value: 1 };
    if (lower === "no" || lower === "false") return { value: 0 };
    if (/^[0-9.]+$/.test(value) && /[0-9]/.test(value) && value.split(".").length <= 2) {
      return { value: Number(value) };
    }
    return { value: null, reason: `unconvertible value ${JSON.stringify(value.slice(0, 40))}` };
  }
  if (value === null || value === undefined) return { value: null, reason: "no value" };
  if (Array.isArray(value)) return { value: null, reason: "a list value" };
  return { value: null, reason: "a dict value (name a key with scoreKey / --score-key)" };
}

/** A sample's score for the chosen scorer: the number in [0,1], or null and why. */
export interface SampleScore {
  scorer: string | null;
  score: number | null;
  /** Why the score is null or was changed, for the importer's notes. */
  problem?: string;
}

/**
 * The score of one sample: scorer `scorer` (default: the first of `scores`, or format version 1's single
 * `score`), its value converted by {@link valueToFloat} (a dict value read at `scoreKey`). A score outside
 * [0,1] is left out (null) with a problem line: the runs table holds scores in [0,1] only.
 */
export function sampleScore(
  sample: Pick<InspectSample, "scores" | "score">,
  options: { scorer?: string; scoreKey?: string; defaultScorer?: string } = {},
): SampleScore {
  const scores = sample.scores ?? (sample.score ? { score: sample.score } : null);
  if (!scores || Object.keys(scores).length === 0) return { scorer: null, score: null, problem: "no scores" };
  const name = options.scorer ??
    (options.defaultScorer && options.defaultScorer in scores
      ? options.defaultScorer
      : Object.keys(scores)[0]);
  const entry = scores[name];
  if (!entry) {
    return {
      scorer: name,
      score: null,
      problem: `no score from scorer ${name} (has ${Object.keys(scores).join(", ")})`,
    };
  }
  let raw = entry.value;
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    const dict = raw as Record<string, unknown>;
    const keys = Object.keys(dict);
    const key = options.scoreKey ?? (keys.length === 1 ? keys[0] : undefined);
    if (key === undefined) {
      return {
        scorer: name,
        score: null,
        problem: `dict-valued score (keys ${keys.join(", ")}): name one with scoreKey`,
      };
    }
    if (!(key in dict)) {
      return { scorer: name, score: null, problem: `score has no key ${key} (has ${keys.join(", ")})` };
    }
    raw = dict[key];
  }
  const f = valueToFloat(raw);
  if (f.value === null) return { scorer: name, score: null, problem: f.reason };
  if (f.value < 0 || f.value > 1) {
    return { scorer: name, score: null, problem: `score ${f.value} outside [0,1]` };
  }
  return { scorer: name, score: f.value };
}
