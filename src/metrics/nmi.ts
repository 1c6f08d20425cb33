import { contingency } from './labels.js';
import type { Contingency } from './labels.js';

/** How {@link nmi} normalises the mutual information by the two entropies. */
export type NmiAverage = 'arithmetic' | 'geometric' | 'min' | 'max';

/** Options of {@link nmi}. */
export interface NmiOptions {
  /** Mean of H(true) and H(pred) in the denominator. Default `'arithmetic'` (scikit-learn's default). */
  average?: NmiAverage;
}

/** Entropy (nats) of a labeling given its cluster sizes and total. */
export function entropyOfSizes(sizes: ArrayLike<number>, n: number): number {
  let h = 0;
  for (let i = 0; i < sizes.length; i++) {
    if (sizes[i] > 0) {
      const p = sizes[i] / n;
      h -= p * Math.log(p);
    }
  }
  return h;
}

/** Entropy (nats) of a labeling. */
export function entropy(labels: ArrayLike<number>): number {
  const table = contingency(labels, labels, 'entropy');
  return entropyOfSizes(table.classSizes, table.n);
}

/** Mutual information (nats) from a contingency table. */
export function mutualInformationOf(table: Contingency): number {
  const { counts, classSizes, clusterSizes, n } = table;
  const cols = clusterSizes.length;
  let mi = 0;
  for (let r = 0; r < classSizes.length; r++) {
    for (let c = 0; c < cols; c++) {
      const nij = counts[r * cols + c];
      if (nij > 0) mi += (nij / n) * (Math.log(nij) + Math.log(n) - Math.log(classSizes[r]) - Math.log(clusterSizes[c]));
    }
  }
  return Math.max(0, mi);
}

/** Mutual information (nats) between two labelings, as scikit-learn's `mutual_info_score`. */
export function mutualInformation(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  return mutualInformationOf(contingency(yTrue, yPred, 'mutualInformation'));
}

/** The generalised mean of two entropies used by NMI and AMI. */
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
    default:
      throw new Error(`unknown average '${String(average)}'; use 'arithmetic', 'geometric', 'min' or 'max'.`);
  }
}

/**
 * Normalized mutual information, NMI = I(true; pred) / mean(H(true), H(pred)), exactly as
 * scikit-learn's `normalized_mutual_info_score`: 1 when both labelings are a single cluster (or
 * identical up to renaming), 0 when either is a single cluster and the other is not.
 *
 * @throws on a length mismatch, empty input, non-integer labels or an unknown average.
 */
export function nmi(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: NmiOptions = {}): number {
  const { average = 'arithmetic' } = options;
  averageEntropy(1, 1, average);
  const table = contingency(yTrue, yPred, 'nmi');
  const classes = table.classes.length;
  const clusters = table.clusters.length;
  if ((classes === 1 && clusters === 1) || (classes === 0 && clusters === 0)) return 1;
  if (classes === 1 || clusters === 1) return 0;
  const mi = mutualInformationOf(table);
  const normaliser = averageEntropy(entropyOfSizes(table.classSizes, table.n), entropyOfSizes(table.clusterSizes, table.n), average);
  return Math.min(1, mi / Math.max(normaliser, Number.EPSILON));
}
