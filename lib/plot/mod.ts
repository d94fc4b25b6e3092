/**
 * Figures as Observable Plot specs rendered without a browser: SVG text, notebook display, files.
 *
 * @module
 */
export { type Figure, figureFromSvg, type RenderOptions, renderPlot, writeFigure } from "./render.ts";
export {
  formatMinutes,
  minuteAxis,
  minuteTicks,
  type SuccessCurveData,
  successCurveData,
  successCurveFigure,
  type SuccessCurveOptions,
} from "./success_curve.ts";
export { horizonTrendFigure, type HorizonTrendOptions } from "./horizon_trend.ts";
export * from "./protocol.ts";
export * from "./elicitation.ts";
export { dodgeLabels, type LineEndLabelOptions, lineEndLabels } from "./labels.ts";
