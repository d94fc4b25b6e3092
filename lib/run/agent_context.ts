/**
 * Builds the {@link AgentContext} of one run: binds tools to the sandbox, meters every model call and action
 * through a {@link LimitTracker}, checks after every failed command whether the sandbox hit a resource
 * limit (memory, disk, processes), and records `model_call`, `action`, `observation` and `note` events.
 *
 * @module
 */
import type { ChatMessage, GenerateResult, Model, ToolDefinition } from "../model/types.ts";
import type { Sandbox } from "../sandbox/types.ts";
import { runTool, type ToolOptions } from "../agent/tools.ts";
import {
  type AgentContext,
  type AgentGenerateOptions,
  LimitExceededError,
  type ToolResult,
} from "../agent/types.ts";
import type { LimitTracker } from "./limits.ts";
import { checkSandboxLimits } from "./sandbox_limits.ts";
import type { LogEvent } from "./events.ts";

/** Characters of model output and observations kept in the log. */
export const LOG_TEXT_LIMIT = 4000;

function clip(text: string, max = LOG_TEXT_LIMIT): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more]`;
}

/** What {@link createAgentContext} needs. */
export interface AgentContextDeps {
  taskId: string;
  instructions: string;
  model: Model;
  getModel: (name: string) => Promise<Model>;
  sandbox: Sandbox;
  tracker: LimitTracker;
  toolOptions: ToolOptions;
  /** Writes an event; `t`, `cell` and `run_id` are filled in by the caller's closure. */
  emit: (event: DistributiveOmit<LogEvent, "t" | "cell" | "run_id">) => void;
  signal: AbortSignal;
}

/** Omit over each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Create the context an agent runs with. */
export function createAgentContext(deps: AgentContextDeps): AgentContext {
  const { tracker, emit } = deps;
  let actionIndex = 0;
  const checkSignal = () => {
    if (deps.signal.aborted) {
      const reason = deps.signal.reason;
      if (reason instanceof LimitExceededError) throw reason;
      throw reason instanceof Error ? reason : new Error(String(reason ?? "run cancelled"));
    }
  };
  return {
    taskId: deps.taskId,
    instructions: deps.instructions,
    model: deps.model,
    getModel: deps.getModel,
    signal: deps.signal,
    usage: () => tracker.usage(),
    async generate(
      messages: ChatMessage[],
      tools: ToolDefinition[],
      options: AgentGenerateOptions = {},
    ): Promise<GenerateResult> {
      checkSignal();
      tracker.check();
      const { model = deps.model, purpose = "action", ...genOptions } = options;
      const started = performance.now();
      const result = await model.generate(messages, tools, { ...genOptions, signal: deps.signal });
      tracker.addCall(result.usage.inputTokens, result.usage.outputTokens, result.costUsd);
      const first = result.choices[0] ?? { content: "", toolCalls: [] };
      emit({
        type: "model_call",
        model: model.name,
        purpose,
        n: result.choices.length || 1,
        input_tokens: result.usage.inputTokens,
        output_tokens: result.usage.outputTokens,
        cost_usd: result.costUsd,
        duration_ms: Math.round(performance.now() - started),
        retries: result.retries,
        content: clip(first.content),
        tool_calls: first.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments })),
      });
      tracker.check();
      return result;
    },
    async act(tool: string, args: Record<string, unknown> | string): Promise<ToolResult> {
      checkSignal();
      const counts = tool !== "submit";
      tracker.check(counts);
      const index = actionIndex++;
      emit({ type: "action", index, tool, args });
      const started = performance.now();
      const deadline = Number.isFinite(tracker.remainingMs())
        ? Date.now() + tracker.remainingMs()
        : undefined;
      const result = await runTool(deps.sandbox, tool, args, deps.toolOptions, deadline);
      if (counts) tracker.actions++;
      emit({
        type: "observation",
        index,
        tool,
        output: clip(result.output),
        is_error: result.isError,
        duration_ms: Math.round(performance.now() - started),
      });
      // A command that ran into the sandbox's memory, disk or process limit ends the run with that limit.
      // Only a failed command is checked here (a limit shows as a failure: killed, ENOSPC, fork failed);
      // one hit by a background process, or by a command that still exited 0, is caught when the agent
      // phase ends (runCell). Checking after every command cost 20 % of the runner's throughput.
      if (counts && result.isError) await checkSandboxLimits(deps.sandbox);
      if (result.submission === undefined) tracker.check();
      return result;
    },
    note(message: string, data?: Record<string, unknown>) {
      emit({ type: "note", message, ...(data ? { data } : {}) });
    },
  };
}
