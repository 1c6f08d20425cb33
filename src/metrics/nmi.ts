import { buildContingency, encodeLabels } from './labels.js';
import type { Contingency, ClusterLabels } from './labels.js';
import { Sum } from './compensated_sum.js';
import { readOptions } from '../data/options.js';

/** How {@link nmi} and `ami` average the two entropies in their denominator. */
export type NmiAverage = 'arithmetic' | 'geometric' | 'min' | 'max';

/** Options of {@link nmi} (and `ami`). */
export interface NmiOptions {
  /**
   * Mean of H(yTrue) and H(yPred) in the denominator: `'arithmetic'` (H₁ + H₂)/2, `'geometric'`
   * √(H₁H₂), `'min'` or `'max'`. Default `'arithmetic'` (scikit-learn's default).
   */
  average?: NmiAverage;
}

const AVERAGES: readonly string[] = ['arithmetic', 'geometric', 'min', 'max'];

/** Throws unless `average` is one of the four methods. */
export function checkAverage(average: unknown, context: string): asserts average is NmiAverage {
  if (typeof average !== 'string' || !AVERAGES.includes(average)) {
    throw new Error(`${context}: unknown average '${String(average)}'; use 'arithmetic', 'geometric', 'min' or 'max'.`);
  }
}

/** The mean of two entropies used by NMI and AMI (scikit-learn's `_generalized_average`). */
export function averageEntropy(hTrue: number, hPred: number, average: NmiAverage): number {
  switch (average) {
    case 'arithmetic':
      return (hTrue + hPred) / 2;
    case 'geometric':
      return Math.sqrt(hTrue * hPred);
    case 'min':
      return Math.min(hTrue, hPred);
    case 'max':
      return Math.max(hTrue, hPred);
  }
}

/**
 * Entropy (nats) of a labeling given its cluster sizes, as scikit-learn's `entropy`:
 * −Σ (nᵢ/n)(log nᵢ − log n), exactly 0 for a single cluster.
 */
export function entropyOfSizes(sizes: ArrayLike<number>, n: number): number {
  let nonEmpty = 0;
  for (let i = 0; i < sizes.length; i++) if (sizes[i] > 0) nonEmpty++;
  if (nonEmpty <= 1) return 0;
  const logN = Math.log(n);
  const sum = new Sum();
  for (let i = 0; i < sizes.length; i++) if (sizes[i] > 0) sum.add((sizes[i] / n) * (Math.log(sizes[i]) - logN));
  return -sum.value;
}

/**
 * Shannon entropy (nats) of a labeling, as scikit-learn's `sklearn.metrics.cluster.entropy`:
 * H = −Σₖ pₖ log pₖ with pₖ the share of samples in cluster k.
 *
 * @example entropy([0, 0, 1, 1]); // Math.LN2
 * @throws on empty input or a label that is not a finite integer.
 */
export function entropy(labels: ClusterLabels): number {
  const { sizes } = encodeLabels(labels, 'labels', 'entropy');
  return entropyOfSizes(sizes, labels.length);
}

/**
 * Mutual information (nats) from a contingency table, term by term as scikit-learn's
 * `mutual_info_score` (terms below machine epsilon in magnitude are dropped, the sum is clipped at 0,
 * and a single class or cluster gives exactly 0).
 */
export function mutualInformationOf(table: Contingency): number {
  const { n, classSizes, clusterSizes, cellRows, cellCols, cellCounts } = table;
  if (classSizes.length === 1 || clusterSizes.length === 1) return 0;
  const logN = Math.log(n);
  const sum = new Sum();
  for (let k = 0; k < cellCounts.length; k++) {
    const count = cellCounts[k];
    const share = count / n;
    const logOuter = -Math.log(classSizes[cellRows[k]] * clusterSizes[cellCols[k]]) + logN + logN;
    const term = share * (Math.log(count) - logN) + share * logOuter;
    if (Math.abs(term) >= Number.EPSILON) sum.add(term);
  }
  return Math.max(0, sum.value);
}

/**
 * Mutual information (nats) between two labelings, as scikit-learn's `mutual_info_score`:
 * I = Σᵢⱼ (nᵢⱼ/n) log(n·nᵢⱼ / (aᵢ bⱼ)) over the contingency table.
 *
 * @throws on a length mismatch, empty input or a label that is not a finite integer.
 */
export function mutualInformation(yTrue: ClusterLabels, yPred: ClusterLabels): number {
  return mutualInformationOf(buildContingency(yTrue, yPred, 'mutualInformation'));
}

/**
 * Normalized mutual information, NMI = I(yTrue; yPred) / mean(H(yTrue), H(yPred)), as
 * scikit-learn 1.2's `normalized_mutual_info_score`, special cases included: 1 when both labelings
 * are a single cluster; 0 whenever the mutual information is 0 (e.g. exactly one of them is a
 * single cluster). The result is clipped at 1 against rounding (scikit-learn may return
 * 1.0000000000000002 for identical labelings).
 *
 * Symmetric, invariant to renaming labels, in [0, 1]. O(n + non-zero cells).
 *
 * @example
 * nmi([0, 0, 1, 1], [5, 5, 3, 3]); // 1
 * nmi([0, 0, 1, 1], [0, 1, 0, 1], { average: 'geometric' }); // 0
 * @throws on a length mismatch, empty input, a label that is not a finite integer, or an unknown
 *   `average`.
 */
export function nmi(yTrue: ClusterLabels, yPred: ClusterLabels, options: NmiOptions = {}): number {
  options = readOptions(options, 'nmi');
  const { average = 'arithmetic' } = options;
  checkAverage(average, 'nmi');
  const table = buildContingency(yTrue, yPred, 'nmi');
  if (table.classes.length === 1 && table.clusters.length === 1) return 1;
  const mi = mutualInformationOf(table);
  if (mi === 0) return 0;
  const normalizer = averageEntropy(entropyOfSizes(table.classSizes, table.n), entropyOfSizes(table.clusterSizes, table.n), average);
  return Math.min(1, mi / normalizer);
}
