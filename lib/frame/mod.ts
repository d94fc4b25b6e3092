/**
 * Tables: run logs, METR's runs.jsonl and Inspect logs as arquero tables in one tidy schema, and exporters.
 *
 * @module
 */
export * from "./schema.ts";
export * from "./metr.ts";
export * from "./runs_from_log.ts";
export * from "./tables.ts";
export * from "./export.ts";
export { applyTaskMetaToRuns, withKnownMinutes } from "./minutes.ts";
export * from "./sources.ts";
export { type AnyRuns, readAnyRuns } from "./read_any.ts";
export {
  findInspectLogs,
  hasInspectLogs,
  type InspectImport,
  InspectImportOptions,
  type InspectRunRow,
  isInspectLog,
  readInspectRuns,
  readInspectTranscript,
  valueToFloat,
} from "./inspect/mod.ts";
