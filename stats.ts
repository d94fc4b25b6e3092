/**
 * evalkit/stats — Statistics: time-horizon fits (METR's method), bootstrap intervals, paired comparisons. Loads no sandbox or Docker code.
 *
 * ```ts
 * import * as stats from "./stats.ts"; // or by path / file:// URL from any folder
 * ```
 * @module
 */
export * from "./lib/stats/mod.ts";
export { AgentNameError, OptionsError, resolveAgentNames } from "./lib/core/mod.ts";
