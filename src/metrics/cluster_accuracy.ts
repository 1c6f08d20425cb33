import { linearSumAssignment } from './hungarian.js';
import { contingency } from './labels.js';
import type { ConfusionMatrix } from './confusion_matrix.js';

/** The result of {@link clusterAccuracy} and {@link majorityVoteAccuracy}. */
export interface ClusterAccuracyResult {
  /** Share of samples whose cluster maps to their true class, in [0, 1]. */
  accuracy: number;
  /**
   * Cluster id → class id. With Hungarian matching, each class gets at most one cluster: when
   * there are more clusters than classes, the unmatched clusters are absent (their samples count
   * as errors).
   */
  mapping: Map<number, number>;
  /** The confusion matrix (true classes × clusters) the mapping was computed on. */
  confusion: ConfusionMatrix;
}

function confusionOf(table: ReturnType<typeof contingency>): ConfusionMatrix {
  const cols = table.clusters.length;
  return {
    matrix: table.classes.map((_, r) => Array.from(table.counts.subarray(r * cols, (r + 1) * cols))),
    trueClasses: table.classes,
    predictedClusters: table.clusters,
  };
}

/**
 * Clustering accuracy with the best one-to-one matching of clusters to classes (Hungarian
 * algorithm on the confusion matrix, maximising matched samples), the standard score of deep
 * clustering papers (DEC, IIC). Works with more clusters than classes and with fewer; labels may
 * be any integers.
 *
 * @throws on a length mismatch, empty input or non-integer labels.
 */
export function clusterAccuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): ClusterAccuracyResult {
  const table = contingency(yTrue, yPred, 'clusterAccuracy');
  const confusion = confusionOf(table);
  // Clusters as rows, classes as columns: each cluster matched to at most one class.
  const profit = table.clusters.map((_, k) => table.classes.map((__, c) => table.counts[c * table.clusters.length + k]));
  const assignment = linearSumAssignment(profit, { maximize: true });
  const mapping = new Map<number, number>();
  assignment.rows.forEach((k, i) => mapping.set(table.clusters[k], table.classes[assignment.cols[i]]));
  return { accuracy: assignment.totalCost / table.n, mapping, confusion };
}

/**
 * Accuracy when every cluster is labelled with its most frequent class (several clusters may share
 * a class): the usual score of over-clustering (e.g. k = 100 on MNIST). Always ≥ {@link clusterAccuracy}.
 */
export function majorityVoteAccuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): ClusterAccuracyResult {
  const table = contingency(yTrue, yPred, 'majorityVoteAccuracy');
  const cols = table.clusters.length;
  const mapping = new Map<number, number>();
  let correct = 0;
  for (let k = 0; k < cols; k++) {
    let best = 0;
    for (let c = 1; c < table.classes.length; c++) if (table.counts[c * cols + k] > table.counts[best * cols + k]) best = c;
    mapping.set(table.clusters[k], table.classes[best]);
    correct += table.counts[best * cols + k];
  }
  return { accuracy: correct / table.n, mapping, confusion: confusionOf(table) };
}
