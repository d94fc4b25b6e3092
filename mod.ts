/**
 * evalkit — evaluate the autonomous capabilities of AI agents and do elicitation research, on Deno.
 *
 * The public API re-exports each room of `lib/`: tasks and sandboxes, models and scaffolds, the runner
 * and its tables, the statistics, the protocol and elicitation analyses, and the figures.
 * @module
 */
export * from "./lib/task/mod.ts";
export * from "./lib/sandbox/mod.ts";
export * from "./lib/model/mod.ts";
export * from "./lib/agent/mod.ts";
export * from "./lib/run/mod.ts";
export * from "./lib/frame/mod.ts";
export * from "./lib/stats/mod.ts";
export * from "./lib/plot/mod.ts";
export * from "./lib/protocol/mod.ts";
export * from "./lib/elicitation/mod.ts";
