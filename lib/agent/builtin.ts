/**
 * Registers the four built-in scaffolds of METR's elicitation-impact study: `basic`, `chat`, `allTools`,
 * `bestOfN`. Importing this module (or `lib/agent/mod.ts`) is enough.
 *
 * @module
 */
import { registerScaffold } from "./registry.ts";
import { BasicArgs, basicScaffold } from "./scaffolds/basic.ts";
import { ChatArgs, chatScaffold } from "./scaffolds/chat.ts";
import { AllToolsArgs, allToolsScaffold } from "./scaffolds/all_tools.ts";
import { BestOfNArgs, bestOfNScaffold } from "./scaffolds/best_of_n.ts";

/** Names of the built-in scaffolds, in the order of METR's study. */
export const BUILTIN_SCAFFOLDS = ["basic", "chat", "allTools", "bestOfN"] as const;

registerScaffold("basic", basicScaffold, BasicArgs, "plain-text actions; bash and python");
registerScaffold("chat", chatScaffold, ChatArgs, "native tool calling; bash, python, submit");
registerScaffold("allTools", allToolsScaffold, AllToolsArgs, "adds file view/edit/list, robust prompting");
registerScaffold("bestOfN", bestOfNScaffold, BestOfNArgs, "k candidates per step, best one by a rater");
