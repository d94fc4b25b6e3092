/**
 * The evaluation protocol: difficulty buckets, the bucket-weighted overall score (a level and an
 * equivalent horizon), thresholds as data with a verdict table, checks that flag misleading results, and
 * the whole report in one call. Pure functions over arquero tables (file loaders aside).
 *
 * @module
 */
export { InputFileError, InsufficientDataError, MissingColumnError } from "../measure/errors.ts";
export { defaultVariantColumn, requireColumns, type RunsTable } from "../measure/columns.ts";
export {
  assignBuckets,
  bucketIndex,
  type BucketSpan,
  bucketSpans,
  loadBucketScheme,
  parseBucketScheme,
} from "../measure/buckets.ts";
export { levelToMinutes, minutesToLevel } from "../measure/level.ts";
export {
  type AgentScore,
  type BucketCell,
  type BucketScoreOptions,
  bucketScores,
  bucketScoresTable,
  type TaskWeighting,
} from "../measure/score.ts";
export {
  Comparator,
  crosses,
  loadThresholds,
  parseThresholds,
  Threshold,
  ThresholdFile,
  type ThresholdMetric,
} from "./thresholds.ts";
export {
  estimateMetrics,
  type EstimateOptions,
  type MetricEstimates,
  replicatesOf,
} from "../measure/estimates.ts";
export {
  metricKey,
  type SafetyMargin,
  type Verdict,
  type VerdictOptions,
  type VerdictRow,
  verdicts,
  verdictTable,
} from "./verdict.ts";
export {
  type AgentCheck,
  CHECK_DEFAULTS,
  type CheckOptions,
  type CheckResult,
  type CheckStatus,
  protocolChecks,
} from "./checks.ts";
export { chiSquareUpperTail } from "./chisq.ts";
export {
  defaultBaseline,
  type PolicyHorizon,
  type ProtocolReport,
  protocolReport,
  type ProtocolReportOptions,
} from "./report.ts";
