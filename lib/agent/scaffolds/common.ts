/**
 * Pieces shared by the built-in scaffolds: prompts, the text action format of `basic`, and the loop that
 * executes native tool calls.
 *
 * @module
 */
import type { ChatMessage, ToolCall } from "../../model/types.ts";
import type { AgentContext, ToolResult } from "../types.ts";

/** Tags of the plain-text action format (`basic`): one action per reply. */
export const TEXT_ACTION_TAGS = ["bash", "python", "submit"] as const;
/** A tag of the plain-text action format. */
export type TextActionTag = typeof TEXT_ACTION_TAGS[number];

/** One action parsed from plain text. */
export interface TextAction {
  /** The action's tag: `bash`, `python` or `submit`. */
  tool: TextActionTag;
  /** Body between the tags, with one leading and trailing newline removed. */
  body: string;
}

function trimOneNewline(s: string): string {
  return s.replace(/^\r?\n/, "").replace(/\r?\n$/, "");
}

/**
 * Parse the first action of a plain-text reply: `<bash>…</bash>`, `<python>…</python>` or
 * `<submit>…</submit>`. An opening tag never closed (the model stopped early) takes the rest of the text.
 * Returns null when the reply holds no action.
 */
export function parseTextAction(text: string): TextAction | null {
  const closed = /<(bash|python|submit)>([\s\S]*?)<\/\1>/.exec(text);
  const open = /<(bash|python|submit)>([\s\S]*)$/.exec(text);
  const m = closed && (!open || closed.index <= open.index) ? closed : open;
  if (!m) return null;
  return { tool: m[1] as TextActionTag, body: trimOneNewline(m[2]) };
}

/** The argument object of a text action for {@link AgentContext.act}. */
export function textActionArgs(action: TextAction): Record<string, unknown> {
  switch (action.tool) {
    case "bash":
      return { command: action.body };
    case "python":
      return { code: action.body };
    case "submit":
      return { answer: action.body.trim() };
  }
}

/** System prompt of `basic`: the situation and the text action format, short. */
export const BASIC_SYSTEM_PROMPT = `You are an autonomous agent working on a task in a Linux environment.
You act by writing exactly one action per reply, in one of these forms:
<bash>a shell command</bash>
<python>a Python program</python>
<submit>your final answer</submit>
You will see the output of each command. When you are done, submit your answer; submitting ends the task.`;

/** System prompt of `chat`. */
export const CHAT_SYSTEM_PROMPT = `You are an autonomous agent working on a task in a Linux environment.
Use the tools to run bash commands and Python programs. When you have the answer, call submit with it;
submitting ends the task.`;

/** System prompt of `allTools` (and `bestOfN`): more guidance on working style and errors. */
export const ALL_TOOLS_SYSTEM_PROMPT =
  `You are a capable, careful autonomous agent working on a task in a Linux
environment as an unprivileged user. You have tools to run bash commands and Python programs, to view, edit
and list files, and to submit your final answer.

How to work:
- Start by exploring: read the instructions closely and look at the files you were given.
- Make a short plan, then act one step at a time; check the result of every step before the next one.
- Long outputs are shortened in the middle: filter them (grep, head, tail) or view line ranges.
- Commands time out; run long jobs in smaller pieces.
- When a tool reports an error, read it and fix the cause instead of repeating the same call.
- Test your solution before submitting. Submit exactly what the task asks for; submitting ends the task.`;

/** The first user message: the task's instructions. */
export function taskMessage(instructions: string): ChatMessage {
  return { role: "user", content: `Your task:\n\n${instructions}` };
}

/** Result of executing one assistant turn's tool calls. */
export interface ToolTurn {
  /** `tool` messages, one per call, in order. */
  messages: ChatMessage[];
  /** Set when a call was `submit`. */
  submission: string | null;
  /** Number of calls whose arguments were malformed or whose tool is unknown. */
  malformed: number;
}

/**
 * Execute the tool calls of one assistant message in order, stopping at `submit`. Calls after a submit
 * are answered with a note that they were not run, so the transcript stays well-formed.
 */
export async function executeToolCalls(
  ctx: AgentContext,
  calls: ToolCall[],
  allowed: readonly string[],
  malformedHint = "",
): Promise<ToolTurn> {
  const messages: ChatMessage[] = [];
  let submission: string | null = null;
  let malformed = 0;
  for (const call of calls) {
    if (submission !== null) {
      messages.push({
        role: "tool",
        toolCallId: call.id,
        name: call.name,
        content: "not run: already submitted",
      });
      continue;
    }
    let result: ToolResult;
    if (!allowed.includes(call.name)) {
      malformed++;
      result = { output: `unknown tool "${call.name}"; available: ${allowed.join(", ")}`, isError: true };
      ctx.note("unknown tool", { tool: call.name });
    } else if (typeof call.arguments === "string") {
      malformed++;
      result = {
        output: `the arguments of ${call.name} are not valid JSON: ${
          call.arguments.slice(0, 200)
        }${malformedHint}`,
        isError: true,
      };
      ctx.note("malformed tool arguments", { tool: call.name });
    } else {
      result = await ctx.act(call.name, call.arguments);
      if (result.submission !== undefined) submission = result.submission;
    }
    messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: result.output });
  }
  return { messages, submission, malformed };
}

/** Replaces the content of an elided tool message. */
export const ELIDED_OUTPUT = "[output elided to keep the conversation within the context budget]";

/**
 * Keep a transcript within `maxChars` characters by eliding the content of the oldest tool results and
 * user observations (never the system prompt, the task or the last `keepRecent` messages). Returns the
 * number of messages elided. Mutates `messages`.
 */
export function trimContext(messages: ChatMessage[], maxChars: number, keepRecent = 6): number {
  let total = messages.reduce((s, m) => s + m.content.length, 0);
  let elided = 0;
  for (let i = 2; i < messages.length - keepRecent && total > maxChars; i++) {
    const m = messages[i];
    if ((m.role === "tool" || m.role === "user") && m.content.length > ELIDED_OUTPUT.length) {
      total -= m.content.length - ELIDED_OUTPUT.length;
      messages[i] = { ...m, content: ELIDED_OUTPUT };
      elided++;
    }
  }
  return elided;
}
