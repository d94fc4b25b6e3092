/**
 * Power and sample-size planning: how many tasks and epochs a question needs before an evaluation is
 * run, by simulating evaluations from stated (or pilot-estimated) assumptions and analysing each with the
 * toolkit's own analysis functions. See docs/planning.md.
 *
 * @module
 */
export {
  Assumptions,
  Curve,
  curveIntercept,
  curveP50,
  resolveAssumptions,
  type ResolvedAssumptions,
  variantIndex,
} from "./assumptions.ts";
export { assumptionsFromPilot, type PilotEstimate, PilotOptions } from "./pilot.ts";
export {
  type CheckedQuestion,
  checkQuestion,
  cutoff,
  describeQuestion,
  Question,
  questionTruth,
  questionVariants,
  type Side,
} from "./questions.ts";
export { meanSigmoid, totalSd, trueGap, trueP50, trueSuccessRate } from "./truth.ts";
export { type Design, designColumns, designRows, type SimBatch, simulateBatch } from "./simulate.ts";
export { type Answer, decide, decideColumns, type DecideOptions } from "./decide.ts";
export {
  analysisSeed,
  type DesignPower,
  PlanOptions,
  planPower,
  type PowerPlan,
  recommend,
  simulateDesigns,
} from "./power.ts";
export { powerFigure, PowerFigureOptions } from "./figure.ts";
export {
  type AdaptiveSim,
  type AdaptiveSimOptions,
  allocate,
  type AllocateOptions,
  type CandidateTask,
  type CurrentCurve,
  currentCurves,
  decideLook,
  type LookDecision,
  type LookOptions,
  type Pick,
  selectionColumns,
  type SimRates,
  simulateAdaptive,
} from "./adaptive.ts";
export { boundaryConstant, lookAlpha, nominalAlpha, questionAtLook, type Spending } from "./stopping.ts";
