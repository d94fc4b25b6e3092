/**
 * The agent protocol. A scaffold is a factory `(args) => Agent`; an {@link Agent} is a plain async function
 * that receives an {@link AgentContext} and resolves to an {@link AgentOutcome}.
 *
 * The context does the bookkeeping so scaffolds stay short: {@link AgentContext.generate} calls a model,
 * counts tokens and cost, records a `model_call` event and enforces the limits; {@link AgentContext.act}
 * runs one tool in the sandbox as the agent user, counts the action and records `action` / `observation`
 * events. Either throws {@link LimitExceededError} when a limit is hit; the runner catches it, ends the
 * run with `limit: <kind>` and still scores whatever the agent submitted (the empty string if nothing).
 *
 * @module
 */
import type { ChatMessage, GenerateOptions, GenerateResult, Model, ToolDefinition } from "../model/types.ts";
import type { LimitKind } from "../core/run_outcome.ts";

/** Names of the built-in tools. */
export type ToolName = "bash" | "python" | "submit" | "view_file" | "edit_file" | "list_files";

/** What one tool execution returned. */
export interface ToolResult {
  /** Text shown to the model. */
  output: string;
  /** True when the tool failed (non-zero exit, timeout, bad arguments, unknown tool). */
  isError: boolean;
  /** Set when the tool was `submit`: the submission string. */
  submission?: string;
}

/** Per-call options of {@link AgentContext.generate}. */
export interface AgentGenerateOptions extends GenerateOptions {
  /** Which model to call; default the run's model. A name is resolved with {@link AgentContext.getModel}. */
  model?: Model;
  /** Label recorded with the call (e.g. `action`, `rate`). Default `action`. */
  purpose?: string;
}

/** What the runner hands an agent for one run. */
export interface AgentContext {
  /** `family/task`. */
  readonly taskId: string;
  /** The task's initial instructions: the only task information the agent starts with. */
  readonly instructions: string;
  /** The run's model (already bound to this run). */
  readonly model: Model;
  /** Resolve another model by name (e.g. a rater), bound to this run like {@link model}. */
  getModel(name: string): Promise<Model>;
  /** Call a model with accounting, a `model_call` event and limit checks. */
  generate(
    messages: ChatMessage[],
    tools: ToolDefinition[],
    options?: AgentGenerateOptions,
  ): Promise<GenerateResult>;
  /** Run one tool as the agent user, with accounting, `action`/`observation` events and limit checks. */
  act(tool: string, args: Record<string, unknown> | string): Promise<ToolResult>;
  /** Record a free-form note in the event log (e.g. a malformed action, a rating). */
  note(message: string, data?: Record<string, unknown>): void;
  /** Aborted when the run is cancelled (SIGINT) or its wall-time limit passes. */
  readonly signal: AbortSignal;
  /** Current usage of this run. */
  usage(): RunUsage;
}

/** Usage counters of one run. */
export interface RunUsage {
  /** Input (prompt) tokens used so far. */
  inputTokens: number;
  /** Output (completion) tokens used so far. */
  outputTokens: number;
  /** Cost so far, in US dollars (from the price table; synthetic for the simulator). */
  costUsd: number;
  /** Actions taken so far (tool executions, `submit` excluded). */
  actions: number;
  /** Model calls made so far. */
  modelCalls: number;
  /** Seconds since the agent loop started (wall time). */
  elapsedS: number;
}

/** How an agent ended. */
export interface AgentOutcome {
  /** The submission; null when the agent ended without submitting. */
  submission: string | null;
}

/** An agent: one run of a scaffold. */
export type Agent = (ctx: AgentContext) => Promise<AgentOutcome>;

/** Raised by the context when a run hits one of its limits. */
export class LimitExceededError extends Error {
  /**
   * An error for the limit of `kind` (e.g. `tokens`, `actions`, `time`, `cost`); `detail` gives usage and
   * limit.
   */
  constructor(readonly kind: LimitKind, readonly detail: string) {
    super(`${kind} limit reached: ${detail}`);
    this.name = "LimitExceededError";
  }
}
