/**
 * The one model interface: messages and tool definitions in; an assistant message, tool calls and
 * token usage out. Providers (OpenAI-compatible, Anthropic, replay, simulated) implement it.
 *
 * @module
 */
import { z } from "../deps/zod.ts";

/** A tool call requested by the model. `arguments` is the parsed JSON object (or raw text if unparsable). */
export const ToolCall = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]),
});
/** A tool call requested by the model. */
export type ToolCall = z.infer<typeof ToolCall>;

/** One chat message (provider-neutral). */
export const ChatMessage = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: z.string() }),
  z.object({ role: z.literal("user"), content: z.string() }),
  z.object({
    role: z.literal("assistant"),
    content: z.string(),
    toolCalls: z.array(ToolCall).optional(),
  }),
  z.object({ role: z.literal("tool"), toolCallId: z.string(), name: z.string(), content: z.string() }),
]);
/** One chat message (provider-neutral). */
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A tool the model may call; `parameters` is a JSON Schema object. */
export const ToolDefinition = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  description: z.string(),
  parameters: z.record(z.string(), z.unknown()),
});
/** A tool the model may call. */
export type ToolDefinition = z.infer<typeof ToolDefinition>;

/** Token usage of one call. */
export const Usage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
/** Token usage of one call. */
export type Usage = z.infer<typeof Usage>;

/** Options of one generation. */
export interface GenerateOptions {
  /** Sampling temperature, passed to the provider as is; default: the provider's own. */
  temperature?: number;
  /** Most output tokens per sample; default: the API's own (the Anthropic provider always sends one). */
  maxTokens?: number;
  /** Number of independent samples wanted (providers without native `n` loop). Default 1. */
  n?: number;
  /** Aborts the request in flight and any retry wait; the abort reason is rethrown as is. */
  signal?: AbortSignal;
}

/** What a model returns for one call. */
export interface GenerateResult {
  /** One message per requested sample (length = options.n ?? 1). */
  choices: Array<{ content: string; toolCalls: ToolCall[] }>;
  /** Tokens of this call as the provider reports them (all samples together). */
  usage: Usage;
  /** Dollar cost of this call from the price table (0 when the model has no price). */
  costUsd: number;
  /** Provider-reported model id. */
  model: string;
  /** Retries spent before this call succeeded. */
  retries: number;
}

/** Per-run information handed to models that need it (the simulator needs the task and sandbox). */
export interface ModelRunContext {
  /** Full task id of the run, `family/task`. */
  taskId: string;
  /** The task's human minutes; null when unknown (the simulator refuses such tasks). */
  humanMinutes: number | null;
  /** Seed for this cell; deterministic models must use it. */
  seed: number;
  /**
   * Scaffold name of the run's variant (`basic`, `chat`, `allTools`, `bestOfN`, …). Optional; the
   * simulator uses it to pick its per-scaffold skill shift.
   */
  scaffold?: string;
  /**
   * The task environment's reference runs, which the runner offers every model and which offline models may
   * act through (the simulator does; real models ignore it): each runs the task's reference solution or its
   * plausible wrong attempt in the sandbox as the agent, and resolves to the submission.
   */
  reference?: TaskReference;
  /**
   * Opaque handles offline models may use. The simulator reads `attempt` (instead of `reference`) and
   * optionally `textFormat`; see `SimulatorExtras` in `lib/model/simulated.ts`.
   */
  extras?: Record<string, unknown>;
}

/** The reference runs of one task environment (see {@link ModelRunContext.reference}). */
export interface TaskReference {
  /** Run the task's reference solution as the agent; resolves to its submission. */
  runSolution(): Promise<string>;
  /** Run the task's plausible wrong attempt as the agent; resolves to its submission. */
  runWrongAttempt(): Promise<string>;
}

/** A chat model. */
export interface Model {
  /** `provider/model`, e.g. `openai/gpt-4o`, `simulated/30`. */
  readonly name: string;
  /**
   * One call: the conversation so far and the tools offered → one or more assistant messages, usage and cost.
   * @throws ModelError when retries are exhausted or the request is not retryable (auth, bad request).
   */
  generate(
    messages: ChatMessage[],
    tools: ToolDefinition[],
    options?: GenerateOptions,
  ): Promise<GenerateResult>;
  /**
   * Optional: a copy of this model bound to one run (cell). Models that need the task or the sandbox
   * (the simulator) implement it; stateless providers leave it out. Call it through `bindModel(model, ctx)`
   * from `lib/model/registry.ts`, which returns the model itself when the method is absent.
   */
  forRun?(context: ModelRunContext): Model;
}

/** Error kinds a provider can end with after retries are exhausted. */
export const ModelErrorKind = z.enum([
  "rate_limit",
  "server",
  "timeout",
  "malformed",
  "auth",
  "bad_request",
  "network",
]);
/** Error kinds a provider can end with. */
export type ModelErrorKind = z.infer<typeof ModelErrorKind>;

/** A typed model failure (retries exhausted or a non-retryable status). */
export class ModelError extends Error {
  /**
   * An error of `kind` after `attempts` attempts; `status` is the last HTTP status, when there was a
   * response.
   */
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ModelError";
  }
}
