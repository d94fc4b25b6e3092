/**
 * An Inspect sample's messages → review events in the toolkit's vocabulary (pure): assistant messages
 * become `model_call` events (content, tool calls), each tool call an `action`, each tool message an
 * `observation`, system and user messages `message` events (role, content), the scores `score` events and
 * the end a `cell_end`. Token counts and durations of model calls come from the sample's `model` events
 * (matched by the id of the message they produced). Attachment references (`attachment://…`) are resolved from the sample. See
 * docs/inspect.md for the table.
 *
 * @module
 */
import type { ReviewEvent } from "../../elicitation/events.ts";
import { z } from "../../deps/zod.ts";
import { InspectMessage, type InspectSample } from "./schema.ts";
import { limitKind } from "./rows.ts";
import { valueToFloat } from "./value.ts";

const ATTACHMENT = "attachment://";

function resolve(text: string, attachments: Record<string, string> | null | undefined): string {
  if (!attachments || !text.startsWith(ATTACHMENT)) return text;
  return attachments[text.slice(ATTACHMENT.length)] ?? text;
}

/**
 * Message content as text: a string as is; a list of content parts joined by blank lines (text and
 * reasoning as their text, other parts such as images as `[image]`).
 */
export function contentText(content: unknown, attachments?: Record<string, string> | null): string {
  if (typeof content === "string") return resolve(content, attachments);
  if (!Array.isArray(content)) {
    return content === null || content === undefined ? "" : JSON.stringify(content);
  }
  const parts: string[] = [];
  for (const part of content) {
    const p = part as { type?: string; text?: unknown; reasoning?: unknown };
    if (typeof p?.text === "string") parts.push(resolve(p.text, attachments));
    else if (typeof p?.reasoning === "string") parts.push(`[reasoning] ${resolve(p.reasoning, attachments)}`);
    else parts.push(`[${p?.type ?? "content"}]`);
  }
  return parts.join("\n\n");
}

function resolveArgs(args: unknown, attachments: Record<string, string> | null | undefined): unknown {
  if (typeof args === "string") return resolve(args, attachments);
  if (Array.isArray(args)) return args.map((a) => resolveArgs(a, attachments));
  if (args && typeof args === "object") {
    return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, resolveArgs(v, attachments)]));
  }
  return args;
}

/** A `model` event of the sample's event stream: the message it produced, its usage and time. */
const ModelEvent = z.looseObject({
  event: z.literal("model"),
  output: z.looseObject({
    choices: z.array(z.looseObject({ message: z.looseObject({ id: z.string().optional() }) })).optional(),
    usage: z.looseObject({ input_tokens: z.number().optional(), output_tokens: z.number().optional() })
      .nullable().optional(),
    time: z.number().nullable().optional(),
  }),
});

/** Token usage and time of each model call, by the id of the assistant message it produced. */
export function modelCallUsage(
  events: unknown,
): Map<string, { input_tokens?: number; output_tokens?: number; duration_ms?: number }> {
  const out = new Map<string, { input_tokens?: number; output_tokens?: number; duration_ms?: number }>();
  if (!Array.isArray(events)) return out;
  for (const raw of events) {
    if ((raw as { event?: unknown })?.event !== "model") continue;
    const e = ModelEvent.safeParse(raw);
    if (!e.success) continue;
    const id = e.data.output.choices?.[0]?.message.id;
    if (!id) continue;
    const u = e.data.output.usage;
    out.set(id, {
      ...(typeof u?.input_tokens === "number" ? { input_tokens: u.input_tokens } : {}),
      ...(typeof u?.output_tokens === "number" ? { output_tokens: u.output_tokens } : {}),
      ...(typeof e.data.output.time === "number" ? { duration_ms: e.data.output.time * 1000 } : {}),
    });
  }
  return out;
}

/** What {@link sampleToEvents} needs besides the sample. */
export interface TranscriptContext {
  /** The run id every event carries. */
  runId: string;
  /** The run's score (as in the runs table), for the `cell_end` event. */
  score: number | null;
}

/** One sample's transcript as review events, in message order, then scores, then the end. */
export function sampleToEvents(sample: InspectSample, ctx: TranscriptContext): ReviewEvent[] {
  const run_id = ctx.runId;
  const att = sample.attachments;
  const out: ReviewEvent[] = [];
  const toolNames = new Map<string, string>();
  const usage = modelCallUsage((sample as Record<string, unknown>).events);
  let actions = 0;
  for (const raw of sample.messages ?? []) {
    const parsed = InspectMessage.safeParse(raw);
    if (!parsed.success) {
      out.push({ type: "note", run_id, message: "a message the importer could not read" });
      continue;
    }
    const m = parsed.data;
    const content = contentText(m.content, att);
    if (m.role === "assistant") {
      const calls = (m.tool_calls ?? []).map((c) => ({
        id: c.id,
        name: c.function,
        arguments: resolveArgs(c.arguments, att),
      }));
      out.push({
        type: "model_call",
        run_id,
        content,
        tool_calls: calls,
        ...(m.model ? { model: m.model } : {}),
        ...(m.id ? usage.get(m.id) : {}),
      });
      for (const c of calls) {
        if (c.id) toolNames.set(c.id, c.name);
        actions++;
        out.push({
          type: "action",
          run_id,
          tool: c.name,
          args: c.arguments,
          ...(c.id ? { call_id: c.id } : {}),
        });
      }
    } else if (m.role === "tool") {
      const tool = m.function ?? (m.tool_call_id ? toolNames.get(m.tool_call_id) : undefined) ?? "tool";
      const errorText = m.error?.message
        ? `${m.error.type ? `${m.error.type}: ` : ""}${m.error.message}`
        : "";
      out.push({
        type: "observation",
        run_id,
        tool,
        output: content || errorText,
        is_error: !!m.error,
        ...(m.tool_call_id ? { call_id: m.tool_call_id } : {}),
      });
    } else {
      out.push({ type: "message", run_id, role: m.role, content, ...(m.source ? { source: m.source } : {}) });
    }
  }
  // The sample's totals go on the end event.
  let input: number | undefined, output: number | undefined;
  for (const u of Object.values(sample.model_usage ?? {})) {
    if (typeof u.input_tokens === "number") input = (input ?? 0) + u.input_tokens;
    if (typeof u.output_tokens === "number") output = (output ?? 0) + u.output_tokens;
  }
  const scores = sample.scores ?? (sample.score ? { score: sample.score } : {});
  for (const [scorer, s] of Object.entries(scores)) {
    const f = valueToFloat(s.value);
    out.push({
      type: "score",
      run_id,
      scorer,
      score: f.value,
      value: s.value,
      ...(s.answer ? { submission: s.answer } : {}),
      ...(s.explanation ? { explanation: s.explanation } : {}),
    });
  }
  const limitType = sample.limit
    ? (typeof sample.limit === "string" ? sample.limit : sample.limit.type)
    : null;
  const limit = limitType ? limitKind(limitType) : null;
  const error = sample.error
    ? (typeof sample.error === "string" ? sample.error : sample.error.message ?? "error")
    : null;
  out.push({
    type: "cell_end",
    run_id,
    status: error ? "error" : limitType ? "limit" : "ok",
    limit: limit ?? limitType,
    error,
    score: ctx.score,
    actions,
    ...(input !== undefined ? { input_tokens: input } : {}),
    ...(output !== undefined ? { output_tokens: output } : {}),
    ...(typeof sample.total_time === "number" ? { duration_s: sample.total_time } : {}),
    ...(typeof sample.working_time === "number" ? { agent_s: sample.working_time } : {}),
  });
  return out;
}
