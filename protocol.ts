/**
 * evalkit/protocol — The evaluation protocol: bucket-weighted scores, thresholds as data, verdicts with uncertainty, sanity checks.
 *
 * ```ts
 * import * as protocol from "./protocol.ts"; // or by path / file:// URL from any folder
 * ```
 * @module
 */
export * from "./lib/protocol/mod.ts";
export { AgentNameError, OptionsError, resolveAgentNames } from "./lib/core/mod.ts";
