/**
 * evalkit/elicitation — Elicitation analyses: the elicitation gap, scaffold comparisons, budget curves.
 *
 * ```ts
 * import * as elicitation from "./elicitation.ts"; // or by path / file:// URL from any folder
 * ```
 * @module
 */
export * from "./lib/elicitation/mod.ts";
export { AgentNameError, OptionsError, resolveAgentNames } from "./lib/core/mod.ts";
