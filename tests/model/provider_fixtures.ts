/**
 * What the HTTP provider tests (OpenAI-compatible, Anthropic) share besides the loopback server: the tool
 * they offer the model, a retry policy fast enough for tests, and a scope that restores the provider's
 * environment variables.
 *
 * @module
 */
import type { ToolDefinition } from "../../lib/model/types.ts";

/** The one tool of the provider tests: `bash` with a required `command` string. */
export const TOOLS: ToolDefinition[] = [{
  name: "bash",
  description: "Run a bash command.",
  parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
}];

/** Retry policy of the provider tests: 20 ms base delay without jitter, 5 retries, 2 s request timeout. */
export const FAST_RETRY = { baseDelayMs: 20, jitter: 0, maxRetries: 5, requestTimeoutMs: 2000 };

/**
 * Run `fn`, then put the environment variables `names` back as they were before (deleted if they were
 * unset), also when `fn` throws.
 */
export async function withSavedEnv<T>(names: readonly string[], fn: () => Promise<T>): Promise<T> {
  const saved = names.map((name) => [name, Deno.env.get(name)] as const);
  try {
    return await fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}
