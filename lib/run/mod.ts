/**
 * The runner: grids of cells, limits, the append-only event log, resume and retry, progress.
 *
 * @module
 */
export * from "./events.ts";
export * from "./grid.ts";
export * from "./limits.ts";
export * from "./log_writer.ts";
export * from "./log_reader.ts";
export * from "./log_lock.ts";
export * from "./resume.ts";
export * from "./pool.ts";
export * from "./parent_watch.ts";
export * from "./leftovers.ts";
export * from "./sandbox_limits.ts";
export * from "./progress.ts";
export { bindToRun, CellCancelledError, classifyError, type ModelResolver, runCell } from "./cell.ts";
export { createAgentContext, LOG_TEXT_LIMIT } from "./agent_context.ts";
export * from "./runner.ts";
