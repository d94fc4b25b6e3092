/**
 * Figures as Observable Plot specs rendered without a browser: SVG text, notebook display, files.
 *
 * @module
 */
export { type Figure, figureFromSvg, type RenderOptions, renderPlot, writeFigure } from "./render.ts";
