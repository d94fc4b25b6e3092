/**
 * Elicitation research: failure review (heuristic suggestions, a person's confirmation, an append-only tag
 * store), spurious failures counted three ways, the elicitation gap (paired bootstrap, cross-fitted against
 * best-of-k optimism), the gap against elicitation effort, and success against token/time budgets.
 *
 * @module
 */
export { FailureCategory, FailureSignal } from "./categories.ts";
export { eventsByRun, ReviewEvent } from "./events.ts";
export {
  failedRuns,
  HEURISTIC_DEFAULTS,
  type HeuristicOptions,
  suggestFailureTags,
  suggestFromEvents,
  suggestFromRow,
  type TagSuggestion,
} from "./heuristics.ts";
export {
  appendTags,
  confirmTag,
  FailureTag,
  type FailureTagInput,
  parseTagsCsv,
  parseTagsJson,
  parseTagsJsonl,
  readTags,
  resolveTags,
  reviewTag,
  TAG_COLUMNS,
  type TagIssue,
  tagsFromSuggestions,
  tagsPathFor,
  tagsToCsv,
  tagsToJson,
} from "./tags.ts";
export {
  applySpuriousPolicy,
  SPURIOUS_POLICIES,
  type SpuriousPolicy,
  spuriousShare,
  underEachPolicy,
} from "./policy.ts";
export { type CrossFitOptions, type CrossFitResult, crossFittedGap } from "./crossfit.ts";
export {
  elicitationGap,
  type GapOptions,
  type GapResult,
  type PairedInterval,
  type VariantStanding,
} from "./gap.ts";
export { type EffortOptions, type EffortPoint, gapVsEffort, gapVsEffortPoints } from "./effort.ts";
export {
  budgetGrid,
  type BudgetPoint,
  type BudgetResource,
  type Checkpoint,
  successAtBudgets,
  traceEvents,
  trajectories,
  type Trajectory,
} from "./budget.ts";
