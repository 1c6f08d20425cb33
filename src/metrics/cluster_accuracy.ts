import { denseConfusion } from './confusion_matrix.js';
import type { ConfusionMatrix } from './confusion_matrix.js';
import { linearSumAssignment } from './hungarian.js';
import { buildContingency } from './labels.js';
import type { Contingency, ClusterLabels } from './labels.js';

/** The result of {@link clusterAccuracy} and {@link majorityVoteAccuracy}. */
export interface ClusterAccuracyResult {
  /** Share of samples whose cluster is mapped to their true class, in [0, 1] (matched samples / n, exactly). */
  accuracy: number;
  /**
   * Cluster label → class label, in ascending cluster order. {@link clusterAccuracy}: a one-to-one
   * matching of min(#clusters, #classes) pairs; when there are more clusters than classes the
   * unmatched clusters are absent (their samples count as errors), and when there are fewer, some
   * classes get no cluster. A pair may have zero overlap when nothing better is left.
   * {@link majorityVoteAccuracy}: every cluster, several possibly sharing a class.
   */
  mapping: Map<number, number>;
  /**
   * The confusion matrix the mapping was computed from (rows true classes, columns clusters, see
   * {@link ConfusionMatrix}). Built eagerly up to 2^20 cells; beyond, a getter builds it on first
   * access, so e.g. a million singleton clusters cost nothing unless it is read.
   */
  readonly confusion: ConfusionMatrix;
}

/** Confusion matrices up to this many cells are built eagerly; larger ones on first access. */
const EAGER_CONFUSION_CELLS = 2 ** 20;

function result(accuracy: number, mapping: Map<number, number>, table: Contingency, context: string): ClusterAccuracyResult {
  if (table.classes.length * table.clusters.length <= EAGER_CONFUSION_CELLS) {
    return { accuracy, mapping, confusion: denseConfusion(table, context) };
  }
  let confusion: ConfusionMatrix | undefined;
  return {
    accuracy,
    mapping,
    get confusion(): ConfusionMatrix {
      confusion ??= denseConfusion(table, context);
      return confusion;
    },
  };
}

/**
 * Long-side items worth keeping in the matching: for every short-side item, its `keep` partners of
 * largest overlap (ties: smaller index), padded with the first unused items when the union is
 * smaller than `keep`. Works on the sparse cells only. With s = the short side, some optimal
 * matching uses, for every short-side item, only one of its s best partners: if it used a worse
 * one, one of its s best is free (the other s − 1 items hold at most s − 1 of them) and swapping to
 * it does not lower the total. So the long side shrinks to ≤ s² items without changing the optimum.
 *
 * @returns ascending long-side indices.
 */
function sparseCandidates(shortOf: Int32Array, longOf: Int32Array, counts: Float64Array, shortSize: number, longSize: number, keep: number): number[] {
  // Bucket the cells by short-side item (counting sort).
  const starts = new Int32Array(shortSize + 1);
  for (let k = 0; k < shortOf.length; k++) starts[shortOf[k] + 1]++;
  for (let s = 0; s < shortSize; s++) starts[s + 1] += starts[s];
  const order = new Int32Array(shortOf.length);
  const next = starts.slice(0, shortSize);
  for (let k = 0; k < shortOf.length; k++) order[next[shortOf[k]]++] = k;
  const chosen = new Uint8Array(longSize);
  for (let s = 0; s < shortSize; s++) {
    const cells = Array.from(order.subarray(starts[s], starts[s + 1]));
    cells.sort((x, y) => counts[y] - counts[x] || longOf[x] - longOf[y]);
    for (let i = 0; i < Math.min(keep, cells.length); i++) chosen[longOf[cells[i]]] = 1;
  }
  let total = chosen.reduce((sum, v) => sum + v, 0);
  for (let l = 0; l < longSize && total < keep; l++) {
    if (chosen[l] === 0) {
      chosen[l] = 1;
      total++;
    }
  }
  const kept: number[] = [];
  for (let l = 0; l < longSize; l++) if (chosen[l] === 1) kept.push(l);
  return kept;
}

/**
 * Clustering accuracy under the best one-to-one matching of clusters to classes: the Hungarian
 * algorithm on the confusion matrix maximises the number of matched samples (the ACC of deep
 * clustering papers such as DEC and IIC). Works with more clusters than classes (the surplus
 * clusters stay unmatched and count as errors) and with fewer (some classes get no cluster).
 * Labels may be any integers. Invariant to renaming clusters or classes.
 *
 * Cost: O(n) plus the matching on at most min(C, R²) × R entries (R ≤ C the smaller count), so
 * 1000 clusters against 10 classes stay fast.
 *
 * @example
 * const { accuracy, mapping } = clusterAccuracy([0, 0, 1, 1, 1], [7, 7, 3, 3, 7]);
 * // accuracy 0.8, mapping Map { 3 => 1, 7 => 0 }
 * @throws on a length mismatch, empty input or a label that is not a finite integer.
 */
export function clusterAccuracy(yTrue: ClusterLabels, yPred: ClusterLabels): ClusterAccuracyResult {
  const table = buildContingency(yTrue, yPred, 'clusterAccuracy');
  const classCount = table.classes.length;
  const clusterCount = table.clusters.length;
  const short = Math.min(classCount, clusterCount);
  const clusterIndex =
    clusterCount > classCount
      ? sparseCandidates(table.cellRows, table.cellCols, table.cellCounts, classCount, clusterCount, short)
      : Array.from({ length: clusterCount }, (_, c) => c);
  const classIndex =
    classCount > clusterCount
      ? sparseCandidates(table.cellCols, table.cellRows, table.cellCounts, clusterCount, classCount, short)
      : Array.from({ length: classCount }, (_, r) => r);
  // Profit matrix: candidate clusters × candidate classes, overlaps as entries.
  const rowOf = new Int32Array(clusterCount).fill(-1);
  clusterIndex.forEach((c, i) => (rowOf[c] = i));
  const colOf = new Int32Array(classCount).fill(-1);
  classIndex.forEach((r, j) => (colOf[r] = j));
  const profit = clusterIndex.map(() => new Array<number>(classIndex.length).fill(0));
  for (let k = 0; k < table.cellCounts.length; k++) {
    const i = rowOf[table.cellCols[k]];
    const j = colOf[table.cellRows[k]];
    if (i >= 0 && j >= 0) profit[i][j] = table.cellCounts[k];
  }
  const assignment = linearSumAssignment(profit, { maximize: true });
  const mapping = new Map<number, number>();
  assignment.rows.forEach((i, k) => mapping.set(table.clusters[clusterIndex[i]], table.classes[classIndex[assignment.cols[k]]]));
  return result(assignment.totalCost / table.n, mapping, table, 'clusterAccuracy');
}

/**
 * Accuracy when every cluster is labelled with its most frequent class (several clusters may
 * share a class; ties go to the smallest class label): the usual score of over-clustering (e.g.
 * k = 100 clusters on 10 MNIST classes, as in IIC's auxiliary heads or DeepCluster). Always ≥
 * {@link clusterAccuracy}. O(n + non-zero cells).
 *
 * @example
 * majorityVoteAccuracy([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]).accuracy; // 5 / 6
 * @throws on a length mismatch, empty input or a label that is not a finite integer.
 */
export function majorityVoteAccuracy(yTrue: ClusterLabels, yPred: ClusterLabels): ClusterAccuracyResult {
  const table = buildContingency(yTrue, yPred, 'majorityVoteAccuracy');
  const clusterCount = table.clusters.length;
  const bestClass = new Int32Array(clusterCount);
  const bestCount = new Float64Array(clusterCount);
  // Cells are row-major (class ascending), so a strict > keeps the smallest class on ties.
  for (let k = 0; k < table.cellCounts.length; k++) {
    const c = table.cellCols[k];
    if (table.cellCounts[k] > bestCount[c]) {
      bestCount[c] = table.cellCounts[k];
      bestClass[c] = table.cellRows[k];
    }
  }
  const mapping = new Map<number, number>();
  let correct = 0;
  for (let c = 0; c < clusterCount; c++) {
    mapping.set(table.clusters[c], table.classes[bestClass[c]]);
    correct += bestCount[c];
  }
  return result(correct / table.n, mapping, table, 'majorityVoteAccuracy');
}
