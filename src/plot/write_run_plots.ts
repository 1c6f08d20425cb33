/**
 * All the plots of a training run, written as SVG and PNG files: training curves from the run's
 * `metrics.jsonl`, a 2-D projection of embeddings coloured by label and by cluster, and the
 * Hungarian-matched confusion matrix.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { confusionMatrixSpec } from './confusion_matrix_plot.js';
import { checkEmbeddings, embeddingScatterSpec, projectEmbeddings, sampleRowIndices } from './embedding_scatter.js';
import type { EmbeddingDims, ProjectionMethod } from './embedding_scatter.js';
import { renderPng, renderSvg } from './render.js';
import type { RenderPngOptions, VegaLiteSpec } from './render.js';
import { readMetricsJsonl, trainingCurvesSpec } from './training_curves.js';
import { readOptions } from '../data/options.js';
import { checkString } from '../data/checks.js';

/** A file format {@link writeRunPlots} can write. */
export type PlotFormat = 'svg' | 'png';

/** The data and options of {@link writeRunPlots}. */
export interface WriteRunPlotsOptions {
  /** Row-major embeddings (e.g. `encode(...).data`), N × d values. With `dims`, adds the embedding plot. */
  embeddings?: ArrayLike<number>;
  /** Shape of `embeddings`: the number of columns d, or `[N, d]`. Required with `embeddings`. */
  dims?: EmbeddingDims;
  /** True labels, one per sample (integers): colours a panel of the embedding plot. */
  labels?: ArrayLike<number>;
  /**
   * Cluster ids, one per sample (integers): colours a panel of the embedding plot, and with
   * `labels` adds the confusion matrix.
   */
  clusters?: ArrayLike<number>;
  /** Folder the files go to (created if missing). Default `<runDirectory>/plots`. */
  outDir?: string;
  /** Formats to write. Default `['svg', 'png']`. */
  formats?: PlotFormat[];
  /** 2-D projection of the embeddings. Default `'pca'` (see `projectEmbeddings`). */
  projection?: ProjectionMethod;
  /**
   * At most this many samples are drawn in the embedding plot (a seeded uniform sample; the
   * projection is fitted on it too). Default `5000` with PCA, `2000` with UMAP.
   */
  maxPoints?: number;
  /** Seed of the sample and of UMAP. Default `0`. */
  seed?: number;
  /** Prefix of the plot titles. Default: the run directory's name. */
  title?: string;
  /** PNG rendering options (size, fonts). Default: twice the SVG's size. */
  png?: RenderPngOptions;
}

/** One plot written by {@link writeRunPlots}. */
export interface WrittenPlot {
  /** `'training_curves'`, `'embedding'` or `'confusion_matrix'`. */
  name: 'training_curves' | 'embedding' | 'confusion_matrix';
  /** The Vega-Lite spec it was rendered from. */
  spec: VegaLiteSpec;
  /** Absolute paths of the files written for it. */
  files: string[];
}

/** The result of {@link writeRunPlots}. */
export interface RunPlotsResult {
  /** The plots written, in order: training curves, then embedding and confusion matrix when their data were given. */
  plots: WrittenPlot[];
  /** Absolute paths of every file written. */
  files: string[];
}

/** Checks an optional per-sample label array against the number of samples. */
function checkLength(values: ArrayLike<number> | undefined, name: string, n: number | undefined, nName: string): void {
  if (values === undefined || n === undefined) return;
  if (values.length !== n) throw new Error(`writeRunPlots: ${name} has ${values.length} entries but ${nName} has ${n}.`);
}

/** Picks `indices` from `values`. */
function pick(values: ArrayLike<number>, indices: Int32Array): Int32Array {
  return Int32Array.from(indices, (i) => values[i]);
}

/**
 * Writes the plots of a run as `<outDir>/<name>.svg` and `.png`:
 *
 * - `training_curves`: always, from `<runDirectory>/metrics.jsonl` (the only file read);
 * - `embedding`: with `embeddings` and `dims`, a 2-D projection coloured by `labels` and/or
 *   `clusters` (each optional);
 * - `confusion_matrix`: with `labels` and `clusters`, after Hungarian matching.
 *
 * The data are arguments, not read from the run, so any caller (the CLI's `plot` command, a
 * script after `encode`/`predict`) decides where embeddings and clusters come from.
 *
 * @param runDirectory the run folder holding `metrics.jsonl`.
 * @param options the data and options, see {@link WriteRunPlotsOptions}.
 * @returns the plots and files written.
 * @throws naming the file when `metrics.jsonl` is missing or invalid; on empty or misshaped
 *   embeddings, `embeddings` without `dims`, or labels / clusters whose length does not match.
 * @example
 * const z = await ae.encode(test);
 * const clusters = kmeans({ data: z.data, rows: z.rows, cols: z.cols }, 10).labels;
 * await writeRunPlots('runs/ae', { embeddings: z.data, dims: [z.rows, z.cols], labels: test.labels, clusters });
 */
export async function writeRunPlots(runDirectory: string, options: WriteRunPlotsOptions = {}): Promise<RunPlotsResult> {
  options = readOptions(options, 'writeRunPlots');
  checkString(runDirectory, 'runDirectory', 'writeRunPlots');
  const { embeddings, dims, labels, clusters, formats = ['svg', 'png'], projection = 'pca', seed = 0, png = {} } = options;
  const maxPoints = options.maxPoints ?? (projection === 'umap' ? 2000 : 5000);
  const title = options.title ?? basename(resolve(runDirectory));
  if (!Array.isArray(formats)) throw new Error(`writeRunPlots: formats must be a list of 'svg' and 'png', got ${String(formats)}.`);
  for (const f of formats) if (f !== 'svg' && f !== 'png') throw new Error(`writeRunPlots: unknown format '${String(f)}'; use 'svg' or 'png'.`);
  // Validate everything before writing anything.
  const records = readMetricsJsonl(runDirectory);
  if (embeddings !== undefined && dims === undefined) throw new Error('writeRunPlots: embeddings were given without dims (the number of columns, or [rows, cols]).');
  if (embeddings === undefined && dims !== undefined) throw new Error('writeRunPlots: dims were given without embeddings.');
  const matrix = embeddings !== undefined && dims !== undefined ? checkEmbeddings(embeddings, dims, 'writeRunPlots') : undefined;
  if (labels?.length === 0) throw new Error('writeRunPlots: labels are empty.');
  if (clusters?.length === 0) throw new Error('writeRunPlots: clusters are empty.');
  checkLength(labels, 'labels', matrix?.rows, 'the embeddings (rows)');
  checkLength(clusters, 'clusters', matrix?.rows, 'the embeddings (rows)');
  checkLength(clusters, 'clusters', labels?.length, 'labels');

  const specs: Array<{ name: WrittenPlot['name']; spec: VegaLiteSpec }> = [];
  specs.push({ name: 'training_curves', spec: trainingCurvesSpec(records, { title: `${title}: training curves` }) });
  if (matrix !== undefined) {
    const rows = sampleRowIndices(matrix.rows, maxPoints, seed);
    const sample = new Float64Array(rows.length * matrix.cols);
    rows.forEach((r, i) => {
      for (let j = 0; j < matrix.cols; j++) sample[i * matrix.cols + j] = matrix.data[r * matrix.cols + j];
    });
    const p = await projectEmbeddings(sample, [rows.length, matrix.cols], { method: projection, seed });
    const shown = rows.length < matrix.rows ? `, ${rows.length} of ${matrix.rows} samples` : `, ${matrix.rows} samples`;
    const spec = embeddingScatterSpec(
      { x: p.x, y: p.y, labels: labels === undefined ? undefined : pick(labels, rows), clusters: clusters === undefined ? undefined : pick(clusters, rows) },
      { title: `${title}: embeddings (${projection.toUpperCase()}${shown})`, xTitle: p.axisTitles[0], yTitle: p.axisTitles[1] },
    );
    specs.push({ name: 'embedding', spec });
  }
  if (labels !== undefined && clusters !== undefined) {
    specs.push({ name: 'confusion_matrix', spec: confusionMatrixSpec(labels, clusters, { title: `${title}: clusters vs true labels` }) });
  }

  const outDir = resolve(options.outDir ?? join(runDirectory, 'plots'));
  mkdirSync(outDir, { recursive: true });
  const plots: WrittenPlot[] = [];
  for (const { name, spec } of specs) {
    const svg = await renderSvg(spec);
    const files: string[] = [];
    if (formats.includes('svg')) {
      const path = join(outDir, `${name}.svg`);
      writeFileSync(path, svg);
      files.push(path);
    }
    if (formats.includes('png')) {
      const path = join(outDir, `${name}.png`);
      writeFileSync(path, renderPng(svg, png));
      files.push(path);
    }
    plots.push({ name, spec, files });
  }
  return { plots, files: plots.flatMap((p) => p.files) };
}
