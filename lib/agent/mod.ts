/**
 * Scaffolds: the agent protocol, the registry, variants and the four built-in scaffolds.
 *
 * @module
 */
export * from "./types.ts";
export * from "./tools.ts";
export * from "./registry.ts";
export * from "./variant.ts";
export { BUILTIN_SCAFFOLDS } from "./builtin.ts";
export { ELIDED_OUTPUT, parseTextAction, TEXT_ACTION_TAGS, trimContext } from "./scaffolds/common.ts";
export type { TextAction, TextActionTag } from "./scaffolds/common.ts";
export { BasicArgs } from "./scaffolds/basic.ts";
export { ChatArgs } from "./scaffolds/chat.ts";
export { AllToolsArgs } from "./scaffolds/all_tools.ts";
export { BestOfNArgs } from "./scaffolds/best_of_n.ts";
