/**
 * The `replay` model: answers each call with the next recorded response of a transcript file, so an
 * agent run can be reproduced offline (tests, demos, debugging a scaffold against a known conversation).
 *
 * Two sources are read:
 *
 * 1. A **replay transcript** ({@link ReplayStep}): JSONL with one step per line, or a JSON array of steps,
 *    or `{ "steps": [...] }`. A step is `{ messages?, response }` where `response` is either
 *    `{ content, toolCalls?, usage? }` or `{ choices: [{content, toolCalls?}], usage?, model? }`.
 *    When a step records `messages`, the incoming messages must equal them (role, content, tool calls,
 *    tool-call ids), else the call fails with a `diverged` {@link ReplayError} naming the step and message.
 * 2. A **runner event log** (lines with `"type": "model_call"`): the `action` model calls of one cell
 *    (option `cell`, required when the log holds several cells; the last attempt of the cell is used).
 *    The log stores only the first choice, truncated, and no input messages, so nothing is checked.
 *
 * When the transcript runs out the call fails with an `exhausted` {@link ReplayError}.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { ChatMessage, type GenerateResult, type Model, ToolCall, Usage } from "./types.ts";
import { costOf, DEFAULT_PRICES, priceFor, type PriceTable } from "./pricing.ts";

const ReplayChoice = z.object({
  content: z.string().default(""),
  toolCalls: z.array(ToolCall).default([]),
});

/** One recorded step of a replay transcript. */
export const ReplayStep = z.object({
  /** The messages the model received (optional; when present they are checked). */
  messages: z.array(ChatMessage).optional(),
  response: z.union([
    z.object({
      choices: z.array(ReplayChoice).min(1),
      usage: Usage.optional(),
      model: z.string().optional(),
    }).strict(),
    ReplayChoice.extend({ usage: Usage.optional(), model: z.string().optional() }).strict(),
  ]),
});
/** One recorded step of a replay transcript. */
export type ReplayStep = z.infer<typeof ReplayStep>;

/** Why a replay failed. */
export type ReplayErrorKind = "invalid" | "exhausted" | "diverged";

/** A replay that cannot go on: bad file, transcript exhausted, or the conversation diverged. */
export class ReplayError extends Error {
  /** An error of `kind` for transcript `file`; the message reads `replay:<file>: <reason>`. */
  constructor(readonly kind: ReplayErrorKind, readonly file: string, reason: string) {
    super(`replay:${file}: ${reason}`);
    this.name = "ReplayError";
  }
}

/** Options of {@link createReplayModel}. */
export interface ReplayOptions {
  /** For runner event logs holding several cells: the cell id to replay. */
  cell?: string;
  /** Check recorded messages against incoming ones. Default true. */
  checkMessages?: boolean;
  /** Price table for `costUsd` of recorded usage. */
  prices?: PriceTable;
}

interface NormalStep {
  messages?: ChatMessage[];
  choices: Array<{ content: string; toolCalls: ToolCall[] }>;
  usage: Usage;
  model?: string;
}

function normalise(step: ReplayStep): NormalStep {
  const r = step.response;
  const choices = "choices" in r ? r.choices : [{ content: r.content, toolCalls: r.toolCalls }];
  return {
    messages: step.messages,
    choices,
    usage: r.usage ?? { inputTokens: 0, outputTokens: 0 },
    model: r.model,
  };
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join(".") || "(root)"}: ${issue?.message}`;
}

/** Parse the text of a transcript or event log into steps. `file` names the source in errors. */
export function parseReplaySource(text: string, file: string, options: ReplayOptions = {}): NormalStep[] {
  const trimmed = text.trim();
  if (trimmed === "") throw new ReplayError("invalid", file, "the file is empty");
  let records: Array<{ value: unknown; where: string }>;
  if (trimmed.startsWith("[") || (trimmed.startsWith("{") && /^\{\s*"steps"\s*:/.test(trimmed))) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw new ReplayError("invalid", file, `not valid JSON: ${(error as Error).message}`);
    }
    const steps = Array.isArray(json) ? json : (json as { steps?: unknown }).steps;
    if (!Array.isArray(steps)) throw new ReplayError("invalid", file, `"steps" must be an array`);
    records = steps.map((value, i) => ({ value, where: `steps[${i}]` }));
  } else {
    records = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() === "") continue;
      try {
        records.push({ value: JSON.parse(lines[i]), where: `line ${i + 1}` });
      } catch (error) {
        throw new ReplayError(
          "invalid",
          file,
          `line ${i + 1} is not valid JSON: ${(error as Error).message}`,
        );
      }
    }
  }
  const isEventLog = records.some((r) => (r.value as { type?: unknown })?.type !== undefined);
  if (isEventLog) return stepsFromEventLog(records, file, options.cell);
  return records.map(({ value, where }) => {
    const parsed = ReplayStep.safeParse(value);
    if (!parsed.success) throw new ReplayError("invalid", file, `${where}: ${issueText(parsed.error)}`);
    return normalise(parsed.data);
  });
}

const LoggedModelCall = z.object({
  type: z.literal("model_call"),
  cell: z.string(),
  run_id: z.string(),
  model: z.string(),
  purpose: z.string(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  content: z.string(),
  tool_calls: z.array(z.object({ name: z.string(), arguments: z.unknown() })),
});

function stepsFromEventLog(
  records: Array<{ value: unknown; where: string }>,
  file: string,
  cell: string | undefined,
): NormalStep[] {
  const calls: Array<z.infer<typeof LoggedModelCall>> = [];
  for (const { value, where } of records) {
    if ((value as { type?: unknown })?.type !== "model_call") continue;
    const parsed = LoggedModelCall.safeParse(value);
    if (!parsed.success) throw new ReplayError("invalid", file, `${where}: ${issueText(parsed.error)}`);
    if (parsed.data.purpose === "action") calls.push(parsed.data);
  }
  const cells = [...new Set(calls.map((c) => c.cell))];
  if (cells.length === 0) throw new ReplayError("invalid", file, "the event log holds no action model calls");
  const chosen = cell ?? (cells.length === 1 ? cells[0] : undefined);
  if (chosen === undefined) {
    throw new ReplayError(
      "invalid",
      file,
      `the event log holds ${cells.length} cells; pass the cell option (one of ${
        cells.slice(0, 5).join(", ")
      }…)`,
    );
  }
  const ofCell = calls.filter((c) => c.cell === chosen);
  if (ofCell.length === 0) throw new ReplayError("invalid", file, `no action model calls for cell ${chosen}`);
  const lastRun = ofCell.at(-1)!.run_id;
  return ofCell.filter((c) => c.run_id === lastRun).map((c, i) => ({
    choices: [{
      content: c.content,
      toolCalls: c.tool_calls.map((t, j) => ({
        id: `replay_${i}_${j}`,
        name: t.name,
        arguments: typeof t.arguments === "string"
          ? t.arguments
          : (t.arguments ?? {}) as Record<string, unknown>,
      })),
    }],
    usage: { inputTokens: c.input_tokens, outputTokens: c.output_tokens },
    model: c.model,
  }));
}

function canonical(message: ChatMessage): string {
  if (message.role === "assistant") {
    return JSON.stringify([message.role, message.content, message.toolCalls ?? []]);
  }
  if (message.role === "tool") return JSON.stringify([message.role, message.toolCallId, message.content]);
  return JSON.stringify([message.role, message.content]);
}

function firstDifference(recorded: ChatMessage[], incoming: ChatMessage[]): string | undefined {
  const n = Math.max(recorded.length, incoming.length);
  for (let i = 0; i < n; i++) {
    const a = recorded[i], b = incoming[i];
    if (!a) return `message ${i} (${b!.role}) was not in the recording`;
    if (!b) return `recorded message ${i} (${a.role}) is missing from the call`;
    if (canonical(a) !== canonical(b)) {
      return `message ${i} differs: recorded ${canonical(a).slice(0, 120)}, got ${
        canonical(b).slice(0, 120)
      }`;
    }
  }
  return undefined;
}

/** Build a replay model over already-parsed steps (`label` names the source in errors and the model name). */
export function replayModelFromSteps(steps: NormalStep[], label: string, options: ReplayOptions = {}): Model {
  const prices = options.prices ?? DEFAULT_PRICES;
  const make = (): Model => {
    let position = 0;
    return {
      name: `replay:${label}`,
      generate(messages, _tools, generateOptions = {}) {
        const index = position;
        const step = steps[index];
        if (!step) {
          return Promise.reject(
            new ReplayError(
              "exhausted",
              label,
              `the transcript has ${steps.length} steps; call ${index + 1} has none`,
            ),
          );
        }
        if (options.checkMessages !== false && step.messages) {
          const diff = firstDifference(step.messages, messages);
          if (diff) return Promise.reject(new ReplayError("diverged", label, `step ${index}: ${diff}`));
        }
        const n = generateOptions.n ?? 1;
        if (n !== step.choices.length && !(n === 1 && step.choices.length >= 1)) {
          return Promise.reject(
            new ReplayError(
              "diverged",
              label,
              `step ${index} recorded ${step.choices.length} choices, ${n} requested`,
            ),
          );
        }
        position++;
        const model = step.model ?? `replay:${label}`;
        const result: GenerateResult = {
          choices: step.choices.slice(0, n).map((c) => ({ content: c.content, toolCalls: [...c.toolCalls] })),
          usage: { ...step.usage },
          costUsd: step.model ? costOf(step.usage, priceFor(step.model, prices)) : 0,
          model,
          retries: 0,
        };
        return Promise.resolve(result);
      },
      // Each run replays from the first step.
      forRun: () => make(),
    };
  };
  return make();
}

/** A replay model over `file` (read now, so a bad file fails at creation with its name and line). */
export function createReplayModel(file: string, options: ReplayOptions = {}): Model {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    throw new ReplayError("invalid", file, `cannot read: ${(error as Error).message}`);
  }
  return replayModelFromSteps(parseReplaySource(text, file, options), file, options);
}
