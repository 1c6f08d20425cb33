import { buildContingency } from './labels.js';
import type { Contingency, ClusterLabels } from './labels.js';

/**
 * A confusion matrix between true classes and predicted clusters. Rows are true classes and
 * columns predicted clusters (scikit-learn's `contingency_matrix` orientation).
 */
export interface ConfusionMatrix {
  /** matrix[r][c] = number of samples of class `trueClasses[r]` put in cluster `predictedClusters[c]`. */
  matrix: number[][];
  /** The distinct true labels, ascending (row order). */
  trueClasses: number[];
  /** The distinct predicted labels, ascending (column order). */
  predictedClusters: number[];
}

/** Dense matrices larger than this are refused (they would not fit in memory as number[][]). */
const MAX_DENSE_CELLS = 2 ** 27;

/** Expands a sparse contingency table into a {@link ConfusionMatrix}. */
export function denseConfusion(table: Contingency, context: string): ConfusionMatrix {
  const rows = table.classes.length;
  const cols = table.clusters.length;
  if (rows * cols > MAX_DENSE_CELLS) {
    throw new Error(`${context}: a ${rows} × ${cols} confusion matrix has too many cells to build densely (limit ${MAX_DENSE_CELLS}).`);
  }
  const matrix = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let k = 0; k < table.cellCounts.length; k++) matrix[table.cellRows[k]][table.cellCols[k]] = table.cellCounts[k];
  return { matrix, trueClasses: table.classes, predictedClusters: table.clusters };
}

/**
 * Counts of (true class, predicted cluster) pairs, as scikit-learn's `contingency_matrix`. Labels
 * may be any integers (negative, not starting at 0, with gaps): rows and columns follow their
 * ascending values, given in `trueClasses` and `predictedClusters`.
 *
 * @example
 * confusionMatrix([1, 1, 3], [7, 8, 8]);
 * // { matrix: [[1, 1], [0, 1]], trueClasses: [1, 3], predictedClusters: [7, 8] }
 * @throws on a length mismatch, empty input, a label that is not a finite integer, or a matrix
 *   of more than 2^27 cells.
 */
export function confusionMatrix(yTrue: ClusterLabels, yPred: ClusterLabels): ConfusionMatrix {
  return denseConfusion(buildContingency(yTrue, yPred, 'confusionMatrix'), 'confusionMatrix');
}
