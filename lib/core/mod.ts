/**
 * The shared vocabulary every room uses: how a run ended, checked options, one naming for agents.
 * @module
 */
export { ErrorSource, LimitKind } from "./run_outcome.ts";
export { nearestOption, OptionsError, parseOptions } from "./options.ts";
export { AgentNameError, NAMING_COLUMNS, resolveAgentName, resolveAgentNames } from "./agent_names.ts";
