/**
 * The confusion matrix of a clustering after Hungarian matching of clusters to classes, as data
 * and as a Vega-Lite heat map.
 */
import { clusterAccuracy } from '../metrics/cluster_accuracy.js';
import type { ClusterLabels } from '../metrics/labels.js';
import type { VegaLiteSpec } from './render.js';
import { CONFIG, SCHEMA } from './theme.js';
import { readOptions } from '../data/options.js';
import { checkLabelArray } from '../metrics/labels.js';

/** The result of {@link matchedConfusionMatrix}. */
export interface MatchedConfusion {
  /** matrix[r][j] = samples of class `trueClasses[r]` in cluster `clusters[j]`. */
  matrix: number[][];
  /** The distinct true labels, ascending (row order). */
  trueClasses: number[];
  /**
   * The distinct cluster ids in column order: first the clusters matched to a class, in the order
   * of their classes (so matched pairs lie on the diagonal when every class has a cluster), then
   * the unmatched clusters, ascending.
   */
  clusters: number[];
  /** The class each column's cluster is matched to, or `null` for an unmatched cluster. */
  matchedClass: Array<number | null>;
  /** Hungarian-matched clustering accuracy in [0, 1] (see `clusterAccuracy`). */
  accuracy: number;
}

/**
 * The confusion matrix (rows true classes, columns clusters) with its columns reordered by the
 * Hungarian matching of `clusterAccuracy`, so that the matched cells lie on the diagonal.
 *
 * @param labels true labels (integers).
 * @param clusters cluster ids (integers), one per label.
 * @throws on empty input, different lengths, or a label that is not a finite integer.
 * @example
 * matchedConfusionMatrix([0, 0, 1, 1], [5, 5, 2, 2]);
 * // { matrix: [[2, 0], [0, 2]], trueClasses: [0, 1], clusters: [5, 2], matchedClass: [0, 1], accuracy: 1 }
 */
export function matchedConfusionMatrix(labels: ClusterLabels, clusters: ClusterLabels): MatchedConfusion {
  checkLabelArray(labels, 'labels', 'matchedConfusionMatrix');
  checkLabelArray(clusters, 'clusters', 'matchedConfusionMatrix');
  if (labels.length !== clusters.length) {
    throw new Error(`matchedConfusionMatrix: labels has ${labels.length} entries but clusters has ${clusters.length}.`);
  }
  if (labels.length === 0) throw new Error('matchedConfusionMatrix: labels and clusters are empty.');
  const { accuracy, mapping, confusion } = clusterAccuracy(labels, clusters);
  const classOf = new Map<number, number>(); // class → matched cluster
  for (const [cluster, cls] of mapping) classOf.set(cls, cluster);
  const matched = confusion.trueClasses.filter((c) => classOf.has(c)).map((c) => classOf.get(c) as number);
  const unmatched = confusion.predictedClusters.filter((c) => !mapping.has(c));
  const order = [...matched, ...unmatched];
  const columnOf = new Map(confusion.predictedClusters.map((c, j) => [c, j]));
  const matrix = confusion.matrix.map((row) => order.map((c) => row[columnOf.get(c) as number]));
  return {
    matrix,
    trueClasses: confusion.trueClasses,
    clusters: order,
    matchedClass: order.map((c) => mapping.get(c) ?? null),
    accuracy,
  };
}

/** Options of {@link confusionMatrixSpec}. */
export interface ConfusionMatrixSpecOptions {
  /**
   * Title over the figure. Default `'Clusters vs true labels'`; a subtitle always says it is the
   * Hungarian-matched confusion matrix and gives the accuracy and the number of samples.
   */
  title?: string;
  /**
   * Smallest side of a cell in pixels. Default: 36 up to 15 columns, shrinking to 12 for 60
   * columns and more. Cells grow (and need not be square) so that the grid is at least
   * `minGridSize` wide and high.
   */
  cellSize?: number;
  /** Smallest width and height of the grid in pixels, so that few clusters still fill the figure. Default `440`. */
  minGridSize?: number;
  /**
   * Write the count in every cell. Default: when there are at most 30 columns (beyond, the cells
   * are too small to read).
   */
  showCounts?: boolean;
}

/**
 * A Vega-Lite heat map of the Hungarian-matched confusion matrix (see
 * {@link matchedConfusionMatrix}): rows are true labels, columns clusters (labelled with their ids,
 * matched clusters first in the order of their classes), colour the share of the row's samples
 * (so classes of different sizes compare), counts written in the cells.
 *
 * @param labels true labels (integers).
 * @param clusters cluster ids (integers), one per label.
 * @param options see {@link ConfusionMatrixSpecOptions}.
 * @throws on empty input, different lengths, or a label that is not a finite integer.
 * @example
 * const svg = await renderSvg(confusionMatrixSpec(test.labels, predictions));
 */
export function confusionMatrixSpec(labels: ClusterLabels, clusters: ClusterLabels, options: ConfusionMatrixSpecOptions = {}): VegaLiteSpec {
  options = readOptions(options, 'confusionMatrixSpec', { title: 'string', cellSize: 'number', minGridSize: 'number', showCounts: 'boolean' });
  const m = matchedConfusionMatrix(labels, clusters);
  const columns = m.clusters.length;
  const cellSize = options.cellSize ?? Math.round(Math.max(12, Math.min(36, 36 - ((columns - 15) * 24) / 45)));
  const minGrid = options.minGridSize ?? 440;
  if (!(cellSize > 0) || !Number.isFinite(cellSize)) throw new Error(`confusionMatrixSpec: cellSize must be a positive number of pixels, got ${cellSize}.`);
  if (!(minGrid >= 0) || !Number.isFinite(minGrid)) throw new Error(`confusionMatrixSpec: minGridSize must be a non-negative number of pixels, got ${minGrid}.`);
  const cellWidth = Math.max(cellSize, Math.floor(minGrid / columns));
  const cellHeight = Math.max(cellSize, Math.floor(minGrid / m.trueClasses.length));
  const showCounts = options.showCounts ?? columns <= 30;
  const title = {
    text: options.title ?? 'Clusters vs true labels',
    subtitle: `confusion matrix, clusters matched to labels (Hungarian): accuracy ${(100 * m.accuracy).toFixed(2)} %, ${labels.length} samples`,
    subtitleFontSize: 13,
  };
  const values: Array<{ label: string; cluster: string; count: number; share: number }> = [];
  m.matrix.forEach((row, r) => {
    const total = row.reduce((s, v) => s + v, 0);
    row.forEach((count, j) => values.push({ label: String(m.trueClasses[r]), cluster: String(m.clusters[j]), count, share: total > 0 ? count / total : 0 }));
  });
  const encoding = {
    x: { field: 'cluster', type: 'ordinal', sort: m.clusters.map(String), title: 'cluster (matched clusters first, in class order)', axis: { labelAngle: 0 } },
    y: { field: 'label', type: 'ordinal', sort: m.trueClasses.map(String), title: 'true label' },
  };
  const layer: Record<string, unknown>[] = [
    {
      mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
      encoding: {
        color: {
          field: 'share',
          type: 'quantitative',
          title: 'share of row',
          scale: { range: ['#ffffff', '#08519c'], domain: [0, 1], interpolate: 'rgb' },
          legend: { format: '.0%', gradientLength: Math.max(120, Math.min(300, cellHeight * m.trueClasses.length)) },
        },
      },
    },
  ];
  if (showCounts) {
    layer.push({
      mark: { type: 'text', fontSize: Math.max(8, Math.min(14, Math.floor(Math.min(cellWidth, cellHeight) / 3))) },
      encoding: {
        text: { field: 'count', type: 'quantitative' },
        color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
      },
    });
  }
  return {
    $schema: SCHEMA,
    title,
    config: { ...CONFIG, axis: { ...CONFIG.axis, grid: false } },
    data: { values },
    width: { step: cellWidth },
    height: { step: cellHeight },
    encoding,
    layer,
  } as unknown as VegaLiteSpec;
}
