/**
 * Plots without a browser: Vega-Lite specs of training curves, embedding projections and the
 * Hungarian-matched confusion matrix, rendered to SVG by Vega and to PNG by resvg.
 */
export { renderSvg, renderPng, pngSize, PNG_SIGNATURE } from './render.js';
export type { VegaLiteSpec, RenderPngOptions, PngSize } from './render.js';
export { projectEmbeddings, embeddingScatterSpec, sampleRowIndices } from './embedding_scatter.js';
export type { EmbeddingDims, ProjectionMethod, ProjectEmbeddingsOptions, Projection2d, ScatterPoints, EmbeddingScatterOptions } from './embedding_scatter.js';
export { parseMetricsJsonl, readMetricsJsonl, metricNames, trainingCurvesSpec, METRICS_FILE } from './training_curves.js';
export type { EpochRecord, TrainingCurvesOptions } from './training_curves.js';
export { matchedConfusionMatrix, confusionMatrixSpec } from './confusion_matrix_plot.js';
export type { MatchedConfusion, ConfusionMatrixSpecOptions } from './confusion_matrix_plot.js';
export { writeRunPlots } from './write_run_plots.js';
export type { PlotFormat, WriteRunPlotsOptions, WrittenPlot, RunPlotsResult } from './write_run_plots.js';
