/**
 * evalkit — evaluate the autonomous capabilities of AI agents and do elicitation research, on Deno.
 *
 * The public API re-exports each room of `lib/`.
 * @module
 */
export * from "./lib/task/schema.ts";
export * from "./lib/task/buckets.ts";
export * from "./lib/task/define.ts";
export * from "./lib/sandbox/types.ts";
export * from "./lib/model/types.ts";
export * from "./lib/frame/schema.ts";
