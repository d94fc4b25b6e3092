/**
 * Models: the one interface, the providers (OpenAI-compatible, Anthropic, replay, simulated), the shared
 * retry policy, prices, and `createModel` / `bindModel`.
 *
 * @module
 */
export * from "./types.ts";
export * from "./registry.ts";
export {
  AttemptFailure,
  backoffDelayMs,
  isRetryableKind,
  kindOfStatus,
  parseRetryAfter,
  RetryPolicy,
  withRetries,
} from "./retry.ts";
export type { Retried, RetryEvent, RetryOptions, RetryPolicyInput } from "./retry.ts";
export * from "./pricing.ts";
export { ModelConfigError } from "./provider.ts";
export type { HttpProviderOptions } from "./provider.ts";
export {
  createOpenAIModel,
  OPENAI_DEFAULT_BASE_URL,
  OpenAIResponse,
  parseToolArguments,
  toOpenAIMessages,
  toOpenAITools,
} from "./openai.ts";
export type { OpenAIModelOptions } from "./openai.ts";
export {
  ANTHROPIC_DEFAULT_BASE_URL,
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  ANTHROPIC_VERSION,
  AnthropicResponse,
  createAnthropicModel,
  toAnthropicMessages,
  toAnthropicTools,
} from "./anthropic.ts";
export type { AnthropicModelOptions } from "./anthropic.ts";
export {
  createReplayModel,
  parseReplaySource,
  ReplayError,
  replayModelFromSteps,
  ReplayStep,
} from "./replay.ts";
export type { ReplayErrorKind, ReplayOptions } from "./replay.ts";
export {
  createSimulatedModel,
  createSimulatedRater,
  DEFAULT_RATER_NOISE_SD,
  DEFAULT_SCAFFOLD_SHIFTS,
  DEFAULT_SIMULATED_HORIZON_MINUTES,
  EXPLORATION_COMMANDS,
  isRatingRequest,
  parseSimulatedNameOptions,
  simulatedBestOfNSuccessProbability,
  simulatedCellProbability,
  simulatedExplorationSteps,
  simulatedModelName,
  simulatedRating,
  simulatedScaffoldShift,
  simulatedSuccessProbability,
  simulatedTaskDifficulty,
  SimulatorOptions,
} from "./simulated.ts";
export type { SimulatedOutcome, SimulatorExtras, SimulatorOptionsInput } from "./simulated.ts";
