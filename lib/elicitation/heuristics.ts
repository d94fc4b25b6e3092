/**
 * Heuristics that suggest a failure category for a failed run, with the reason. They only suggest: a
 * person confirms or overrides each suggestion (see `tags.ts`). From the event log they look for, in order:
 * environment faults, agent (scaffold) crashes, context-length trouble, limits hit, refusals, tool-format
 * errors, and giving up early. Without events (METR's runs file) they read the row: `fatal_error_from`
 * (`usageLimits` → limit trouble; other sources → environment or agent fault), `limit` and `error`.
 * A failure without any such signal is suggested `real` with low confidence. `tradeoff` is never suggested:
 * it needs a person's judgement.
 *
 * METR did not publish rules for telling spurious from real failures: the signals and the thresholds in
 * {@link HEURISTIC_DEFAULTS} are this project's choice.
 *
 * @module
 */
import type { FailureCategory, FailureSignal } from "./categories.ts";
import type { ReviewEvent } from "./events.ts";
import { column, requireColumns, type RunsTable } from "../measure/columns.ts";

/** A suggested tag for one failed run. */
export interface TagSuggestion {
  /** The failed run. */
  run_id: string;
  /** Suggested category: `spurious` (fixable with more elicitation) or `real`; never `tradeoff`. */
  category: FailureCategory;
  /** The signal that led to the suggestion (`none` when no spurious signal was found). */
  signal: FailureSignal;
  /** Why, in words, citing the evidence (e.g. the error text or the count of tool-format errors). */
  reason: string;
  /** How strong the signal is; `low` for a `real` suggestion made only for want of any signal. */
  confidence: "high" | "medium" | "low";
}

/** Tunable thresholds of the heuristics. */
export interface HeuristicOptions {
  /** Tool-format errors (failed tool calls whose output looks like a format/parse error) needed. Default 3. */
  toolFormatErrors?: number;
  /** …or this share of all observations being such errors. Default 0.3. */
  toolFormatShare?: number;
  /** A run that submits after fewer actions than this, well inside its limits, "gave up early". Default 3. */
  giveUpActions?: number;
  /** Refusal phrases (case-insensitive). */
  refusalPattern?: RegExp;
  /** Tool-format error phrases in observations (case-insensitive). */
  toolFormatPattern?: RegExp;
  /** Context-length error phrases. */
  contextPattern?: RegExp;
  /** Giving-up phrases in submissions or final messages. */
  giveUpPattern?: RegExp;
  /** Scaffold notes that mark a reply without a usable action (a format error). */
  noteFormatPattern?: RegExp;
  /** Score at or above which a run counts as a success (when `score_binarized` is absent). Default 1. */
  successThreshold?: number;
}

/** The defaults of {@link HeuristicOptions}. */
export const HEURISTIC_DEFAULTS: Required<HeuristicOptions> = {
  toolFormatErrors: 3,
  toolFormatShare: 0.3,
  giveUpActions: 3,
  refusalPattern:
    /\b(I can(?:'|no)t (?:help|assist|comply|do that)|I(?:'m| am) (?:sorry|unable), but|I won't|I will not (?:help|assist)|as an AI,? I cannot)\b/i,
  toolFormatPattern:
    /(unknown tool|invalid (?:tool|function|arguments?|json|format|action)|could not parse|failed to parse|parse error|malformed|missing required (?:argument|parameter|field)|not a valid (?:tool|command|json)|JSONDecodeError|unexpected token)/i,
  contextPattern:
    /(context length|context window|maximum context|too many tokens|prompt is too long|context_length_exceeded)/i,
  giveUpPattern:
    /\b(give up|giving up|unable to (?:complete|solve|finish)|cannot (?:complete|solve) (?:this|the task)|I could not)\b/i,
  noteFormatPattern: /(no action in reply|unknown tool|invalid tool|could not parse|malformed)/i,
  successThreshold: 1,
};

const ENV_SOURCES = new Set(["infra", "server", "serverOrTask", "task", "model", "user"]);

/**
 * Suggests a category for one failed run from its events (any order; they are read in `t` order when present).
 */
export function suggestFromEvents(
  runId: string,
  events: readonly ReviewEvent[],
  options: HeuristicOptions = {},
): TagSuggestion {
  const o = { ...HEURISTIC_DEFAULTS, ...options };
  const end = [...events].reverse().find((e) => e.type === "cell_end");
  const tag = (
    category: FailureCategory,
    signal: FailureSignal,
    reason: string,
    confidence: TagSuggestion["confidence"],
  ) => ({
    run_id: runId,
    category,
    signal,
    reason,
    confidence,
  });
  const err = end?.error ?? "";
  if (end?.status === "error" && end.error_source && ENV_SOURCES.has(end.error_source)) {
    return tag(
      "spurious",
      "environment",
      `run ended with a ${end.error_source} error: ${err.slice(0, 160)}`,
      "high",
    );
  }
  const contextHit = events.find((e) =>
    o.contextPattern.test(e.error ?? "") ||
    (e.type === "observation" && o.contextPattern.test(e.output ?? ""))
  );
  if (contextHit) {
    return tag(
      "spurious",
      "context",
      `context-length trouble: "${(contextHit.error ?? contextHit.output ?? "").slice(0, 160)}"`,
      "high",
    );
  }
  if (end?.status === "error" && end.error_source === "agent") {
    return tag("spurious", "agent_error", `the scaffold crashed: ${err.slice(0, 160)}`, "medium");
  }
  if (end?.status === "limit" || (end?.limit ?? null) !== null) {
    return tag("spurious", "limit", `the run hit its ${end?.limit ?? "usage"} limit`, "medium");
  }
  const calls = events.filter((e) => e.type === "model_call");
  const refusal = calls.find((c) => o.refusalPattern.test(c.content ?? ""));
  const actions = end?.actions ?? events.filter((e) => e.type === "action").length;
  if (refusal && actions < o.giveUpActions + 2) {
    return tag(
      "spurious",
      "refusal",
      `the model refused: "${(refusal.content ?? "").slice(0, 160)}"`,
      "high",
    );
  }
  const observations = events.filter((e) => e.type === "observation");
  // Format errors: failed tool calls that look like format/parse errors, and scaffold notes of replies
  // without a usable action (the text-format scaffold notes those instead of running a tool).
  const formatNotes =
    events.filter((e) => e.type === "note" && o.noteFormatPattern.test(e.message ?? "")).length;
  const formatErrors = formatNotes +
    observations.filter((e) => e.is_error && o.toolFormatPattern.test(e.output ?? "")).length;
  const attempts = observations.length + formatNotes;
  if (
    formatErrors >= o.toolFormatErrors ||
    (attempts > 0 && formatErrors / attempts >= o.toolFormatShare && formatErrors > 0)
  ) {
    return tag(
      "spurious",
      "tool_format",
      `${formatErrors} of ${attempts} replies or tool calls had format/parse errors`,
      formatErrors >= o.toolFormatErrors ? "high" : "medium",
    );
  }
  const score = [...events].reverse().find((e) => e.type === "score");
  const lastMessage = calls.at(-1)?.content ?? "";
  if (score && (o.giveUpPattern.test(score.submission ?? "") || o.giveUpPattern.test(lastMessage))) {
    return tag(
      "spurious",
      "gave_up",
      `the agent said it gave up: "${(score.submission || lastMessage).slice(0, 160)}"`,
      "high",
    );
  }
  if (score && score.submitted === false) {
    return tag("spurious", "gave_up", "the agent stopped without submitting an answer", "medium");
  }
  if (actions < o.giveUpActions) {
    return tag(
      "spurious",
      "gave_up",
      `the agent submitted after only ${actions} action(s), well inside its limits`,
      "medium",
    );
  }
  return tag("real", "none", `no spurious signal: ${actions} actions, then a wrong or partial answer`, "low");
}

/** The row fields {@link suggestFromRow} reads. */
export interface FailureRowFields {
  run_id: string;
  fatal_error_from?: string | null;
  limit?: string | null;
  error?: string | null;
  actions?: number | null;
}

/** Suggests a category for one failed run from its row alone (no events: e.g. METR's runs file). */
export function suggestFromRow(row: FailureRowFields, options: HeuristicOptions = {}): TagSuggestion {
  const o = { ...HEURISTIC_DEFAULTS, ...options };
  const base = { run_id: row.run_id };
  const source = row.fatal_error_from ?? null;
  if (row.error && o.contextPattern.test(row.error)) {
    return {
      ...base,
      category: "spurious",
      signal: "context",
      reason: `context-length trouble: ${row.error.slice(0, 160)}`,
      confidence: "high",
    };
  }
  if (source === "usageLimits" || row.limit) {
    return {
      ...base,
      category: "spurious",
      signal: "limit",
      reason: row.limit
        ? `the run hit its ${row.limit} limit`
        : "fatal_error_from = usageLimits: the run hit a usage limit",
      confidence: "medium",
    };
  }
  if (source && ENV_SOURCES.has(source)) {
    return {
      ...base,
      category: "spurious",
      signal: "environment",
      reason: `fatal error from ${source}${row.error ? `: ${row.error.slice(0, 160)}` : ""}`,
      confidence: "high",
    };
  }
  if (source === "agent") {
    return {
      ...base,
      category: "spurious",
      signal: "agent_error",
      reason: "fatal error from the agent (scaffold crash)",
      confidence: "medium",
    };
  }
  if (row.actions !== null && row.actions !== undefined && row.actions < o.giveUpActions) {
    return {
      ...base,
      category: "spurious",
      signal: "gave_up",
      reason: `submitted after only ${row.actions} action(s)`,
      confidence: "low",
    };
  }
  return {
    ...base,
    category: "real",
    signal: "none",
    reason: "no spurious signal in the run's row (no event log)",
    confidence: "low",
  };
}

/** Whether each row of a runs table is a failure: `score_binarized` = 0, else score below the threshold. */
export function failedRuns(
  table: RunsTable,
  successThreshold = HEURISTIC_DEFAULTS.successThreshold,
): boolean[] {
  requireColumns(table, ["score"], "failedRuns");
  const score = column<number | null>(table, "score");
  const bin = column<number | null>(table, "score_binarized");
  return score.map((s, i) => {
    if (bin[i] === 0 || bin[i] === 1) return bin[i] === 0;
    return s === null || s === undefined || Number(s) < successThreshold;
  });
}

/**
 * Suggestions for every failed run of a table: from its events when `events` has the run, else from its row.
 * @throws MissingColumnError when `run_id` or `score` is absent.
 */
export function suggestFailureTags(
  table: RunsTable,
  options: HeuristicOptions & { events?: ReadonlyMap<string, readonly ReviewEvent[]> } = {},
): TagSuggestion[] {
  requireColumns(table, ["run_id", "score"], "suggestFailureTags");
  const failed = failedRuns(table, options.successThreshold);
  const runId = column<string>(table, "run_id");
  const fatal = column<string | null>(table, "fatal_error_from");
  const limit = column<string | null>(table, "limit");
  const error = column<string | null>(table, "error");
  const actions = column<number | null>(table, "actions");
  const out: TagSuggestion[] = [];
  for (let i = 0; i < failed.length; i++) {
    if (!failed[i]) continue;
    const id = String(runId[i]);
    const ev = options.events?.get(id);
    out.push(
      ev && ev.length > 0 ? suggestFromEvents(id, ev, options) : suggestFromRow({
        run_id: id,
        fatal_error_from: fatal[i],
        limit: limit[i],
        error: error[i],
        actions: actions[i],
      }, options),
    );
  }
  return out;
}
