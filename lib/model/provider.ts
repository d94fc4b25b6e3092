/**
 * Options shared by the HTTP providers (OpenAI-compatible and Anthropic), and the env lookup that
 * names the missing variable.
 *
 * @module
 */
import type { PriceTable } from "./pricing.ts";
import type { RetryEvent, RetryPolicyInput } from "./retry.ts";

/** Options of an HTTP provider. */
export interface HttpProviderOptions {
  /** Endpoint base URL; default from the provider's env var, then its public default. */
  baseUrl?: string;
  /** API key; default from `apiKeyEnv`. */
  apiKey?: string;
  /** Env var holding the key (default `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`). */
  apiKeyEnv?: string;
  /** Retries, backoff delays and the per-request timeout. */
  retry?: RetryPolicyInput;
  /** Price table used for `costUsd` (default: the built-in table). */
  prices?: PriceTable;
  /** Extra HTTP headers sent with every request. */
  headers?: Record<string, string>;
  /** Called before each retry wait. */
  onRetry?: (event: RetryEvent) => void;
}

/** Raised when a model cannot be configured (unknown provider, missing key, bad name). */
export class ModelConfigError extends Error {
  /** An error naming the model (as given) and why it cannot be configured. */
  constructor(readonly model: string, reason: string) {
    super(`${model}: ${reason}`);
    this.name = "ModelConfigError";
  }
}

/** Read an env var, treating "no permission" like "unset". */
export function readEnv(name: string): string | undefined {
  try {
    const value = Deno.env.get(name);
    return value === undefined || value === "" ? undefined : value;
  } catch {
    return undefined;
  }
}

/** The API key from options or env, or a {@link ModelConfigError} naming the env var. */
export function requireApiKey(model: string, options: HttpProviderOptions, defaultEnv: string): string {
  if (options.apiKey) return options.apiKey;
  const envName = options.apiKeyEnv ?? defaultEnv;
  const value = readEnv(envName);
  if (value === undefined) {
    throw new ModelConfigError(model, `no API key: set the ${envName} environment variable (or pass apiKey)`);
  }
  return value;
}

/** Join a base URL and a path without doubling slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
