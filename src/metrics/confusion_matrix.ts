import { contingency } from './labels.js';

/** A confusion matrix between true classes and predicted clusters. */
export interface ConfusionMatrix {
  /** matrix[c][k] = number of samples of true class `trueClasses[c]` put in cluster `predictedClusters[k]`. */
  matrix: number[][];
  /** The distinct true labels, ascending (row order). */
  trueClasses: number[];
  /** The distinct predicted labels, ascending (column order). */
  predictedClusters: number[];
}

/**
 * Counts of (true class, predicted cluster) pairs. Labels may be any integers (negative, with
 * gaps); rows and columns follow their ascending values.
 *
 * @throws on a length mismatch, empty input or non-integer labels.
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): ConfusionMatrix {
  const table = contingency(yTrue, yPred, 'confusionMatrix');
  const cols = table.clusters.length;
  const matrix = table.classes.map((_, r) => Array.from(table.counts.subarray(r * cols, (r + 1) * cols)));
  return { matrix, trueClasses: table.classes, predictedClusters: table.clusters };
}
