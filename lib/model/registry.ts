/**
 * `createModel(name, options)`: one entry point from a model string to a {@link Model}.
 *
 * | name | provider |
 * |---|---|
 * | `openai/<model>` | OpenAI-compatible; `OPENAI_BASE_URL`, `OPENAI_API_KEY` (or `baseUrl` / `apiKey` / `apiKeyEnv`) |
 * | `vllm/<model>`, `ollama/<model>`, `llamacpp/<model>` | OpenAI-compatible presets for local servers (no key needed) |
 * | `anthropic/<model>` | Anthropic Messages API; `ANTHROPIC_BASE_URL`, `ANTHROPIC_API_KEY` |
 * | `replay:<file>` | replays a recorded transcript (see `replay.ts`) |
 * | `simulated`, `simulated/<minutes>[?slope=…&shift.chat=…]` | the clearly labelled simulator (see `simulated.ts`) |
 * | `simulated-rater` | the simulator's rater only |
 *
 * Unknown providers and missing keys raise a {@link ModelConfigError} naming the provider or env var.
 *
 * @module
 */
import type { Model, ModelRunContext } from "./types.ts";
import { createOpenAIModel, type OpenAIModelOptions } from "./openai.ts";
import { type AnthropicModelOptions, createAnthropicModel } from "./anthropic.ts";
import { createReplayModel, type ReplayOptions } from "./replay.ts";
import {
  createSimulatedModel,
  createSimulatedRater,
  DEFAULT_SIMULATED_HORIZON_MINUTES,
  parseSimulatedNameOptions,
  type SimulatorOptionsInput,
} from "./simulated.ts";
import { ModelConfigError } from "./provider.ts";
import type { PriceTable } from "./pricing.ts";

/** Options of {@link createModel}: the union of every provider's options (each reads its own). */
export interface CreateModelOptions
  extends
    OpenAIModelOptions,
    AnthropicModelOptions,
    Omit<ReplayOptions, "prices">,
    Omit<SimulatorOptionsInput, "prices"> {
  /** Price table override used by every provider. */
  prices?: PriceTable;
}

/** OpenAI-compatible presets: provider prefix → base URL env var and default (local servers need no key). */
export const OPENAI_COMPATIBLE_PRESETS: Readonly<
  Record<string, { baseUrlEnv: string; defaultBaseUrl: string }>
> = Object.freeze({
  vllm: { baseUrlEnv: "VLLM_BASE_URL", defaultBaseUrl: "http://127.0.0.1:8000/v1" },
  ollama: { baseUrlEnv: "OLLAMA_BASE_URL", defaultBaseUrl: "http://127.0.0.1:11434/v1" },
  llamacpp: { baseUrlEnv: "LLAMACPP_BASE_URL", defaultBaseUrl: "http://127.0.0.1:8080/v1" },
});

/** Provider prefixes {@link createModel} understands (for error messages and help). */
export const MODEL_PROVIDERS: readonly string[] = [
  "openai",
  ...Object.keys(OPENAI_COMPATIBLE_PRESETS),
  "anthropic",
  "replay:",
  "simulated",
  "simulated-rater",
];

/**
 * Create a model from its name. Throws {@link ModelConfigError} for unknown providers, malformed names
 * and missing API keys (naming the env var to set).
 *
 * @example
 * ```ts
 * const model = createModel("simulated/60");
 * const gpt = createModel("openai/gpt-4o", { retry: { maxRetries: 3 } });
 * const local = createModel("vllm/meta-llama/Llama-3.1-8B-Instruct");
 * ```
 */
export function createModel(name: string, options: CreateModelOptions = {}): Model {
  const trimmed = name.trim();
  if (trimmed.startsWith("replay:")) {
    const file = trimmed.slice("replay:".length);
    if (file === "") throw new ModelConfigError(name, "replay needs a file: replay:<path to transcript>");
    return createReplayModel(file, options);
  }
  if (trimmed === "simulated-rater") return createSimulatedRater(options);
  if (trimmed === "simulated" || trimmed.startsWith("simulated/") || trimmed.startsWith("simulated?")) {
    const [path, query = ""] = trimmed.split(/\?(.*)/s, 2);
    const rest = path.slice("simulated".length).replace(/^\//, "");
    const horizonMinutes = rest === ""
      ? options.horizonMinutes ?? DEFAULT_SIMULATED_HORIZON_MINUTES
      : Number(rest);
    if (!Number.isFinite(horizonMinutes) || horizonMinutes <= 0) {
      throw new ModelConfigError(
        name,
        `simulated/<minutes> needs a positive number of minutes, got "${rest}"`,
      );
    }
    const fromName = parseSimulatedNameOptions(name, query);
    return createSimulatedModel({
      ...options,
      ...fromName,
      shifts: { ...options.shifts, ...fromName.shifts },
      horizonMinutes,
    });
  }
  const slash = trimmed.indexOf("/");
  if (slash <= 0 || slash === trimmed.length - 1) {
    throw new ModelConfigError(
      name,
      `expected "provider/model" (providers: ${
        MODEL_PROVIDERS.join(", ")
      }), e.g. openai/gpt-4o or simulated/30`,
    );
  }
  const provider = trimmed.slice(0, slash);
  const model = trimmed.slice(slash + 1);
  if (provider === "openai") return createOpenAIModel(model, options);
  if (provider === "anthropic") return createAnthropicModel(model, options);
  const preset = OPENAI_COMPATIBLE_PRESETS[provider];
  if (preset) {
    return createOpenAIModel(model, {
      ...preset,
      requireKey: false,
      ...options,
      apiKeyEnv: options.apiKeyEnv ?? `${provider.toUpperCase()}_API_KEY`,
      provider,
    });
  }
  throw new ModelConfigError(name, `unknown provider "${provider}"; known: ${MODEL_PROVIDERS.join(", ")}`);
}

/**
 * The model bound to one run: `model.forRun(context)` when the model needs run information (the
 * simulator), else the model itself. The runner calls this once per cell.
 */
export function bindModel(model: Model, context: ModelRunContext): Model {
  return model.forRun ? model.forRun(context) : model;
}
