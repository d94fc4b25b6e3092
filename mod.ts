/**
 * evalkit — evaluate the autonomous capabilities of AI agents and do elicitation research, on Deno.
 *
 * The public API re-exports each room of `lib/`: tasks and sandboxes, models and scaffolds, the runner
 * and its tables, the statistics, the protocol and elicitation analyses, and the figures.
 * @module
 */
export {
  AgentNameError,
  nearestOption,
  OptionsError,
  resolveAgentName,
  resolveAgentNames,
} from "./lib/core/mod.ts";
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
export {
  display,
  escapeHtml,
  figureHtml,
  figureSvg,
  show,
  showFigure,
  showMarkdown,
  showRecords,
  showTable,
  tableToHtml,
  tableToText,
} from "./lib/notebook/display.ts";
export {
  NotebookParamError,
  NotebookParams,
  notebookParams,
  PARAM_ENV,
  parametersCellValues,
  ParameterValues,
  paramsFromCell,
} from "./lib/notebook/params.ts";
export { notebookRuns, readRunEvents, readRunsLog, runNotebookGrid } from "./lib/notebook/grid.ts";
export { buildReport, type ReportOptions, type ReportResult } from "./lib/report/report.ts";
export { checkExecutedNotebook, executeNotebook, NotebookError } from "./lib/report/execute.ts";
export { inspectPage, type OpenPage, withPage } from "./lib/report/browser.ts";
export { svgToPng } from "./lib/plot/png.ts";
export { svgToPdf } from "./lib/plot/pdf.ts";
/** arquero (pinned), for the tables every analysis takes and returns. */
export * as aq from "./lib/deps/arquero.ts";
/** Observable Plot (pinned), for figures of your own (render them with `renderPlot`). */
export * as Plot from "./lib/deps/plot.ts";
